"""Pledges, the federation's review, city-wide totals; every total checked against a plain recount."""

from __future__ import annotations

import io
import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert, select

from tests.conftest import post_form
from tests.factories import act_on_order as _act, make_product, orders_of_bulk as _orders_of_bulk
from tests.factories import place_order as _place, user_by_email as _user


def _pay(app, db, people, order_id, supplier="supplier_qingyuan"):
    from market.orders.models import Order
    from market.payments.operations import record_offline_payment

    with app.app_context(), app.test_request_context("/"):
        from market.i18n import local_today

        record_offline_payment(db.session.get(Order, order_id), _user(db, people[supplier]), method="bank_transfer",
                               reference="BANK", received_on=local_today())
        db.session.commit()


def _complete(app, db, people, order_id, supplier="supplier_qingyuan", buyer="firm"):
    for step in ("confirm", "ship"):
        _act(app, db, people[supplier], order_id, step, {"carrier": "x"})
    _act(app, db, people[buyer], order_id, "accept")
    _pay(app, db, people, order_id, supplier)


def test_a_firm_pledges_for_qingyuan_the_federation_confirms_and_orders_move_the_bar(app, db, people, client, login):
    from market.i18n import local_today

    today = local_today()
    login("firm")
    response = post_form(client, "/pledges/", {"amount": "50000", "mode": "buy_instead_of_donate",
                                               "start_date": (today - timedelta(days=1)).isoformat(),
                                               "end_date": (today + timedelta(days=60)).isoformat(),
                                               "county": "qingyuan", "note": "节日慰问品", "show_publicly": "y"})
    assert response.status_code == 302
    with app.app_context():
        from market.pledges.models import Pledge

        pledge_id = db.session.scalar(select(Pledge.id))
    federation = login("federation", app.test_client())
    assert "等待工商联审核" in federation.get("/pledges/").get_data(as_text=True)
    post_form(federation, f"/pledges/{pledge_id}/confirm", {"reason": ""}, token_from=f"/pledges/{pledge_id}")

    qingyuan = make_product(app, db, people, stock="1000", price=Decimal("100.00"))
    xinbin = make_product(app, db, people, "supplier_xinbin", stock="1000", price=Decimal("100.00"))
    counted = _orders_of_bulk(app, db, _place(app, db, people["firm"], [(qingyuan, "125")], token="a")[0])[0]
    other_county = _orders_of_bulk(app, db, _place(app, db, people["firm"], [(xinbin, "10")], token="b")[0])[0]
    unpaid = _orders_of_bulk(app, db, _place(app, db, people["firm"], [(qingyuan, "3")], token="c")[0])[0]
    _complete(app, db, people, counted)
    _complete(app, db, people, other_county, supplier="supplier_xinbin")
    for step in ("confirm", "ship"):
        _act(app, db, people["supplier_qingyuan"], unpaid, step, {"carrier": "x"})
    _act(app, db, people["firm"], unpaid, "accept")  # accepted but not paid: does not count

    html = client.get(f"/pledges/{pledge_id}").get_data(as_text=True)
    assert "¥12,500.00" in html and "25.0%" in html
    assert "¥1,000.00" not in html.split("计入的订单")[1]  # the Xinbin order is not listed as counting
    review = federation.get("/reports/federation").get_data(as_text=True)
    assert "25.0%" in review and "<svg" in review and "role=\"img\"" in review
    assert "¥12,500.00" in app.test_client().get("/reports/honour").get_data(as_text=True)


def test_an_unfulfilled_pledge_past_its_end_is_flagged(app, db, people, factory):
    from market.pledges import operations as ops
    from market.pledges.queries import pledges_with_progress

    with app.app_context(), app.test_request_context("/"):
        pledge = ops.make_pledge(_user(db, people["firm"]), amount="1000", mode="buy_instead_of_help",
                                 start_date=date(2020, 1, 1), end_date=date(2020, 6, 30))
        ops.review_pledge(pledge, _user(db, people["federation"]), confirm=True)
        db.session.commit()
        progress = pledges_with_progress()[0]
        assert progress.overdue(date(2020, 7, 1)) and not progress.overdue(date(2020, 6, 30))


@pytest.mark.parametrize("data, message", [({"amount": "-5"}, "必须大于零"), ({"amount": "1.001"}, "最多两位小数"),
                                           ({"end_date": "2000-01-01"}, "结束日期不能早于开始日期")])
def test_bad_pledges_are_refused(app, db, people, client, login, data, message):
    from market.i18n import local_today
    from market.pledges.models import Pledge

    login("firm")
    payload = {"amount": "1000", "mode": "buy_instead_of_donate", "start_date": local_today().isoformat(),
               "end_date": local_today().isoformat()}
    payload.update(data, note="节日慰问")
    html = post_form(client, "/pledges/", payload, follow_redirects=True).get_data(as_text=True)
    assert message in html and "节日慰问</textarea>" in html  # the form comes back as it was typed
    with app.app_context():
        assert db.session.scalar(select(Pledge.id)) is None


def test_a_county_that_is_not_the_citys_is_refused_by_the_operation(app, db, people, client, login):
    """The county list is the form's; which county a pledge may name is the operation's rule."""
    from market.i18n import local_today
    from market.pledges.models import Pledge

    login("firm")
    with client.session_transaction() as session:
        session["locale"] = "en"
    response = post_form(client, "/pledges/", {"amount": "1000", "mode": "buy_instead_of_donate",
                                               "start_date": local_today().isoformat(),
                                               "end_date": local_today().isoformat(), "county": "atlantis"},
                         follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Choose a county from the list." in html and 'value="1000"' in html
    with app.app_context():
        assert db.session.scalar(select(Pledge.id)) is None


def test_only_the_federation_reviews_and_firms_see_only_their_own(app, db, people, login):
    from market.pledges import operations as ops

    with app.app_context(), app.test_request_context("/"):
        pledge = ops.make_pledge(_user(db, people["firm"]), amount="1000", mode="buy_instead_of_help",
                                 start_date=date(2030, 1, 1), end_date=date(2030, 6, 30))
        db.session.commit()
        pledge_id = pledge.id
    city = login("city", app.test_client())
    assert post_form(city, f"/pledges/{pledge_id}/confirm", token_from="/").status_code == 403
    federation = login("federation", app.test_client())
    response = post_form(federation, f"/pledges/{pledge_id}/return", {"reason": ""}, token_from="/",
                         follow_redirects=True)
    assert "请填写退回认购承诺的理由" in response.get_data(as_text=True)
    with app.app_context():
        from tests import factories

        other = factories.organisation(kind="firm", name="another firm")
        factories.make_user(other, email="other-firm@example.com", role="manager")
        db.session.commit()
    from tests.conftest import sign_in

    stranger = app.test_client()
    sign_in(stranger, "other-firm@example.com")
    assert stranger.get(f"/pledges/{pledge_id}").status_code == 404
    assert "1,000.00" not in stranger.get("/pledges/").get_data(as_text=True)
    assert login("buyer_party", app.test_client()).get("/reports/federation").status_code == 403
    assert login("federation", app.test_client()).get("/reports/city").status_code == 403


def test_federation_downloads(app, db, people, login, demo):
    from openpyxl import load_workbook
    from pypdf import PdfReader

    federation = app.test_client()
    from tests.conftest import sign_in

    sign_in(federation, "federation@demo.local", "demo-pass-2020")
    pdf = federation.get("/reports/federation.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "抚顺华信建材有限公司" in text and "以购代捐" in text
    book = load_workbook(io.BytesIO(federation.get("/reports/federation.xlsx").data))
    values = [c.value for row in book.active.iter_rows() for c in row]
    assert "抚顺华信建材有限公司" in values
    csv = federation.get("/reports/federation.csv").data.decode("utf-8-sig")
    assert csv.startswith("分组")


def test_a_firm_named_like_a_formula_is_neutralised_in_exports(app, db, people, login, factory):
    with app.app_context():
        org = factory.organisation(kind="firm", name="=HYPERLINK(\"http://x\")")
        factory.make_user(org, email="formula@example.com", role="manager")
        db.session.commit()
    people = dict(people, formula="formula@example.com")
    product = make_product(app, db, people, stock="10")
    order = _orders_of_bulk(app, db, _place(app, db, "formula@example.com", [(product, "1")], token="f")[0])[0]
    _complete(app, db, people, order, buyer="formula")
    csv = login("federation", app.test_client()).get("/reports/federation.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv


def test_report_pages_keep_a_fixed_number_of_statements(app, db, people, login, count_queries, demo):
    from tests.conftest import sign_in

    federation, city = app.test_client(), app.test_client()
    sign_in(federation, "federation@demo.local", "demo-pass-2020")
    sign_in(city, "city@demo.local", "demo-pass-2020")
    with count_queries() as fed_before:
        federation.get("/reports/federation")
    with count_queries() as city_before:
        city.get("/reports/city")
    _random_orders(app, db, people, 300, seed=2)
    with count_queries() as fed_after:
        federation.get("/reports/federation")
    with count_queries() as city_after:
        city.get("/reports/city")
    assert fed_before.n == fed_after.n and city_before.n == city_after.n
    assert fed_after.n <= 20 and city_after.n <= 20, (fed_after.n, city_after.n)


# --- the recount: every total against plain Python over the same rows ------------------------------------------


def _random_orders(app, db, people, count: int, seed: int):
    """Orders in every state and payment state, spread over counties, systems, canteen types, firms and months,
    written straight to the tables (speed); returns nothing — the recount reads them back."""
    from market.accounts.models import BuyerSystem, Organisation, OrgKind
    from market.orders.models import BulkOrder, Order, OrderLine, OrderStatus, PaymentStatus
    from tests import factories

    rng = random.Random(seed)
    with app.app_context():
        buyers = [factories.organisation(kind="buyer", buyer_system=s.value,
                                         buyer_type=rng.choice(["agency_canteen", "school_canteen",
                                                                "hospital_canteen", "village_unit"]))
                  for s in BuyerSystem] + [factories.organisation(kind="firm") for _ in range(3)]
        suppliers = [factories.organisation(kind="supplier", county=c) for c in
                     ("qingyuan", "xinbin", "fushun-county", "dongzhou", "shuncheng")]
        db.session.commit()
        from market.catalog.models import Category, Product, Unit

        products = []
        for supplier in suppliers:
            for i in range(4):
                stranded = rng.random() < 0.5
                product = Product(supplier_id=supplier.id, county_id=supplier.county_id, name=f"p{supplier.id}-{i}",
                                  category=rng.choice(list(Category)), unit=Unit.KG, price=Decimal("1.00"),
                                  min_order_quantity=Decimal("1"), unsold_quantity=Decimal("0"),
                                  households_linked=rng.randint(0, 50), stranded=stranded,
                                  stranded_since=date(2020, rng.randint(1, 6), 1) if stranded else None,
                                  search_text="")
                db.session.add(product)
                products.append(product)
        db.session.commit()
        pairs = {"party": "qingyuan", "government": "xinbin", "npc": "fushun-county", "cppcc": "dongzhou"}
        from market.regions.models import County

        county_ids = {c.code: c.id for c in db.session.scalars(select(County))}
        product_rows = [(p.id, p.county_id, p.supplier_id) for p in products]
        buyer_rows = [(b.id, b.buyer_system) for b in buyers]
        lines = []
        for n in range(count):
            buyer_id, system = rng.choice(buyer_rows)
            product_id, county_id, supplier_id = rng.choice(product_rows)
            bulk = db.session.execute(insert(BulkOrder).values(buyer_id=buyer_id, client_token=f"r{seed}-{n}",
                                                                created_at=__import__("market.types", fromlist=["x"]).utcnow())
                                      .returning(BulkOrder.id)).scalar()
            day = date(2020, rng.randint(1, 12), rng.randint(1, 28))
            paired = county_ids[pairs[system.value]] if system is not None and system.value in pairs else None
            picks = rng.sample([p for p in product_rows if p[2] == supplier_id], k=rng.randint(1, 3))
            amounts = [(pid, Decimal(rng.randint(1, 99999)) / 100) for pid, _c, _s in picks]
            order_id = db.session.execute(insert(Order).values(
                reference=f"R{seed}-{n}", bulk_order_id=bulk, buyer_id=buyer_id, supplier_id=supplier_id,
                county_id=county_id, paired_county_id=paired, buyer_system=system,
                status=rng.choice(list(OrderStatus)), payment_status=rng.choice(list(PaymentStatus)),
                total_amount=sum(a for _p, a in amounts), placed_at=__import__("market.types", fromlist=["x"]).utcnow(),
                placed_on=day).returning(Order.id)).scalar()
            for pid, amount in amounts:
                lines.append({"order_id": order_id, "product_id": pid, "product_name": "x", "unit": Unit.KG,
                              "unit_price": amount, "quantity": Decimal("1"), "line_total": amount})
        db.session.execute(insert(OrderLine), lines)
        db.session.commit()
        del Organisation, OrgKind


def _random_refunds(app, db, seed: int) -> dict[int, Decimal]:
    """A paid card payment with refunds in every state on a third of the paid orders (a partial refund lowers
    what counts, a pending, failed or cancelled one does not); returns the succeeded refunds per order."""
    from market.orders.models import Order, PaymentStatus
    from market.payments.models import Payment, PaymentMethod, PaymentState, Refund, RefundState

    rng = random.Random(seed)
    succeeded: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    with app.app_context():
        paid = db.session.execute(select(Order.id, Order.total_amount)
                                  .where(Order.payment_status == PaymentStatus.PAID).order_by(Order.id)).all()
        for order_id, total in paid:
            if total < Decimal("0.05") or rng.random() > 0.33:
                continue
            payment = Payment(order_id=order_id, method=PaymentMethod.CARD, state=PaymentState.SUCCEEDED,
                              amount=total, intent_id=f"pi_r{order_id}")
            db.session.add(payment)
            db.session.flush()
            left = total
            for n in range(rng.randint(1, 3)):
                amount = min(left - Decimal("0.01"), Decimal(rng.randint(1, int(total * 100) // 2)) / 100)
                if amount <= 0:
                    break
                state = rng.choice(list(RefundState))
                db.session.add(Refund(payment_id=payment.id, amount=amount, state=state, key=f"k{order_id}-{n}"))
                if state == RefundState.SUCCEEDED:
                    succeeded[order_id] += amount
                    left -= amount
            payment.refunded_amount = succeeded.get(order_id, Decimal("0.00"))
        db.session.commit()
    return dict(succeeded)


def test_every_total_equals_a_plain_recount_to_the_fen(app, db, people):
    from market.accounts.models import BuyerSystem, Organisation, OrgKind
    from market.catalog.models import Product
    from market.orders.models import ACCEPTED_STATES, Order, OrderLine, PaymentStatus
    from market.pledges.models import Pledge, PledgeStatus
    from market.regions.models import County
    from market.reports import queries

    _random_orders(app, db, people, 2500, seed=7)
    refunded = _random_refunds(app, db, seed=7)
    with app.app_context(), app.test_request_context("/"):
        orgs = {o.id: o for o in db.session.scalars(select(Organisation))}
        counties = {c.id: c.code for c in db.session.scalars(select(County))}
        products = {p.id: p for p in db.session.scalars(select(Product))}
        orders = list(db.session.scalars(select(Order)))
        lines = defaultdict(list)
        for line in db.session.scalars(select(OrderLine)):
            lines[line.order_id].append(line)
        counted = [o for o in orders if o.payment_status == PaymentStatus.PAID and o.status in ACCEPTED_STATES]
        assert 0 < len(counted) < len(orders)

        def value(order):  # what an order counts for: its total less the refunds that succeeded
            return order.total_amount - refunded.get(order.id, Decimal("0.00"))

        def line_values(order):
            """The order's counted value spread over its lines as the reports do: in proportion, rounded down on
            the running sum in fen, so that the lines add up to the order's counted value exactly."""
            total, kept = int(order.total_amount * 100), int(value(order) * 100)
            through, result = 0, []
            for line in sorted(lines[order.id], key=lambda x: x.id):
                fen = int(line.line_total * 100)
                share = fen if kept == total else (through + fen) * kept // total - through * kept // total
                through += fen
                result.append((line, Decimal(share) / 100))
            return result

        assert any(0 < refunded.get(o.id, 0) for o in counted), "the recount covers partial refunds"

        def recount(key_of, source=counted):
            sums = defaultdict(lambda: Decimal("0.00"))
            for order in source:
                sums[key_of(order)] += value(order)
            return dict(sums)

        def reported(result):
            return {item["key"]: item["amount"] for item in result["items"]}

        assert reported(queries.totals("county")) == recount(lambda o: counties[o.county_id])
        assert reported(queries.totals("system")) == recount(
            lambda o: (o.buyer_system or BuyerSystem.OTHER).value)
        assert reported(queries.totals("month")) == recount(lambda o: o.placed_on.strftime("%Y-%m"))
        firms = [o for o in counted if orgs[o.buyer_id].kind == OrgKind.FIRM]
        assert reported(queries.totals("firm")) == recount(lambda o: str(o.buyer_id), firms)
        assert reported(queries.totals("county", buyer_kind=OrgKind.FIRM)) == recount(
            lambda o: counties[o.county_id], firms)
        by_category = defaultdict(lambda: Decimal("0.00"))
        for order in counted:
            for line, part in line_values(order):
                by_category[products[line.product_id].category.value] += part
        assert reported(queries.totals("category")) == dict(by_category)
        grand = sum((value(o) for o in counted), Decimal("0.00"))
        for by in ("county", "system", "month", "category"):
            assert queries.totals(by)["total_amount"] == grand

        pairs = {row["system"].value: row for row in queries.system_pairs()}
        for system, row in pairs.items():
            mine = [o for o in counted if (o.buyer_system or BuyerSystem.OTHER).value == system]
            assert row["amount"] == sum((value(o) for o in mine), Decimal("0.00"))
            assert row["paired_amount"] == sum((value(o) for o in mine if o.paired_county_id == o.county_id
                                                and o.paired_county_id is not None), Decimal("0.00"))
        canteen = {row["key"]: row["amount"] for row in queries.canteen_types()}
        assert canteen == recount(lambda o: orgs[o.buyer_id].buyer_type.value if orgs[o.buyer_id].buyer_type
                                  else "firm")
        cleared = defaultdict(lambda: Decimal("0.00"))
        for order in counted:
            for line, part in line_values(order):
                product = products[line.product_id]
                if product.stranded_since is not None and product.stranded_since <= order.placed_on:
                    cleared[(counties[order.county_id], order.placed_on.strftime("%Y-%m"))] += part
        assert {(r["county"], r["month"]): r["amount"] for r in queries.cleared_by_county_month()} == dict(cleared)
        sold = {line.product_id for o in counted for line in lines[o.id]}
        assert queries.households_reached() == sum(products[p].households_linked for p in sold)

        # a pledge limited to a county and a category, recounted line by line
        firm_id = next(o.buyer_id for o in firms)
        from market.catalog.models import Category
        from market.pledges.queries import pledges_with_progress

        category = Category.VEGETABLES
        db.session.add(Pledge(firm_id=firm_id, amount=Decimal("100000"), mode="buy_instead_of_donate",
                              start_date=date(2020, 3, 1), end_date=date(2020, 9, 30),
                              county_id=next(k for k, v in counties.items() if v == "qingyuan"), category=category,
                              status=PledgeStatus.CONFIRMED))
        db.session.commit()
        expected = sum((part for o in firms if o.buyer_id == firm_id
                        and date(2020, 3, 1) <= o.placed_on <= date(2020, 9, 30) and counties[o.county_id] == "qingyuan"
                        for line, part in line_values(o) if products[line.product_id].category == category),
                       Decimal("0.00"))
        assert pledges_with_progress(firm_id=firm_id)[0].fulfilled == expected
