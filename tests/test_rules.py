"""Rules that live in the operation, so the pages, the API and the command line cannot skip them (issue 14).

Each test reaches the rule through a path that used to skip it: the operation called directly, the API, or a
page that did not check it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import bearer_headers as _token, post_form
from tests.factories import PRODUCT, product_fields as _product_fields


def _count_products(app, db) -> int:
    from market.catalog.models import Product

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Product))


# --- a validity date needs an identification number -------------------------------------------------------------------


def test_the_operation_refuses_a_validity_date_without_an_identification_number(app, db, factory):
    from market.catalog import operations as ops
    from market.rules import RuleError

    with app.app_context(), app.test_request_context("/"):
        supplier = factory.organisation(kind="supplier")
        person = factory.make_user(supplier)
        with pytest.raises(RuleError) as refused:
            ops.create_product(supplier, person, _product_fields(identification_valid_until="2099-12-31"),
                               Decimal("0"))
        assert refused.value.field == "identification_valid_until"
        product = ops.create_product(supplier, person, _product_fields(identification_number="辽扶认001"),
                                     Decimal("0"))
        with pytest.raises(RuleError) as refused:
            ops.update_product(product, person, {"identification_number": None,
                                                 "identification_valid_until": "2099-12-31"})
        assert refused.value.field == "identification_valid_until"


def test_the_api_refuses_a_validity_date_without_an_identification_number(app, db, people):
    client, headers = app.test_client(), _token(app, people["supplier_qingyuan"])
    body = {"name": "椴树蜜", "category": "forest_mountain", "unit": "bottle", "price": 39,
            "identification_valid_until": "2099-12-31"}
    response = client.post("/api/v1/products", json=body, headers=headers)
    assert response.status_code == 422, response.json
    assert "identification_valid_until" in response.json["errors"]
    assert _count_products(app, db) == 0

    created = client.post("/api/v1/products", json=dict(body, identification_valid_until=None), headers=headers)
    assert created.status_code == 201, created.json
    response = client.patch(f"/api/v1/products/{created.json['id']}",
                            json={"identification_valid_until": "2099-12-31"}, headers=headers)
    assert response.status_code == 422, response.json
    assert "identification_valid_until" in response.json["errors"]
    # With its number, the same date is fine.
    response = client.patch(f"/api/v1/products/{created.json['id']}", headers=headers,
                            json={"identification_number": "辽扶认001", "identification_valid_until": "2099-12-31"})
    assert response.status_code == 200, response.json


def test_the_form_shows_the_operations_message_beside_the_validity_date(app, db, client, login):
    login("supplier_qingyuan")
    response = post_form(client, "/catalog/mine/new", dict(PRODUCT, identification_valid_until="2099-12-31"))
    assert response.status_code == 302 and response.headers["Location"] == "/catalog/mine/new"
    html = client.get("/catalog/mine/new").get_data(as_text=True)  # back on the form, with what was typed
    assert 'id="identification_valid_until-error"' in html
    assert "请同时填写认定编号" in html
    assert f'value="{PRODUCT["name"]}"' in html and 'value="2099-12-31"' in html
    assert _count_products(app, db) == 0
    # Taken once: the form opened again later is empty.
    assert f'value="{PRODUCT["name"]}"' not in client.get("/catalog/mine/new").get_data(as_text=True)


def test_the_form_and_the_api_read_one_table_of_product_limits(app):
    """The form's lengths come from the catalog's table; the API has no reader of its own: a field past its
    limit is refused by the catalog's rule, with the rule's message, all bad fields at once."""
    from market.api.parsing import product_payload
    from market.catalog import rules as product_rules
    from market.catalog.forms import ProductForm
    from market.problems import ApiProblem

    too_long = {name: "x" * (limit + 1) for name, limit in product_rules.PRODUCT_TEXT_LIMITS.items()}
    for name, limit in product_rules.PRODUCT_TEXT_LIMITS.items():
        lengths = [v.max for v in getattr(ProductForm, name).kwargs["validators"] if hasattr(v, "max")]
        assert lengths == [limit], name
    low, high = product_rules.SHELF_LIFE_DAYS
    assert (low, high) == (1, 3650)
    with app.test_request_context(), pytest.raises(ApiProblem) as refused:
        product_payload({**too_long, "shelf_life_days": high + 1}, create=False)
    assert set(refused.value.errors) == {*too_long, "shelf_life_days"}
    with app.test_request_context():
        assert product_payload({"shelf_life_days": high, "name": "x" * 120}, create=False)[0]["shelf_life_days"] == high


# --- a supplier must be approved to list ----------------------------------------------------------------------------


@pytest.mark.parametrize("status", ["pending", "suspended"])
def test_only_an_approved_supplier_lists_even_when_the_operation_is_called_directly(app, db, factory, status):
    from market.catalog import operations as ops
    from market.rules import RuleError

    with app.app_context(), app.test_request_context("/"):
        supplier = factory.organisation(kind="supplier", status=status)
        person = factory.make_user(supplier)
        with pytest.raises(RuleError):
            ops.create_product(supplier, person, _product_fields(), Decimal("5"))
    assert _count_products(app, db) == 0


# --- who declares a reserved share, and its floor -------------------------------------------------------------------


def _declare(app, db, email: str, percent: str):
    from market.accounts.models import User
    from market.shares import operations as ops

    with app.app_context(), app.test_request_context("/"):
        person = db.session.scalar(select(User).where(User.email == email))
        decl = ops.declare_reserved_share(person.organisation, person, year=2020, mode="own",
                                          spending="1000000", percent=percent)
        db.session.commit()
        return decl.share_percent


def test_the_operation_refuses_a_member_who_is_not_a_manager(app, db, people, factory):
    from market.accounts.models import User
    from market.orders.operations import WrongParty

    with app.app_context():
        org = db.session.scalar(select(User).where(User.email == people["buyer_party"])).organisation
        factory.make_user(org, email="member@example.com", role="member")
        db.session.commit()
    with pytest.raises(WrongParty):
        _declare(app, db, "member@example.com", "15")
    assert _declare(app, db, people["buyer_party"], "15") == Decimal("15")
    with pytest.raises(WrongParty):  # a re-declaration as well
        _declare(app, db, "member@example.com", "20")


def test_the_operation_reads_the_floor_from_the_configuration(app, db, people, client, login, monkeypatch):
    from market.orders.operations import OrderError

    monkeypatch.setitem(app.config, "RESERVED_SHARE_FLOOR", "20")
    with pytest.raises(OrderError) as refused:
        _declare(app, db, people["buyer_party"], "15")
    assert refused.value.field == "share_percent"
    # The page shows the operation's message beside the share.
    login("buyer_party")
    response = post_form(client, "/orders/reserved-share?year=2020", {
        "year": "2020", "canteen_mode": "own", "canteen_spending": "1000000", "share_percent": "15"},
        follow_redirects=True)
    assert response.status_code == 200
    assert 'id="share_percent-error"' in response.get_data(as_text=True)
    assert _declare(app, db, people["buyer_party"], "20") == Decimal("20")


# --- which kinds register themselves --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["county_office", "city_office"])
def test_the_register_operation_refuses_an_office(app, db, client, kind):
    from market.accounts import operations as accounts
    from market.accounts.models import OrgKind, User

    with app.app_context(), app.test_request_context("/"):
        with pytest.raises(accounts.AccountError) as refused:
            accounts.register(org_fields={"name": "冒充的县商务局", "kind": OrgKind(kind), "county": None},
                              email="office@example.com", name="冒充者", password="a-long-password")
        assert refused.value.field == "kind"
        db.session.rollback()
        assert db.session.scalar(select(User.id).where(User.email == "office@example.com")) is None
    # The page offers only the kinds that may register, and refuses the others.
    html = client.get("/register").get_data(as_text=True)
    assert f'value="{kind}"' not in html
    response = post_form(client, "/register", {"kind": kind, "organisation_name": "冒充的县商务局",
                                                "county": "qingyuan", "name": "冒充者",
                                                "email": "office@example.com", "password": "a-long-password",
                                                "password_again": "a-long-password"})
    assert response.status_code in (200, 400)
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.email == "office@example.com")) is None


# --- a new order's supplier is told by the operation, in its transaction (the message centre, issue 17) ----------


def _told_of_new_orders(app, db, people) -> list[str]:
    """The references in the supplier's new-order messages."""
    import json

    from market.accounts.models import User
    from market.notifications.models import Notification

    with app.app_context():
        return [json.loads(params)["reference"] for params in db.session.scalars(
            select(Notification.params).join(User, User.id == Notification.recipient_id)
            .where(Notification.kind == "order.placed", User.email == people["supplier_qingyuan"]))]


def test_an_order_from_a_demand_notifies_its_supplier(app, db, people, client, login):
    from datetime import timedelta

    from market.i18n import local_today
    from market.orders.models import Order
    from tests.factories import make_product

    today = local_today()
    product = make_product(app, db, people, name="黑木耳", stock="800")
    login("buyer_party")
    response = post_form(client, "/demands/", {"product_name": "", "category": "edible_fungi", "quantity": "200",
                                               "unit": "kg", "wanted_by": (today + timedelta(days=14)).isoformat(),
                                               "expected_price": "70", "delivery_place": "市委机关食堂"})
    assert response.status_code == 302
    demand_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])
    response = post_form(client, f"/demands/{demand_id}/order/{product}", {"quantity": "200"},
                         token_from=f"/demands/{demand_id}")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with app.app_context():
        order = db.session.scalar(select(Order))
        assert order.demand_id == demand_id
        reference = order.reference
    assert _told_of_new_orders(app, db, people) == [reference]


def test_an_order_over_the_api_notifies_its_supplier_once(app, db, people):
    from tests.factories import make_product

    product = make_product(app, db, people, stock="100")
    client, headers = app.test_client(), _token(app, people["buyer_party"])
    body = {"client_token": "api-mail-1", "lines": [{"product_id": product, "quantity": "2"}]}
    assert client.post("/api/v1/orders", json=body, headers=headers).status_code == 201
    assert client.post("/api/v1/orders", json=body, headers=headers).status_code == 200  # the same token
    assert len(_told_of_new_orders(app, db, people)) == 1


def test_a_rolled_back_placement_tells_no_one(app, db, people):
    from market.accounts.models import User
    from market.orders import operations as ops
    from tests.factories import make_product

    product = make_product(app, db, people, stock="100")
    with app.app_context(), app.test_request_context("/"):
        buyer = db.session.scalar(select(User).where(User.email == people["buyer_party"]))
        ops.place_order(buyer.organisation, buyer, [ops.LineRequest(product, "2")], "rolled-back")
        db.session.rollback()
    assert _told_of_new_orders(app, db, people) == []
    with app.app_context(), app.test_request_context("/"):
        buyer = db.session.scalar(select(User).where(User.email == people["buyer_party"]))
        ops.place_order(buyer.organisation, buyer, [ops.LineRequest(product, "2")], "committed")
        db.session.commit()
    assert len(_told_of_new_orders(app, db, people)) == 1


# --- a token's last use is recorded for reads too -------------------------------------------------------------------


def _forget_last_use(app, db):
    from market.accounts.models import ApiToken

    with app.app_context():
        for token in db.session.scalars(select(ApiToken)):
            token.last_used_at = None
        db.session.commit()


def _last_uses(app, db) -> list:
    from market.accounts.models import ApiToken

    with app.app_context():
        return list(db.session.scalars(select(ApiToken.last_used_at)))


def test_a_get_with_a_token_records_its_last_use(app, db, people):
    client, headers = app.test_client(), _token(app, people["buyer_party"])
    _forget_last_use(app, db)
    # A failed request changes nothing, its token's last use included.
    assert client.get("/api/v1/products/2000000000", headers=headers).status_code == 404
    assert _last_uses(app, db) == [None]
    assert client.get("/api/v1/orders", headers=headers).status_code == 200
    [used] = _last_uses(app, db)
    assert used is not None
    # Throttled: a second read soon after does not write again.
    assert client.get("/api/v1/orders", headers=headers).status_code == 200
    assert _last_uses(app, db) == [used]
