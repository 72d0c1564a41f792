"""The message centre (issue 17): each event writes one message to the right people, in the transaction of the
change (none for a rolled-back change); the list, opening, the header count, the API; the e-mail outbox."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.conftest import bearer_headers, post_form
from tests.factories import act_on_order, make_product, place_order, user_by_email


def _messages(app, db, kind: str | None = None) -> list[tuple[str, str]]:
    """(recipient e-mail, kind) of every message, or of those of `kind`."""
    from market.accounts.models import User
    from market.notifications.models import Notification

    with app.app_context():
        stmt = select(User.email, Notification.kind).join(User, User.id == Notification.recipient_id)
        if kind:
            stmt = stmt.where(Notification.kind == kind)
        return [tuple(row) for row in db.session.execute(stmt.order_by(Notification.id))]


def _told(app, db, kind) -> list[str]:
    return [email for email, _kind in _messages(app, db, kind)]


@pytest.fixture()
def order_id(app, db, people):
    product = make_product(app, db, people, stock="100")
    bulk_id, _ = place_order(app, db, people["buyer_party"], [(product, "2")])
    from tests.factories import orders_of_bulk

    return orders_of_bulk(app, db, bulk_id)[0]


# --- orders --------------------------------------------------------------------------------------------------------


def test_a_placed_order_tells_its_supplier_once(app, db, people, order_id):
    assert _told(app, db, "order.placed") == [people["supplier_qingyuan"]]


@pytest.mark.parametrize("moves, kind, role", [
    ([("supplier_qingyuan", "confirm", {})], "order.confirmed", "buyer_party"),
    ([("supplier_qingyuan", "reject", {"reason": "缺货"})], "order.rejected", "buyer_party"),
    ([("supplier_qingyuan", "confirm", {}), ("supplier_qingyuan", "ship", {"carrier": "自送"})], "order.shipped",
     "buyer_party"),
    ([("supplier_qingyuan", "confirm", {}), ("supplier_qingyuan", "ship", {"carrier": "自送"}),
      ("supplier_qingyuan", "deliver", {})], "order.delivered", "buyer_party"),
    ([("buyer_party", "cancel", {})], "order.cancelled", "supplier_qingyuan"),
    ([("supplier_qingyuan", "confirm", {}), ("supplier_qingyuan", "ship", {"carrier": "自送"}),
      ("buyer_party", "accept", {})], "order.accepted", "supplier_qingyuan"),
    ([("supplier_qingyuan", "confirm", {}), ("supplier_qingyuan", "ship", {"carrier": "自送"}),
      ("buyer_party", "accept", {}), ("buyer_party", "rate", {"rating": "5"})], "order.rated", "supplier_qingyuan"),
])
def test_each_move_of_an_order_tells_the_other_party_once(app, db, people, order_id, moves, kind, role):
    for mover, action, data in moves:
        act_on_order(app, db, people[mover], order_id, action, data)
    assert _told(app, db, kind) == [people[role]]


def test_a_confirmation_with_another_date_tells_the_buyer_of_the_date(app, db, people, order_id):
    from market.i18n import local_today

    day = (local_today() + timedelta(days=6)).isoformat()
    act_on_order(app, db, people["supplier_qingyuan"], order_id, "confirm", {"proposed_delivery_date": day})
    assert _told(app, db, "order.date_proposed") == [people["buyer_party"]]
    assert _told(app, db, "order.confirmed") == []  # one message, the one that says the date


def test_a_refund_tells_the_buyer(app, db, people, order_id):
    from market.orders.models import Order, PaymentStatus
    from market.payments import refunds
    from market.payments.models import Payment, PaymentMethod, PaymentState

    with app.app_context(), app.test_request_context("/"):
        order = db.session.get(Order, order_id)
        payment = Payment(order=order, method=PaymentMethod.CARD, state=PaymentState.SUCCEEDED,
                          amount=order.total_amount, intent_id="pi_n")
        order.payment_status = PaymentStatus.PAID
        db.session.add(payment)
        db.session.flush()
        refund = refunds._reserve_refund(payment, Decimal("10.00"), "少送", None)
        refunds._refund_succeeded(refund, "re_1")
        db.session.commit()
    assert _told(app, db, "order.refunded") == [people["buyer_party"]]


def test_a_rolled_back_change_leaves_no_message(app, db, people):
    from market.notifications.models import Notification
    from market.orders import operations as ops

    product = make_product(app, db, people, stock="100")
    with app.app_context(), app.test_request_context("/"):
        before = db.session.scalar(select(Notification.id).order_by(Notification.id.desc()).limit(1))
        buyer = user_by_email(db, people["buyer_party"])
        ops.place_order(buyer.organisation, buyer, [ops.LineRequest(product, "2")], "rolled-back")
        assert db.session.scalar(select(Notification).where(Notification.kind == "order.placed")) is not None
        db.session.rollback()
        after = db.session.scalar(select(Notification.id).order_by(Notification.id.desc()).limit(1))
    assert after == before and _told(app, db, "order.placed") == []


def test_a_refused_page_request_leaves_no_message(app, db, people, order_id, login):
    client = login("supplier_qingyuan")
    # rejecting without a reason is refused: the request rolls back
    post_form(client, f"/orders/{order_id}/reject", {"reason": ""}, token_from=f"/orders/{order_id}")
    assert _told(app, db, "order.rejected") == []


# --- listings ------------------------------------------------------------------------------------------------------


def test_a_submitted_listing_tells_its_county_office_and_the_review_its_supplier(app, db, people):
    from market.catalog import operations as catalog_ops
    from market.catalog.models import Product

    product_id = make_product(app, db, people, publish=False)
    with app.app_context(), app.test_request_context("/"):
        catalog_ops.submit_product(db.session.get(Product, product_id))
        db.session.commit()
    assert _told(app, db, "listing.submitted") == [people["county_qingyuan"]]
    with app.app_context(), app.test_request_context("/"):
        catalog_ops.review_product(db.session.get(Product, product_id), user_by_email(db, people["county_qingyuan"]),
                                   approve=False, reason="照片不清")
        db.session.commit()
    assert _told(app, db, "listing.returned") == [people["supplier_qingyuan"]]
    with app.app_context(), app.test_request_context("/"):
        product = db.session.get(Product, product_id)
        catalog_ops.submit_product(product)
        catalog_ops.review_product(product, user_by_email(db, people["county_qingyuan"]), approve=True)
        db.session.commit()
    assert _told(app, db, "listing.published") == [people["supplier_qingyuan"]]
    assert _told(app, db, "listing.submitted") == [people["county_qingyuan"]] * 2


# --- registrations -------------------------------------------------------------------------------------------------


def _register(app, db, kind, email, **fields):
    from market.accounts import operations as account_ops
    from market.accounts.models import OrgKind
    from tests.factories import county

    with app.app_context(), app.test_request_context("/"):
        org_fields = {"kind": OrgKind(kind), "name": f"new {kind}", **fields}
        if "county" in org_fields:
            org_fields["county"] = county(org_fields["county"])
        user = account_ops.register(org_fields=org_fields, email=email, name="新人", password="a long password 1")
        db.session.commit()
        return user.organisation_id


@pytest.mark.parametrize("kind, fields, reviewers", [
    ("supplier", {"county": "qingyuan", "supplier_type": "cooperative"}, ["county_qingyuan"]),
    ("buyer", {"buyer_system": "party"}, ["city"]),
    ("firm", {}, ["city", "federation"]),
])
def test_a_registration_tells_who_approves_it(app, db, people, kind, fields, reviewers):
    _register(app, db, kind, "new@example.com", **fields)
    assert sorted(_told(app, db, "registration.received")) == sorted(people[r] for r in reviewers)


@pytest.mark.parametrize("approve, kind", [(True, "registration.approved"), (False, "registration.returned")])
def test_a_reviewed_registration_tells_the_registrant(app, db, people, approve, kind):
    from market.accounts import operations as account_ops
    from market.accounts.models import Organisation

    org_id = _register(app, db, "buyer", "new@example.com", buyer_system="party")
    with app.app_context(), app.test_request_context("/"):
        account_ops.review_organisation(db.session.get(Organisation, org_id), user_by_email(db, people["city"]),
                                        approve=approve, reason=None if approve else "材料不全")
        db.session.commit()
    assert _told(app, db, kind) == ["new@example.com"]


# --- pledges -------------------------------------------------------------------------------------------------------


def test_an_overdue_pledge_tells_the_firm_and_the_federation_once(app, db, people):
    from market.pledges import operations as pledge_ops

    with app.app_context(), app.test_request_context("/"):
        pledge = pledge_ops.make_pledge(user_by_email(db, people["firm"]), amount="1000", mode="buy_instead_of_help",
                                        start_date=date(2020, 1, 1), end_date=date(2020, 6, 30))
        db.session.flush()
        pledge_ops.review_pledge(pledge, user_by_email(db, people["federation"]), confirm=True, reason=None)
        db.session.commit()
    runner = app.test_cli_runner()
    assert "told: 1" in runner.invoke(args=["pledges", "remind-overdue"]).output
    assert "told: 0" in runner.invoke(args=["pledges", "remind-overdue"]).output  # once
    assert _told(app, db, "pledge.overdue") == [people["firm"]]
    assert _told(app, db, "pledge.overdue.federation") == [people["federation"]]


@pytest.mark.parametrize("confirm, kind", [(True, "pledge.confirmed"), (False, "pledge.returned")])
def test_a_pledge_tells_the_federation_and_its_review_the_firm(app, db, people, confirm, kind):
    from market.pledges import operations as pledge_ops

    with app.app_context(), app.test_request_context("/"):
        pledge = pledge_ops.make_pledge(user_by_email(db, people["firm"]), amount="1000", mode="buy_instead_of_help",
                                        start_date=date(2030, 1, 1), end_date=date(2030, 6, 30))
        db.session.commit()
        pledge_id = pledge.id
    assert _told(app, db, "pledge.submitted") == [people["federation"]]
    with app.app_context(), app.test_request_context("/"):
        from market.pledges.models import Pledge

        pledge_ops.review_pledge(db.session.get(Pledge, pledge_id), user_by_email(db, people["federation"]),
                                 confirm=confirm, reason=None if confirm else "期限太长")
        db.session.commit()
    assert _told(app, db, kind) == [people["firm"]]


# --- agreements ----------------------------------------------------------------------------------------------------


def _terms(product_id: int):
    from market.agreements.operations import LineTerms, Terms
    from market.i18n import local_today

    today = local_today()
    return Terms(lines=[LineTerms(product_id, "20", "35.00")], schedule_kind="weekly", weekdays=[0, 3],
                 start_date=today, end_date=today + timedelta(days=60), delivery_place="机关食堂库房")


def test_an_agreement_tells_the_other_party_of_each_step(app, db, people):
    from market.accounts.models import Organisation
    from market.agreements import operations as agreement_ops
    from market.agreements.models import Agreement

    product = make_product(app, db, people, stock="1000", price=Decimal("35.00"))
    with app.app_context(), app.test_request_context("/"):
        buyer = user_by_email(db, people["buyer_party"])
        supplier = user_by_email(db, people["supplier_qingyuan"])
        agreement = agreement_ops.create_agreement(buyer, db.session.get(Organisation, supplier.organisation_id),
                                                   _terms(product))
        agreement_ops.sign(agreement, buyer, version=1)
        db.session.commit()
        agreement_id = agreement.id
    assert _messages(app, db, "agreement.proposed") == [(people["supplier_qingyuan"], "agreement.proposed")]
    with app.app_context(), app.test_request_context("/"):
        agreement_ops.sign(db.session.get(Agreement, agreement_id), user_by_email(db, people["supplier_qingyuan"]),
                           version=1)
        db.session.commit()
    assert _told(app, db, "agreement.signed") == [people["buyer_party"]]
    with app.app_context(), app.test_request_context("/"):
        agreement_ops.amend(db.session.get(Agreement, agreement_id), user_by_email(db, people["supplier_qingyuan"]),
                            _terms(product))
        db.session.commit()
    assert _told(app, db, "agreement.amended") == [people["buyer_party"]]
    with app.app_context(), app.test_request_context("/"):
        agreement = db.session.get(Agreement, agreement_id)
        agreement_ops.flag_unfilled(agreement, date(2030, 1, 7), "库存不足")
        agreement_ops.terminate(agreement, user_by_email(db, people["buyer_party"]), "食堂停办")
        db.session.commit()
    assert _told(app, db, "agreement.terminated") == [people["supplier_qingyuan"]]
    assert sorted(_told(app, db, "agreement.unfilled")) == sorted([people["buyer_party"],
                                                                   people["supplier_qingyuan"]])


# --- demands -------------------------------------------------------------------------------------------------------


def test_a_demand_with_matching_products_tells_its_buyer(app, db, people):
    from market.demands import operations as demand_ops
    from market.i18n import local_today

    make_product(app, db, people, name="黑木耳", stock="800")
    with app.app_context(), app.test_request_context("/"):
        demand_ops.post_demand(user_by_email(db, people["buyer_party"]), product_name="", category="edible_fungi",
                               quantity="200", unit="kg", wanted_by=local_today() + timedelta(days=14),
                               expected_price="70", delivery_place="市委机关食堂", note=None)
        db.session.commit()
    assert _told(app, db, "demand.matched") == [people["buyer_party"]]


# --- reading -------------------------------------------------------------------------------------------------------


def test_the_list_the_header_count_and_opening_one(app, db, people, order_id, login):
    client = login("supplier_qingyuan")
    html = client.get("/notifications/").get_data(as_text=True)
    # the listing's publication and the new order
    assert "消息 (2)" in html and "新订单" in html and html.index("新订单") < html.index("已在目录中发布")
    from market.notifications.models import Notification

    with app.app_context():
        message_id = db.session.scalar(select(Notification.id).where(Notification.kind == "order.placed"))
    opened = client.get(f"/notifications/{message_id}")
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/orders/{order_id}")
    assert "消息 (1)" in client.get("/notifications/").get_data(as_text=True)
    # another's message is answered as missing
    assert login("buyer_party", app.test_client()).get(f"/notifications/{message_id}").status_code == 404


def test_mark_all_read(app, db, people, order_id, login):
    act_on_order(app, db, people["supplier_qingyuan"], order_id, "confirm")
    client = login("buyer_party")
    assert "消息 (1)" in client.get("/").get_data(as_text=True)
    assert post_form(client, "/notifications/read-all", token_from="/notifications/").status_code == 302
    assert "消息 (" not in client.get("/").get_data(as_text=True)


def test_the_api_lists_messages_and_marks_one_read(app, db, people, order_id):
    client, headers = app.test_client(), bearer_headers(app, people["supplier_qingyuan"])
    answer = client.get("/api/v1/notifications", headers=headers).get_json()
    assert answer["unread"] == 2 and answer["total"] == 2  # the listing's publication and the new order
    item = answer["items"][0]  # newest first
    assert item["kind"] == "order.placed" and item["read"] is False and item["link"].endswith(f"/orders/{order_id}")
    assert client.post(f"/api/v1/notifications/{item['id']}/read", headers=headers).status_code == 200
    assert client.get("/api/v1/notifications", headers=headers).get_json()["unread"] == 1
    other = bearer_headers(app, people["buyer_party"])
    assert client.post(f"/api/v1/notifications/{item['id']}/read", headers=other).status_code == 404


# --- e-mail --------------------------------------------------------------------------------------------------------


def _deliver(app, caplog) -> list[str]:
    runner = app.test_cli_runner()
    with caplog.at_level(logging.INFO, logger="market.mail"):
        result = runner.invoke(args=["notifications", "deliver"])
    assert result.exit_code == 0, result.output
    return [r.getMessage() for r in caplog.records if r.name == "market.mail"]


def test_deliver_sends_each_pending_mail_once_in_the_readers_language(app, db, people, order_id, caplog):
    mails = _deliver(app, caplog)
    told = [m for m in mails if people["supplier_qingyuan"] in m and "新订单" in m]
    assert len(told) == 1 and "新订单" in told[0] and f"http://localhost/orders/{order_id}" in told[0]
    caplog.clear()
    assert _deliver(app, caplog) == []  # sent once


@pytest.mark.parametrize("preference, mailed", [("all", 2), ("action", 1), ("none", 0)])
def test_deliver_follows_the_e_mail_preference(app, db, people, order_id, caplog, preference, mailed):
    from market.accounts.models import MailPreference

    with app.app_context():
        user_by_email(db, people["buyer_party"]).mail_preference = MailPreference(preference)
        db.session.commit()
    act_on_order(app, db, people["supplier_qingyuan"], order_id, "confirm")  # needs no action
    act_on_order(app, db, people["supplier_qingyuan"], order_id, "ship", {"carrier": "自送"})  # needs action
    mails = _deliver(app, caplog)
    assert len([m for m in mails if people["buyer_party"] in m]) == mailed


def test_the_profile_keeps_the_e_mail_preference(app, db, people, login):
    client = login("buyer_party")
    response = post_form(client, "/account", {"name": "张三", "phone": "", "mail_preference": "action"})
    assert response.status_code == 302
    with app.app_context():
        assert user_by_email(db, people["buyer_party"]).mail_preference.value == "action"


# --- home pages ----------------------------------------------------------------------------------------------------


def test_each_home_starts_with_what_waits_on_it(app, db, people, order_id, login, count_queries):
    supplier = login("supplier_qingyuan").get("/").get_data(as_text=True)
    assert "待您处理" in supplier and supplier.index("待您处理") < supplier.index("新订单")
    assert "待确认的订单</a>: <strong>1</strong>" in supplier and "待发货的订单</a>: <strong>0</strong>" in supplier
    act_on_order(app, db, people["supplier_qingyuan"], order_id, "confirm")
    act_on_order(app, db, people["supplier_qingyuan"], order_id, "ship", {"carrier": "自送"})
    buyer = login("buyer_party", app.test_client()).get("/").get_data(as_text=True)
    assert "待验收的送货</a>: <strong>1</strong>" in buyer and "待付款的订单</a>: <strong>1</strong>" in buyer
    county = login("county_qingyuan", app.test_client()).get("/").get_data(as_text=True)
    assert "待审核的产品" in county or "待审核" in county
    assert "待审批的注册</a>: <strong>0</strong>" in county
    assert "待审核的认购承诺</a>: <strong>0</strong>" in login("federation", app.test_client()).get("/").get_data(
        as_text=True)
    assert "被退回的认购承诺</a>: <strong>0</strong>" in login("firm", app.test_client()).get("/").get_data(
        as_text=True)
    with app.app_context(), app.test_request_context("/"):
        from market.home.queries import waiting_on

        org = user_by_email(db, people["city"]).organisation
        with count_queries() as counted:
            registrations, to_invoice = waiting_on(org)
        assert counted.n == 1 and registrations.count == 0 and to_invoice.count == 0
    assert "待开票订单</a>: <strong>0</strong>" in supplier
