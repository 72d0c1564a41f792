"""Counting by channel (issue 18, counting): canteen, staff purchase round, agreement delivery, firm; staff
purchases kept apart from the reserved share and shown beside the canteen's buying everywhere totals are shown."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.factories import act_on_order, make_product, user_by_email

UNIT = "village-unit@example.com"
#: What each counted channel adds up to in `world` (the staff round from Qingyuan is ¥100 less a ¥40 refund; the
#: staff round that is not paid and accepted counts nowhere).
EXPECTED = {"canteen": Decimal("300.00"), "staff_round": Decimal("560.00"), "agreement": Decimal("300.00"),
            "firm": Decimal("400.00")}
TOTAL = sum(EXPECTED.values())


def _place(app, db, email, product_id, quantity, token, source):
    from market.orders import operations as ops
    from market.orders.models import Order

    with app.app_context(), app.test_request_context("/"):
        person = user_by_email(db, email)
        bulk, _ = ops.place_order(person.organisation, person, [ops.LineRequest(product_id, quantity)], token,
                                  source=source)
        db.session.commit()
        return db.session.scalar(select(Order.id).where(Order.bulk_order_id == bulk.id))


def _count(app, db, people, order_id, buyer_email, supplier):
    """Confirm, ship, accept and pay: the order now counts."""
    from market.i18n import local_today
    from market.orders.models import Order
    from market.payments.operations import record_offline_payment

    for step in ("confirm", "ship"):
        act_on_order(app, db, people[supplier], order_id, step, {"carrier": "x"})
    act_on_order(app, db, buyer_email, order_id, "accept")
    with app.app_context(), app.test_request_context("/"):
        record_offline_payment(db.session.get(Order, order_id), user_by_email(db, people[supplier]),
                               method="bank_transfer", reference="BANK", received_on=local_today())
        db.session.commit()


@pytest.fixture()
def world(app, db, people, factory):
    """A village-stationed unit of the government system (paired with Xinbin, assisting Laocheng Village, whose
    supplier is supplier_xinbin) with a counted order of each of its channels, a staff round placed but not
    counted, a staff round from Qingyuan partly refunded, a firm's order (placed as an agreement's, still the
    firm's channel) and buyer_party's canteen order."""
    from market.orders.models import OrderSource
    from market.pairing.models import VillagePairing
    from market.payments.models import Payment, Refund, RefundState
    from market.regions.models import Village

    with app.app_context():
        unit = factory.organisation(kind="buyer", name="Village unit", buyer_system="government",
                                    buyer_type="village_unit")
        factory.make_user(unit, email=UNIT, role="manager")
        village = db.session.scalar(select(Village).where(Village.code == "yongling-laocheng"))
        db.session.add(VillagePairing(buyer=unit, village=village, valid_from=date(2020, 1, 1)))
        supplier = user_by_email(db, people["supplier_xinbin"]).organisation
        supplier.village_id = village.id
        db.session.commit()
        unit_id = unit.id
    xinbin = make_product(app, db, people, "supplier_xinbin", stock="1000", price=Decimal("100.00"))
    qingyuan = make_product(app, db, people, "supplier_qingyuan", stock="1000", price=Decimal("100.00"))
    orders = {
        "canteen": _place(app, db, UNIT, xinbin, "2", "a", OrderSource.CART),
        "agreement": _place(app, db, UNIT, xinbin, "3", "b", OrderSource.AGREEMENT),
        "staff_round": _place(app, db, UNIT, xinbin, "5", "c", OrderSource.STAFF_ROUND),
        "staff_qingyuan": _place(app, db, UNIT, qingyuan, "1", "d", OrderSource.STAFF_ROUND),
        "firm": _place(app, db, people["firm"], xinbin, "4", "e", OrderSource.AGREEMENT),
        "party": _place(app, db, people["buyer_party"], qingyuan, "1", "f", OrderSource.CART),
    }
    uncounted = _place(app, db, UNIT, xinbin, "7", "g", OrderSource.STAFF_ROUND)
    act_on_order(app, db, people["supplier_xinbin"], uncounted, "confirm")  # confirmed, never paid or accepted
    buyers = {"firm": people["firm"], "party": people["buyer_party"]}
    for key, order_id in orders.items():
        supplier = "supplier_qingyuan" if key in ("staff_qingyuan", "party") else "supplier_xinbin"
        _count(app, db, people, order_id, buyers.get(key, UNIT), supplier)
    with app.app_context():
        payment = db.session.scalar(select(Payment).where(Payment.order_id == orders["staff_qingyuan"]))
        db.session.add(Refund(payment_id=payment.id, amount=Decimal("40.00"), state=RefundState.SUCCEEDED,
                              key="r-staff"))
        db.session.add(Refund(payment_id=payment.id, amount=Decimal("30.00"), state=RefundState.FAILED,
                              key="r-failed"))
        db.session.commit()
    return {"unit_id": unit_id, "orders": orders, "uncounted": uncounted}


def _english(client):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_channel_of_names_each_counted_order_once(app, db, world):
    from market.accounts.models import Organisation
    from market.orders.channels import channel_of
    from market.orders.models import Order

    with app.app_context():
        got = dict(db.session.execute(select(Order.id, channel_of(Order, Organisation))
                                      .join(Organisation, Organisation.id == Order.buyer_id)).all())
    orders = world["orders"]
    assert got[orders["canteen"]] == got[orders["party"]] == "canteen"
    assert got[orders["agreement"]] == "agreement"
    assert got[orders["staff_round"]] == got[orders["staff_qingyuan"]] == got[world["uncounted"]] == "staff_round"
    assert got[orders["firm"]] == "firm"  # a firm's order is the firm's channel whatever its source


def test_totals_by_channel_list_the_four_channels_and_every_grouping_adds_up(app, db, world):
    from market.reports import queries

    with app.app_context(), app.test_request_context("/"):
        result = queries.totals("channel")
        assert [i["key"] for i in result["items"]] == ["canteen", "staff_round", "agreement", "firm"]
        assert {i["key"]: i["amount"] for i in result["items"]} == EXPECTED
        assert {i["key"]: i["orders"] for i in result["items"]} == {"canteen": 2, "staff_round": 2,
                                                                    "agreement": 1, "firm": 1}
        for by in queries.GROUPINGS:
            if by != "firm":
                assert queries.totals(by)["total_amount"] == TOTAL, by
        split = queries.totals("county", split=True)
        assert split["channel_totals"] == EXPECTED and split["total_amount"] == TOTAL
        xinbin = next(i for i in split["items"] if i["key"] == "xinbin")
        assert xinbin["channels"] == {"canteen": Decimal("200.00"), "staff_round": Decimal("500.00"),
                                      "agreement": Decimal("300.00"), "firm": Decimal("400.00")}
        government = next(r for r in queries.system_pairs() if r["system"].value == "government")
        assert government["amount"] == Decimal("1060.00") and government["staff_amount"] == Decimal("560.00")
        assert government["paired_amount"] == Decimal("1000.00")
        assert government["paired_staff_amount"] == Decimal("500.00")
        village = next(r for r in queries.canteen_types() if r["key"] == "village_unit")
        assert village["staff_amount"] == Decimal("560.00")


def test_every_channel_is_listed_even_when_nothing_counted(app, db):
    from market.reports import queries

    with app.app_context(), app.test_request_context("/"):
        result = queries.totals("channel")
    assert [(i["key"], i["amount"], i["orders"]) for i in result["items"]] == [
        (key, Decimal("0.00"), 0) for key in ("canteen", "staff_round", "agreement", "firm")]
    assert result["total_amount"] == Decimal("0.00")


def test_the_api_gives_totals_by_channel(app, db, people, world):
    from tests.conftest import bearer_headers

    client = app.test_client()
    body = client.get("/api/v1/reports/totals?by=channel",
                      headers={**bearer_headers(app, people["city"]), "Accept-Language": "en"}).get_json()
    assert body["by"] == "channel"
    assert [(i["key"], i["amount"], i["label"]) for i in body["items"]] == [
        ("canteen", "300.00", "Canteen"), ("staff_round", "560.00", "Staff purchases"),
        ("agreement", "300.00", "Supply agreements"), ("firm", "400.00", "Private firms")]
    assert body["total_amount"] == "1560.00"
    for by in ("county", "system", "month", "category"):
        other = client.get(f"/api/v1/reports/totals?by={by}", headers=bearer_headers(app, people["city"]))
        assert other.get_json()["total_amount"] == "1560.00", by
    spec = client.get("/api/v1/openapi.json").get_json()
    params = spec["paths"]["/api/v1/reports/totals"]["get"]["parameters"]
    assert "channel" in params[0]["schema"]["enum"]


def test_the_reserved_share_counts_the_canteen_and_shows_staff_purchases_beside(app, db, people, world):
    from market.i18n import local_today
    from market.shares import operations as ops
    from market.shares.queries import share_progress, shares_with_progress
    from tests.conftest import bearer_headers, sign_in

    year = local_today().year
    with app.app_context(), app.test_request_context("/"):
        person = user_by_email(db, UNIT)
        decl = ops.declare_reserved_share(person.organisation, person, year=year, mode="own", spending="10000",
                                          percent="15")
        db.session.commit()
        progress = share_progress(decl)
        # the canteen's buying and its agreement's delivery; neither staff round (counted or not)
        assert progress["bought"] == Decimal("500.00") and progress["staff"] == Decimal("560.00")
        assert progress["percent"] == Decimal("33.3")
        listed = next(p for p in shares_with_progress(year) if p["declaration"].buyer_id == world["unit_id"])
        assert (listed["bought"], listed["staff"]) == (Decimal("500.00"), Decimal("560.00"))
    client = _english(app.test_client())
    sign_in(client, UNIT)
    html = client.get(f"/orders/reserved-share?year={year}").get_data(as_text=True)
    assert "¥500.00" in html and "¥560.00" in html and "Staff purchases (not counted here)" in html
    assert "staff purchase rounds are shown beside, not counted in it" in html
    api = app.test_client().get(f"/api/v1/reserved-shares?year={year}", headers=bearer_headers(app, UNIT))
    item = api.get_json()["items"][0]
    assert (item["counted_amount"], item["staff_purchases_amount"]) == ("500.00", "560.00")


def test_the_pairing_tally_counts_staff_purchases_apart(app, db, people, world):
    from market.tallies import queries
    from tests.conftest import sign_in

    with app.app_context(), app.test_request_context("/"):
        rows = queries.pair_tallies(buyer_id=world["unit_id"])
        assert sum((r["amount"] for r in rows), Decimal("0.00")) == Decimal("1000.00")  # Xinbin only, counted only
        parts = {c: sum((r["channels"][c] for r in rows), Decimal("0.00")) for c in rows[0]["channels"]}
        assert parts == {"canteen": Decimal("200.00"), "staff_round": Decimal("500.00"),
                         "agreement": Decimal("300.00")}
        mine = queries.unit_channels(world["unit_id"], village_id=_village_id(app, db))
        staff = next(r for r in mine["rows"] if r["channel"].value == "staff_round")
        assert (staff["amount"], staff["paired"], staff["village"], staff["orders"]) == (
            Decimal("560.00"), Decimal("500.00"), Decimal("500.00"), 2)
        assert mine["total"]["amount"] == Decimal("1060.00") and mine["total"]["village"] == Decimal("1000.00")
        city_rows = queries.system_month_totals(queries.pair_tallies())
        government = [t for t in city_rows if t["system"].value == "government"]
        assert sum(t["channels"]["staff_round"] for t in government) == Decimal("500.00")
    client = _english(app.test_client())
    sign_in(client, UNIT)
    html = client.get("/pairing/tallies").get_data(as_text=True)
    assert "What your unit bought and counted, by channel" in html and "Laocheng Village" in html
    assert "¥560.00" in html and "¥1,060.00" in html and "Staff purchases" in html
    assert "Only paid and accepted orders count." in html
    assert "¥700.00" not in html  # the staff round not yet paid and accepted


def _village_id(app, db):
    from market.regions.models import Village

    return db.session.scalar(select(Village.id).where(Village.code == "yongling-laocheng"))


def test_the_city_page_shows_channels_side_by_side(app, db, people, world, login):
    client = _english(login("city", app.test_client()))
    html = client.get("/reports/city").get_data(as_text=True)
    by_channel = html.split("By channel")[1].split("</section>")[0]
    for amount in ("¥300.00", "¥560.00", "¥400.00", "¥1,560.00"):
        assert amount in by_channel
    assert "Only paid and accepted orders count." in by_channel
    assert 'data-label="Staff purchases"' in html and "of which staff purchases" in html
    assert "Staff purchases (not counted here)" in html
    assert "¥700.00" not in html and "¥2,260.00" not in html


def test_the_county_office_sees_purchases_from_its_county_by_channel(app, db, people, world, login):
    client = _english(login("county_xinbin", app.test_client()))
    assert "/reports/county" in client.get("/").get_data(as_text=True)
    html = client.get("/reports/county").get_data(as_text=True)
    by_channel = html.split("By channel")[1].split("</section>")[0]
    for amount in ("¥200.00", "¥500.00", "¥300.00", "¥400.00", "¥1,400.00"):
        assert amount in by_channel
    assert "¥60.00" not in html  # the staff round from Qingyuan is not Xinbin's
    assert "paid and accepted" in html
    assert login("buyer_party", app.test_client()).get("/reports/county").status_code == 403
    assert client.get("/reports/county?year=99999999999999999999").status_code == 404  # bounded, never a 500
    assert "¥0.00" in client.get("/reports/county?year=2019").get_data(as_text=True)


def test_staff_purchases_count_for_households_reached_and_produce_cleared(app, db, people):
    """Households reached and stranded produce cleared count every channel, staff purchase rounds included."""
    from market.orders.models import OrderSource
    from market.reports import queries
    from tests.factories import stranded_product

    fungus = stranded_product(app, db, people, "stranded fungus", households_linked=7, price=Decimal("50.00"),
                              stock="100")
    order_id = _place(app, db, people["buyer_party"], fungus, "2", "s", OrderSource.STAFF_ROUND)
    with app.app_context(), app.test_request_context("/"):
        assert queries.households_reached() == 0  # not counted yet
    _count(app, db, people, order_id, people["buyer_party"], "supplier_qingyuan")
    with app.app_context(), app.test_request_context("/"):
        assert queries.households_reached() == 7
        assert sum(r["amount"] for r in queries.cleared_by_county_month()) == Decimal("100.00")
        assert {i["key"]: i["amount"] for i in queries.totals("channel")["items"]}["staff_round"] == Decimal("100.00")


def test_the_city_office_tallies_show_the_channels(app, db, people, world, login):
    html = _english(login("city", app.test_client())).get("/pairing/tallies").get_data(as_text=True)
    systems = html.split('class="tally-systems"')[1].split("</table>")[0]
    assert "Staff purchases" in systems and "¥500.00" in systems and "¥1,000.00" in systems
    assert "What your unit bought" not in html
