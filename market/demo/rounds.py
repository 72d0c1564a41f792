"""The demo village-stationed unit's staff and its staff purchase rounds (measure 5.3): a round from 永陵镇老城村
closed twelve days ago into one order, delivered, paid and mostly handed out, with one person cut short because
part of the stock spoiled before closing; and an open round its staff are signing up to."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from market.accounts import operations as accounts
from market.accounts.models import Role, User
from market.catalog import operations as catalog
from market.catalog.models import Product, StockReason
from market.extensions import db
from market.i18n import SHANGHAI
from market.orders import operations as orders
from market.payments.operations import record_offline_payment
from market.rounds import closing, handout
from market.rounds import operations as rounds
from market.rounds.models import PurchaseRound, RoundSignup
from market.types import utcnow

UNIT = "village-unit@demo.local"
SUPPLIER = "coop-xinbin@demo.local"

#: The unit's staff: e-mail, name, department, phone. The first is the demo account of the README.
STAFF = [
    ("staff-village@demo.local", "孙丽华", "综合科", "13904130101"),
    ("staff-village-2@demo.local", "王建国", "预算科", "13904130102"),
    ("staff-village-3@demo.local", "李秀英", "预算科", "13904130103"),
    ("staff-village-4@demo.local", "张伟", "国库科", "13904130104"),
    ("staff-village-5@demo.local", "刘洋", "国库科", "13904130105"),
    ("staff-village-6@demo.local", "陈静", "办公室", "13904130106"),
    ("staff-village-7@demo.local", "杨帆", "办公室", "13904130107"),
    ("staff-village-8@demo.local", "赵敏", "税政科", "13904130108"),
    ("staff-village-9@demo.local", "黄磊", "税政科", "13904130109"),
    ("staff-village-10@demo.local", "周婷", "人事科", "13904130110"),
]

#: The closed round's sign-ups, in the order they came: (staff index, {product name: quantity}). Together they
#: take all 40 bags of 黏豆包; three spoil before closing, so the last to sign up for them is cut by three.
CLOSED_SIGNUPS = [
    (0, {"黏豆包": "4", "大葱": "1"}), (1, {"黏豆包": "4", "土豆": "10"}), (2, {"黏豆包": "4"}),
    (3, {"黏豆包": "4", "大葱": "2"}), (4, {"黏豆包": "4", "土豆": "20"}), (5, {"黏豆包": "4"}),
    (6, {"黏豆包": "4", "土豆": "10"}), (7, {"黏豆包": "4", "大葱": "1"}), (8, {"黏豆包": "4", "土豆": "10"}),
    (9, {"黏豆包": "4", "大葱": "1"}),
]
#: Sign-ups to the open round so far.
OPEN_SIGNUPS = [(0, {"土豆": "20", "大葱": "1"}), (2, {"大葱": "2"}), (5, {"土豆": "20"}), (7, {"土豆": "10"})]


def seed_rounds() -> None:
    """The unit's staff (password as every demo account) and its two rounds; skipped once the unit has a round."""
    manager = accounts.find_user(UNIT)
    unit = manager.organisation
    if db.session.scalar(select(PurchaseRound.id).where(PurchaseRound.organisation_id == unit.id).limit(1)):
        return
    staff = _staff(unit)
    supplier = accounts.find_user(SUPPLIER)
    products = {p.name: p for p in db.session.scalars(select(Product).where(
        Product.supplier_id == supplier.organisation_id))}
    if not {"黏豆包", "大葱", "土豆"} <= set(products):
        return  # an older demo database without the round's products
    _closed_round(manager, staff, supplier, products)
    _open_round(manager, staff, products)
    db.session.flush()


def _staff(unit) -> list[User]:
    people = []
    for email, name, department, phone in STAFF:
        person = accounts.find_user(email)
        if person is None:
            # One password hash for all (hashing is slow on purpose): every demo account has the same password.
            first = people[0] if people else None
            person = (accounts.create_user(organisation=unit, email=email, name=name, role=Role.STAFF,
                                           password=current_app.config["DEMO_PASSWORD"], department=department,
                                           phone=phone) if first is None else
                      User(organisation=unit, email=email, name=name, role=Role.STAFF, department=department,
                           phone=phone, password_hash=first.password_hash))
            db.session.add(person)
        people.append(person)
    db.session.flush()
    return people


def _offer(products: dict, limits: dict[str, str]) -> list[rounds.RoundItem]:
    return [rounds.RoundItem(products[name].id, Decimal(limit)) for name, limit in limits.items()]


def _lines(products: dict, wanted: dict[str, str]) -> list[rounds.SignupRequest]:
    return [rounds.SignupRequest(products[name].id, Decimal(qty)) for name, qty in wanted.items()]


def _closed_round(manager, staff, supplier, products) -> None:
    opened = utcnow() - timedelta(days=12)
    local = opened.astimezone(SHANGHAI)
    sticky = products["黏豆包"]
    if sticky.unsold_quantity < 40:  # the demo canteens' orders took some: a new batch was steamed
        catalog.move_stock(sticky, 40 - sticky.unsold_quantity, StockReason.RESTOCK, actor=supplier, note="新蒸一批")
    purchase_round = rounds.open_round(
        manager, title="老城村年货接龙：黏豆包、大葱、土豆",
        note="驻村帮扶点老城村合作社的产品，周五前报名，下周二在机关食堂门口领取。",
        closes_at=(local + timedelta(days=3)).replace(tzinfo=None, microsecond=0),
        pickup_places="机关食堂门口\n老城村工作队驻地", pickup_day=(local + timedelta(days=6)).date(),
        payment_mode="in_person", name_display="surname", fairness="first_come",
        items=_offer(products, {"黏豆包": "4", "大葱": "2", "土豆": "20"}), now=opened)
    for n, (who, wanted) in enumerate(CLOSED_SIGNUPS):
        rounds.sign_up(staff[who], purchase_round, _lines(products, wanted),
                       pickup_place="老城村工作队驻地" if who == 9 else None, now=opened + timedelta(hours=2 + n))
    # Three bags spoiled in the cooperative's store before the round closed: the last to sign up is cut short.
    catalog.move_stock(sticky, Decimal("-3"), StockReason.SPOILAGE, actor=supplier, note="受潮变质")
    closed_at = opened + timedelta(days=3)
    closing.close_round(manager, purchase_round, now=closed_at)
    bulk = closing.place_round_order(manager, purchase_round, accept_cuts=True, now=closed_at)
    supplier_person = supplier
    # Delivered, accepted and paid: the order counts as the unit's staff purchases.
    for order in bulk.orders:
        moment = closed_at
        for step in ("confirm", "ship", "deliver", "accept"):
            moment += timedelta(days=1)
            actor = manager if step == "accept" else supplier_person
            orders.perform(order, actor, step, {"carrier": "县供销社冷链配送", "tracking_number": f"LL{order.id:06d}",
                                               "note": "数量与质量无误"}, now=moment)
        payment = record_offline_payment(order, supplier_person, method="bank_transfer",
                                         reference=f"转账{order.reference}", received_on=moment.date())
        payment.succeeded_at = order.paid_at = moment + timedelta(hours=4)
    # The clerk handed out and collected from eight; two still owe.
    handed_at = closed_at + timedelta(days=3, hours=3)
    signups = db.session.scalars(select(RoundSignup).where(RoundSignup.round_id == purchase_round.id)
                                 .order_by(RoundSignup.id)).all()
    for signup in signups[:8]:
        handout.mark(manager, signup, "paid", now=handed_at)
        handout.mark(manager, signup, "handed", now=handed_at)


def _open_round(manager, staff, products) -> None:
    now = utcnow()
    local = now.astimezone(SHANGHAI)
    purchase_round = rounds.open_round(
        manager, title="老城村冬储菜团购：土豆、大葱",
        note="合作社窖藏的冬储菜，按需报名，每人限量；土豆凑满50公斤起订。",
        closes_at=(local + timedelta(days=5)).replace(tzinfo=None, microsecond=0),
        pickup_places="机关食堂门口", pickup_day=(local + timedelta(days=8)).date(),
        payment_mode="in_person", name_display="surname", fairness="pro_rata",
        items=_offer(products, {"土豆": "25", "大葱": "2"}), now=now)
    for n, (who, wanted) in enumerate(OPEN_SIGNUPS):
        rounds.sign_up(staff[who], purchase_round, _lines(products, wanted), now=now + timedelta(minutes=n))
