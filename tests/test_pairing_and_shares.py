"""Pairing rules as dated data the city office edits, and the reserved-share declarations."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import post_form, sign_in
from tests.factories import user_by_email as _user


def test_the_city_office_adds_a_dated_pairing_and_keeps_the_history(app, db, people, client, login):
    from market.accounts.models import BuyerSystem
    from market.i18n import local_today
    from market.pairing.queries import paired_county

    login("city")
    start = local_today() + timedelta(days=30)
    response = post_form(client, "/pairing/", {"which": "system", "system-system": "party", "system-county": "xinfu",
                                               "system-valid_from": start.isoformat(), "system-note": "2021年调整"})
    assert response.status_code == 302
    with app.app_context():
        assert paired_county(BuyerSystem.PARTY).code == "qingyuan"  # still today
        assert paired_county(BuyerSystem.PARTY, start).code == "xinfu"  # from its date on
        assert paired_county(BuyerSystem.PARTY, date(2020, 6, 1)).code == "qingyuan"
    html = client.get("/pairing/").get_data(as_text=True)
    assert "2021年调整" in html and "抚脱贫发〔2020〕3号" in html and "未生效" in html
    # the same system and date again is refused and changes nothing; the form comes back as it was typed
    response = post_form(client, "/pairing/", {"which": "system", "system-system": "party", "system-county": "wanghua",
                                               "system-valid_from": start.isoformat(), "system-note": "重复"},
                         follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "该系统在这一天已有对口关系" in html
    assert '<option selected value="wanghua">' in html and 'value="重复"' in html
    with app.app_context():
        assert paired_county(BuyerSystem.PARTY, start).code == "xinfu"


def test_the_same_pairing_added_twenty_times_at_once_is_one_pairing_and_no_error(app, db, people, login):
    from market.accounts.models import BuyerSystem
    from market.i18n import local_today
    from market.pairing.models import SystemPairing
    from tests.conftest import csrf_token, run_together

    start = (local_today() + timedelta(days=40)).isoformat()
    clients = [login("city", app.test_client()) for _ in range(20)]
    forms = [{"which": "system", "system-system": "npc", "system-county": "xinfu", "system-valid_from": start,
              "csrf_token": csrf_token(c, "/pairing/")} for c in clients]
    codes = run_together([lambda c=c, f=f: c.post("/pairing/", data=f).status_code for c, f in zip(clients, forms)])
    assert codes == [302] * 20, codes  # one added, the others sent back with why: never a 500
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SystemPairing).where(
            SystemPairing.system == BuyerSystem.NPC, SystemPairing.valid_from == date.fromisoformat(start))) == 1


def test_a_new_pairing_changes_where_a_buyer_buys_first_from_its_date(app, db, people):
    from market.accounts.models import BuyerSystem
    from market.pairing import operations
    from market.pairing.queries import county_for_buyer

    with app.app_context(), app.test_request_context("/"):
        operations.add_system_pairing(_user(db, people["city"]), BuyerSystem.PARTY, "xinfu", date(2020, 2, 1), None)
        db.session.commit()
        buyer = _user(db, people["buyer_party"]).organisation
        assert county_for_buyer(buyer, date(2020, 1, 15)).code == "qingyuan"
        assert county_for_buyer(buyer, date(2020, 2, 1)).code == "xinfu"


def test_village_units_are_paired_with_villages(app, db, people, factory, client, login):
    from market.pairing.queries import paired_village
    from market.regions.models import Village

    with app.app_context():
        unit = factory.organisation(kind="buyer", buyer_system="government", buyer_type="village_unit",
                                    name="驻村工作队")
        village_id = db.session.scalar(select(Village.id).where(Village.code == "yongling-laocheng"))
        db.session.commit()
        unit_id = unit.id
    login("city")
    response = post_form(client, "/pairing/", {"which": "village", "village-buyer": unit_id,
                                               "village-village": village_id, "village-valid_from": "2020-03-01"})
    assert response.status_code == 302
    with app.app_context():
        from market.accounts.models import Organisation

        assert paired_village(db.session.get(Organisation, unit_id), date(2020, 4, 1)).id == village_id
    # an ordinary canteen cannot be paired with a village: the operation says so (the list offers only units)
    with app.app_context():
        canteen_id = _user(db, people["buyer_party"]).organisation_id
    response = post_form(client, "/pairing/", {"which": "village", "village-buyer": canteen_id,
                                               "village-village": village_id, "village-valid_from": "2020-05-01"},
                         follow_redirects=True)
    assert "只有驻村扶贫单位才能与村对口" in response.get_data(as_text=True)
    with app.app_context():
        from market.pairing.models import VillagePairing

        assert db.session.scalar(select(func.count()).select_from(VillagePairing)
                                 .where(VillagePairing.buyer_id == canteen_id)) == 0


def test_a_county_that_is_not_the_citys_is_refused_by_the_operation(app, db, people, client, login):
    """The county list is the form's; which county may be paired is the operation's rule, said beside the field."""
    from market.pairing.models import SystemPairing

    login("city")
    with client.session_transaction() as session:
        session["locale"] = "en"
    response = post_form(client, "/pairing/", {"which": "system", "system-system": "npc", "system-county": "atlantis",
                                               "system-valid_from": "2031-01-01", "system-note": "typed"},
                         follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Choose a county from the list." in html and 'value="typed"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SystemPairing)
                                 .where(SystemPairing.valid_from == date(2031, 1, 1))) == 0


@pytest.mark.parametrize("role", ["buyer_party", "county_qingyuan", "federation"])
def test_only_the_city_office_adds_pairings_whoever_calls_the_operation(app, db, people, role):
    from market.accounts.models import BuyerSystem
    from market.pairing import operations
    from market.rules import RuleError

    with app.app_context(), app.test_request_context("/"):
        with pytest.raises(RuleError):
            operations.add_system_pairing(_user(db, people[role]), BuyerSystem.PARTY, "xinfu", date(2031, 1, 1), None)
        db.session.rollback()


@pytest.mark.parametrize("role", ["buyer_party", "county_qingyuan", "supplier_qingyuan", "federation", "firm"])
def test_only_the_city_office_edits_pairings(app, client, login, role):
    login(role)
    assert client.get("/pairing/").status_code == 403
    response = post_form(client, "/pairing/", {"which": "system", "system-system": "party", "system-county": "xinfu",
                                               "system-valid_from": "2030-01-01"}, token_from="/")
    assert response.status_code == 403


# --- reserved share --------------------------------------------------------------------------------------------


def _declare(client, **data):
    payload = {"year": "2020", "canteen_mode": "own", "canteen_spending": "1000000", "share_percent": "15"}
    payload.update(data)
    return post_form(client, "/orders/reserved-share?year=2020", payload)


def test_a_unit_declares_its_reserved_share_and_sees_progress(app, db, people, client, login):
    login("buyer_party")
    assert _declare(client).status_code == 302
    html = client.get("/orders/reserved-share?year=2020").get_data(as_text=True)
    assert "¥150,000.00" in html and "只计入已付款且经采购方验收的订单" in html
    city = login("city", app.test_client())
    assert "buyer_party org" in city.get("/orders/reserved-share?year=2020").get_data(as_text=True)


@pytest.mark.parametrize(
    "data, message",
    [({"share_percent": "9.9"}, "不能低于 10%"), ({"share_percent": "101"}, "不能超过100%"),
     ({"canteen_spending": "-5"}, "必须大于零"), ({"canteen_spending": "1.005"}, "最多两位小数"),
     ({"canteen_mode": "outsourced", "contractor_name": ""}, "请填写食堂承包方"),
     ({"canteen_mode": "shared"}, "请选择共用食堂的单位")],
)
def test_bad_declarations_are_refused(app, db, people, client, login, data, message):
    from market.shares.models import ReservedShare

    login("buyer_party")
    response = _declare(client, **data)
    # The operation refuses: the browser goes back to the form, with the message and what was typed.
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert message in html
    for field in ("canteen_spending", "share_percent"):
        if data.get(field):
            assert f'value="{data[field]}"' in html
    with app.app_context():
        assert db.session.scalar(select(ReservedShare)) is None


def test_a_unit_without_a_canteen_reserves_nothing(app, db, people, client, login):
    from market.shares.models import ReservedShare

    login("buyer_party")
    assert _declare(client, canteen_mode="none", canteen_spending="", share_percent="").status_code == 302
    with app.app_context():
        decl = db.session.scalar(select(ReservedShare))
        assert decl.reserved_amount == Decimal("0.00")


def test_a_shared_canteen_declaration_counts_the_purchases_of_every_unit_it_covers(app, db, people, client, login):
    from market.orders.models import Order, PaymentStatus
    from market.shares.queries import declaration, share_progress
    from tests.factories import make_product
    from tests.factories import act_on_order as _act, orders_of_bulk as _orders_of_bulk, place_order as _place

    with app.app_context():
        school_id = _user(db, people["buyer_school"]).organisation_id
    login("buyer_party")
    assert _declare(client, canteen_mode="shared", covered_units=str(school_id)).status_code == 302
    with app.app_context():  # the covered unit accepts (until then nothing of it counts)
        from market.shares import operations as share_ops
        from market.shares.models import ShareCoverage

        school_manager = _user(db, people["buyer_school"])
        share_ops.answer_coverage(school_manager.organisation, school_manager,
                                  db.session.scalar(select(ShareCoverage.id)), accept=True)
        db.session.commit()
    product = make_product(app, db, people, stock="100", price=Decimal("10.00"))
    bulk, _ = _place(app, db, people["buyer_school"], [(product, "5")])
    order_id = _orders_of_bulk(app, db, bulk)[0]
    with app.app_context():
        order = db.session.get(Order, order_id)
        order.placed_on = date(2020, 5, 1)
        db.session.commit()
    for step in ("confirm", "ship"):
        _act(app, db, people["supplier_qingyuan"], order_id, step, {"carrier": "x"})
    _act(app, db, people["buyer_school"], order_id, "accept")
    with app.app_context():
        decl = declaration(_user(db, people["buyer_party"]).organisation, 2020)
        assert share_progress(decl)["bought"] == Decimal("0.00")  # accepted, not paid
        db.session.get(Order, order_id).payment_status = PaymentStatus.PAID
        db.session.commit()
        assert share_progress(decl)["bought"] == Decimal("50.00")
    school = login("buyer_school", app.test_client())
    assert "buyer_party org" in school.get("/orders/reserved-share?year=2020").get_data(as_text=True)


def test_members_cannot_declare_and_suppliers_have_no_reserved_share(app, db, people, factory, login):
    with app.app_context():
        org = _user(db, people["buyer_party"]).organisation
        factory.make_user(org, email="member@example.com", role="member")
        db.session.commit()
    member = app.test_client()
    sign_in(member, "member@example.com")
    assert _declare(member).status_code == 403
    assert login("supplier_qingyuan", app.test_client()).get("/orders/reserved-share").status_code == 403


def test_an_outsourced_canteens_contractor_orders_for_the_unit_but_manages_nothing(app, db, people, factory):
    from tests.factories import make_product
    from tests.factories import get_order as _order, orders_of_bulk as _orders_of_bulk, place_order as _place

    with app.app_context():
        school = _user(db, people["buyer_school"]).organisation
        factory.make_user(school, email="contractor@example.com", role="contractor")
        db.session.commit()
    product = make_product(app, db, people, stock="10")
    bulk, _ = _place(app, db, "contractor@example.com", [(product, "1")])
    order = _order(app, db, _orders_of_bulk(app, db, bulk)[0])
    with app.app_context():
        assert order.buyer_id == _user(db, people["buyer_school"]).organisation_id
    contractor = app.test_client()
    sign_in(contractor, "contractor@example.com")
    response = post_form(contractor, "/organisation/members", {"name": "x", "email": "x@example.com",
                                                              "role": "manager", "password": "long-password-1"})
    assert response.status_code == 403
