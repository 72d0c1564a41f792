from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select

from market.accounts import operations as accounts
from market.accounts.models import OrgStatus, Organisation, Role
from market.delivery.operations import add_address
from market.delivery.queries import addresses_of
from market.demo.data import DELIVERY_ADDRESSES, ORGANISATIONS, PRODUCTS
from market.demo.invoices import seed_invoices
from market.demo.rounds import seed_rounds
from market.extensions import db
from market.pairing.models import VillagePairing
from market.regions.models import Village
from market.regions import queries as regions
from market.pairing.operations import load_city
from market.agreements import operations as agreements
from market.agreements.models import Agreement
from market.bulletins.operations import latest_issue, publish_issue
from market.catalog import operations as catalog
from market.catalog.models import Category, LinkageMode, ListingStatus, Product, StockReason, Unit
from market.demands.models import Demand
from market.demands.operations import post_demand
from market.i18n import SHANGHAI, local_today
from market.orders import operations as orders
from market.orders.models import Order
from market.pairing.queries import county_for_buyer
from market.payments.operations import record_offline_payment
from market.pledges.models import Pledge
from market.pledges.operations import make_pledge, review_pledge
from market.shares import operations as shares
from market.shares.models import CanteenMode
from market.shares.queries import declaration


def seed_demo(password: str) -> int:
    """Create whatever part of the demo is missing; returns the number of accounts created."""
    load_city(current_app.config["CITY_DATA_FILE"])
    counties = {c.code: c for c in regions.counties()}
    villages = {v.code: v for v in db.session.scalars(select(Village))}
    created = 0
    for email, person, org_name, kind, extra in ORGANISATIONS:
        if accounts.find_user(email) is not None:
            continue
        fields = dict(extra)
        paired_village = fields.pop("paired_village", None)
        org = db.session.scalar(select(Organisation).where(Organisation.name == org_name, Organisation.kind == kind))
        if org is None:
            org = accounts.create_organisation(
                name=org_name,
                kind=kind,
                status=OrgStatus.ACTIVE,
                county=counties.get(fields.pop("county", None)),
                village=villages.get(fields.pop("village", None)),
                contact_name=person,
                **fields,
            )
        if paired_village:
            db.session.add(
                VillagePairing(buyer=org, village=villages[paired_village], valid_from=date(2020, 1, 1),
                               note="驻村帮扶")
            )
        accounts.create_user(organisation=org, email=email, name=person, password=password, role=Role.MANAGER)
        created += 1
    db.session.flush()
    if seed_products():
        seed_survey_and_bulletins()
    seed_delivery_addresses()
    seed_orders()
    seed_reserved_shares()
    seed_agreements_and_demands()
    seed_pledges()
    seed_invoices()
    seed_rounds()
    return created


def seed_products() -> int:
    """Published demo products with stock recorded in the ledger; skipped when the supplier has any product."""
    from datetime import timedelta
    from decimal import Decimal


    today = local_today()
    suppliers_with_products = set(db.session.scalars(select(Product.supplier_id).distinct()))
    made = 0
    for email, spec in PRODUCTS:
        person = accounts.find_user(email)
        if person is None or person.organisation_id in suppliers_with_products:
            continue
        stranded_days = spec.get("stranded_days")
        fields = {
            "name": spec["name"], "variety": spec.get("variety"), "category": Category(spec["category"]),
            "unit": Unit(spec["unit"]), "price": Decimal(spec["price"]), "min_order_quantity": Decimal(spec["min_order"]),
            "specification": spec.get("specification"), "households_linked": spec.get("households", 0),
            "linkage_mode": LinkageMode(spec["linkage"]) if spec.get("linkage") else None,
            "identification_number": spec.get("ident"),
            "identification_valid_until": today + timedelta(days=365) if spec.get("ident") else None,
            "stranded": stranded_days is not None,
            "stranded_since": today - timedelta(days=stranded_days) if stranded_days is not None else None,
            "stranded_cause": spec.get("cause"), "storage_note": spec.get("storage"),
            "shelf_life_days": spec.get("shelf_life_days"),
            "best_before": today + timedelta(days=spec["best_before_days"]) if spec.get("best_before_days") else None,
            "available_from": today - timedelta(days=60),
        }
        product = catalog.create_product(person.organisation, person, fields, Decimal("0"))
        catalog.move_stock(product, Decimal(spec["stock"]), StockReason.SURVEY, actor=person, note="摸排")
        catalog.submit_product(product)
        office = accounts.find_user(f"county-{person.organisation.county.code}@demo.local") or person
        catalog.review_product(product, office, approve=True)
        made += 1
    db.session.flush()
    return made


def seed_survey_and_bulletins() -> None:
    """A survey row for each stranded demo product and a first bulletin issue of each county that has one."""

    today = local_today()
    stranded = db.session.scalars(select(Product).where(Product.stranded.is_(True)).order_by(Product.id)).all()
    for product in stranded:
        office = accounts.find_user(f"county-{product.county.code}@demo.local")
        catalog.add_survey_row(product.county, office, {
            "surveyed_on": product.stranded_since, "product_name": product.name, "variety": product.variety,
            "category": product.category, "unit": product.unit, "unsold_quantity": product.unsold_quantity,
            "cooperatives": product.supplier.name, "poor_households": product.households_linked,
            "product_id": product.id,
        })
    for county in {p.county for p in stranded}:
        if latest_issue(county) is None:
            office = accounts.find_user(f"county-{county.code}@demo.local")
            publish_issue(county, office, today, "疫情期间滞销农产品信息，欢迎各预算单位和企业采购。")
    db.session.flush()


#: (buyer email, months ago, state to bring the order to, paid?) — every state appears, over several months.
DEMO_ORDER_PLAN = [
    ("party@demo.local", 5, "completed", True), ("party@demo.local", 3, "accepted", True),
    ("party@demo.local", 1, "shipped", False), ("party@demo.local", 0, "placed", False),
    ("government@demo.local", 4, "completed", True), ("government@demo.local", 2, "accepted", False),
    ("government@demo.local", 0, "confirmed", False),
    ("npc@demo.local", 4, "completed", True), ("npc@demo.local", 1, "delivered", True),
    ("cppcc@demo.local", 3, "completed", True), ("cppcc@demo.local", 0, "rejected", False),
    ("school@demo.local", 2, "completed", True), ("school@demo.local", 0, "cancelled", False),
    ("hospital@demo.local", 5, "accepted", True), ("hospital@demo.local", 1, "completed", True),
    ("village-unit@demo.local", 2, "completed", True), ("village-unit@demo.local", 0, "placed", False),
    ("firm@demo.local", 3, "completed", True), ("firm@demo.local", 1, "accepted", True),
    ("firm2@demo.local", 2, "completed", True), ("firm2@demo.local", 0, "confirmed", False),
]

_STEPS = {
    "placed": [], "confirmed": ["confirm"], "rejected": ["reject"], "cancelled": ["cancel"],
    "shipped": ["confirm", "ship"], "delivered": ["confirm", "ship", "deliver"],
    "accepted": ["confirm", "ship", "deliver", "accept"], "completed": ["confirm", "ship", "deliver", "accept", "rate"],
}


def seed_delivery_addresses() -> None:
    """The demo canteens' delivery addresses (for a canteen that has none yet)."""
    for email, place, recipient, phone, notes in DELIVERY_ADDRESSES:
        buyer = accounts.find_user(email).organisation
        if any(a.place == place for a in addresses_of(buyer)):
            continue
        add_address(buyer, {"place": place, "recipient": recipient, "phone": phone, "notes": notes})


def seed_orders() -> int:
    """Orders of the demo buyers in every state over the last months (only when there are none yet)."""
    from datetime import datetime, time, timedelta
    from decimal import Decimal


    if db.session.scalar(select(Order.id).limit(1)) is not None:
        return 0
    products = db.session.scalars(select(Product).where(Product.status == ListingStatus.PUBLISHED)
                                  .order_by(Product.id)).all()
    today = local_today()
    made = 0
    for n, (email, months_ago, state, paid) in enumerate(DEMO_ORDER_PLAN):
        person = accounts.find_user(email)
        buyer = person.organisation
        day = today - timedelta(days=30 * months_ago + (n % 7) + (3 if months_ago else 0))
        placed_at = datetime.combine(day, time(9, 30), SHANGHAI)
        paired = county_for_buyer(buyer, day)
        # Buyers with a paired county buy there (two suppliers when it has two); the others anywhere.
        pool = [p for p in products if paired is None or p.county_id == paired.id] or products
        picks = {}
        for product in pool[n % len(pool):] + pool[:n % len(pool)]:
            picks.setdefault(product.supplier_id, product)
            if len(picks) == 2:
                break
        lines = [orders.LineRequest(p.id, max(p.min_order_quantity,
                                              Decimal(30 if p.unit.value in ("kg", "jin") else 8)))
                 for p in picks.values()]
        # Delivered to the buyer's first address, asked for two days after placing (the newest: a week ahead).
        addresses = addresses_of(buyer)
        delivery = orders.DeliveryRequest(
            address_id=addresses[0].id if addresses else None,
            requested_date=max([day + timedelta(days=7 if months_ago == 0 else 2)]
                               + [p.available_from for p in picks.values() if p.available_from]),
            note="请提前一小时电话联系收货人" if n % 2 == 0 else None)
        bulk, _created = orders.place_order(buyer, person, lines, f"demo-{n}", now=placed_at, delivery=delivery)
        for order in bulk.orders:
            supplier_user = order.supplier.members[0]
            moment = placed_at
            for step in _STEPS[state]:
                moment += timedelta(days=1)
                actor = person if step in ("accept", "rate", "cancel") else supplier_user
                orders.perform(order, actor, step, {
                    "reason": "库存已被其他单位订完" if step == "reject" else "单位活动取消",
                    "carrier": "县供销社冷链配送", "tracking_number": f"LL{order.id:06d}",
                    "note": "质量良好", "rating": 5 - (n % 2), "comment": "新鲜，送货及时",
                    # A supplier that confirms but cannot come on the day asked proposes another.
                    "proposed_delivery_date": (moment.date() + timedelta(days=9)).isoformat()
                    if state == "confirmed" else None,
                }, now=moment)
            if paid:

                method = "official_card" if n % 3 == 0 else "bank_transfer"
                received = min(day + timedelta(days=len(_STEPS[state]) + 1), today)
                payment = record_offline_payment(order, supplier_user, method=method,
                                                 reference=f"转账{order.reference}", received_on=received)
                payment.succeeded_at = order.paid_at = placed_at + timedelta(days=len(_STEPS[state]) + 1)
            made += 1
    db.session.flush()
    return made


def seed_reserved_shares() -> None:
    """Declarations of the demo canteens for this year: own, outsourced (with a contractor account) and shared."""

    year = local_today().year
    plan = [("party@demo.local", CanteenMode.OWN, "1200000", "15", None, []),
            ("government@demo.local", CanteenMode.SHARED, "2400000", "12", None, ["village-unit@demo.local"]),
            ("npc@demo.local", CanteenMode.OWN, "600000", "10", None, []),
            ("cppcc@demo.local", CanteenMode.OWN, "500000", "15", None, []),
            ("school@demo.local", CanteenMode.OUTSOURCED, "900000", "10", "抚顺市好味道餐饮管理有限公司", []),
            ("hospital@demo.local", CanteenMode.OWN, "1500000", "15", None, [])]
    for email, mode, spending, share, contractor, covers in plan:
        person = accounts.find_user(email)
        if declaration(person.organisation, year) is not None:
            continue
        covered = [accounts.find_user(c).organisation_id for c in covers]
        shares.declare_reserved_share(person.organisation, person, year=year, mode=mode, spending=spending,
                                      percent=share, contractor_name=contractor, covered_unit_ids=covered)
    school = accounts.find_user("school@demo.local").organisation
    if accounts.find_user("canteen-contractor@demo.local") is None:
        accounts.create_user(organisation=school, email="canteen-contractor@demo.local", name="孟师傅",
                             password=current_app.config["DEMO_PASSWORD"], role=Role.CONTRACTOR)
    db.session.flush()


def seed_agreements_and_demands() -> None:
    """The hospital's weekly vegetable agreement with a Xinbin cooperative (signed by both, active), and a few
    open demands."""
    from datetime import timedelta
    from decimal import Decimal


    today = local_today()
    if db.session.scalar(select(Agreement.id).limit(1)) is None:
        hospital = accounts.find_user("hospital@demo.local")
        coop = accounts.find_user("coop-xinbin@demo.local")
        vegetables = db.session.scalars(select(Product).where(Product.supplier_id == coop.organisation_id,
                                                              Product.name.in_(("大白菜", "土豆")))
                                        .order_by(Product.id)).all()
        terms = agreements.Terms(
            lines=[agreements.LineTerms(p.id, Decimal("200") if p.name == "大白菜" else Decimal("150"),
                                        p.price) for p in vegetables],
            schedule_kind="weekly", weekdays=[0, 3], start_date=today - timedelta(days=14),
            end_date=today + timedelta(days=350), delivery_place="抚顺市中心医院后勤部食堂库房",
            note="冷链送货，到货当日验收。")
        agreement = agreements.create_agreement(hospital, coop.organisation, terms)
        agreements.sign(agreement, hospital)
        agreements.sign(agreement, coop)
    if db.session.scalar(select(Demand.id).limit(1)) is None:
        for email, name, category, qty, unit, days, price, place in (
            ("party@demo.local", "木耳", "edible_fungi", "200", "kg", 20, "70", "市委机关食堂"),
            ("school@demo.local", None, "vegetables", "500", "kg", 10, "2", "抚顺市第一中学食堂"),
            ("firm@demo.local", "苹果", "fruit", "100", "box", 30, None, "抚顺华信建材有限公司（职工福利）"),
        ):
            person = accounts.find_user(email)
            post_demand(person, product_name=name, category=category, quantity=qty, unit=unit,
                        wanted_by=today + timedelta(days=days), expected_price=price, delivery_place=place, note=None)
    db.session.flush()


def seed_pledges() -> None:
    """A confirmed pledge of firm@demo.local that its counted orders fulfil in part, and one of firm2 waiting."""
    from datetime import timedelta


    if db.session.scalar(select(Pledge.id).limit(1)) is not None:
        return
    today = local_today()
    firm = accounts.find_user("firm@demo.local")
    federation = accounts.find_user("federation@demo.local")
    confirmed = make_pledge(firm, amount="20000", mode="buy_instead_of_donate",
                            start_date=today - timedelta(days=200), end_date=today.replace(month=12, day=31),
                            note="职工福利采购、节日慰问品", show_publicly=True)
    review_pledge(confirmed, federation, confirm=True)
    firm2 = accounts.find_user("firm2@demo.local")
    make_pledge(firm2, amount="30000", mode="buy_instead_of_help", start_date=today,
                end_date=today + timedelta(days=180), note="春节慰问品")
    db.session.flush()
