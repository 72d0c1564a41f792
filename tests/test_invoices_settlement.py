"""Bank transfer and the settlement deadline (issue 17): the supplier's account is reviewed by its county office
before budget units see it; a budget unit pays within SETTLEMENT_DAYS of acceptance, extended once; reminders go
out once; overdue lists for the unit, the supplier and the city office."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import post_form
from tests.factories import act_on_order, make_product, place_order, user_by_email

ACCOUNT = {"account_name": "清原县某合作社", "bank_name": "抚顺银行清原支行", "account_number": "6217 0000 1234 5678"}


def _accepted_order(app, db, people, buyer="buyer_party") -> int:
    product = make_product(app, db, people, "supplier_qingyuan")
    bulk_id, _created = place_order(app, db, people[buyer], [(product, "2")], token=f"s-{buyer}")
    from tests.factories import orders_of_bulk

    order_id = orders_of_bulk(app, db, bulk_id)[0]
    act_on_order(app, db, people["supplier_qingyuan"], order_id, "confirm")
    act_on_order(app, db, people["supplier_qingyuan"], order_id, "ship", {"carrier": "自送"})
    act_on_order(app, db, people[buyer], order_id, "accept")
    return order_id


def _accepted_days_ago(app, db, order_id, days):
    from market.orders.models import Order

    with app.app_context():
        order = db.session.get(Order, order_id)
        order.accepted_at = order.accepted_at - timedelta(days=days)
        db.session.commit()


def test_the_account_is_shown_only_once_the_county_office_approved_it(app, db, people, client, login):
    order_id = _accepted_order(app, db, people)
    login("supplier_qingyuan")
    assert post_form(client, "/invoices/bank-account", ACCOUNT).status_code == 302
    with app.test_client() as buyer:
        login("buyer_party", buyer)
        assert "6217000012345678" not in buyer.get(f"/orders/{order_id}").get_data(as_text=True)
    from market.invoices.models import BankAccount

    with app.app_context():
        account_id = db.session.query(BankAccount).one().id
    with app.test_client() as other:
        login("county_xinbin", other)
        assert post_form(other, f"/invoices/bank-accounts/{account_id}/approve", {},
                         token_from="/invoices/bank-accounts").status_code == 404
    with app.test_client() as county:
        login("county_qingyuan", county)
        assert "6217000012345678" in county.get("/invoices/bank-accounts").get_data(as_text=True)
        assert post_form(county, f"/invoices/bank-accounts/{account_id}/approve", {},
                         token_from="/invoices/bank-accounts").status_code == 302
    with app.test_client() as buyer:
        login("buyer_party", buyer)
        html = buyer.get(f"/orders/{order_id}").get_data(as_text=True)
        from market.orders.models import Order

        with app.app_context():
            reference = db.session.get(Order, order_id).reference
        assert "6217000012345678" in html and f'transfer-remark">{reference}<' in html


def test_a_returned_account_says_why_and_a_change_is_reviewed_again(app, db, people, client, login):
    from market.invoices import operations as ops
    from market.invoices.models import BankAccount, ReviewStatus
    from market.rules import RuleError

    with app.app_context(), app.test_request_context("/"):
        supplier = user_by_email(db, people["supplier_qingyuan"])
        account = ops.save_account(supplier, ACCOUNT)
        county = user_by_email(db, people["county_qingyuan"])
        with pytest.raises(RuleError):
            ops.return_account(account, county, "")
        ops.return_account(account, county, "账号与开户许可证不符")
        with pytest.raises(RuleError):
            ops.approve_account(account, county)  # only a pending account is reviewed
        ops.save_account(supplier, dict(ACCOUNT, account_number="6217000012345679"))
        assert account.status == ReviewStatus.PENDING and account.return_reason is None
        ops.approve_account(account, county)
        db.session.commit()
        assert db.session.query(BankAccount).one().status == ReviewStatus.APPROVED
        with pytest.raises(RuleError):
            ops.save_account(supplier, dict(ACCOUNT, account_number="12ab"))


def test_the_deadline_is_extended_once(app, db, people):
    from market.invoices import operations as ops
    from market.i18n import SHANGHAI
    from market.invoices.settlement import due_on, settlement_of
    from market.orders.models import Order
    from market.rules import RuleError

    order_id = _accepted_order(app, db, people)
    with app.app_context(), app.test_request_context("/"):
        order = db.session.get(Order, order_id)
        first = due_on(order, None)
        assert first == order.accepted_at.astimezone(SHANGHAI).date() + timedelta(days=30)
        with pytest.raises(RuleError):
            ops.extend(order, user_by_email(db, people["supplier_qingyuan"]), "要时间")  # the buyer asks
        assert ops.extend(order, user_by_email(db, people["buyer_party"]), "财务审批中") == first + timedelta(days=15)
        db.session.commit()
        with pytest.raises(RuleError):
            ops.extend(order, user_by_email(db, people["buyer_party"]), "再延一次")
        db.session.rollback()
        assert due_on(order, settlement_of(order)) == first + timedelta(days=15)


def test_firms_have_no_deadline(app, db, people):
    from market.invoices import operations as ops
    from market.orders.models import Order
    from market.rules import RuleError

    order_id = _accepted_order(app, db, people, buyer="firm")
    with app.app_context(), app.test_request_context("/"):
        with pytest.raises(RuleError):
            ops.extend(db.session.get(Order, order_id), user_by_email(db, people["firm"]), "财务审批中")


def test_reminders_go_out_once(app, db, people, caplog):
    order_id = _accepted_order(app, db, people)
    runner = app.test_cli_runner()
    assert "written: 0" in runner.invoke(args=["payments", "remind-due"]).output  # 30 days left
    _accepted_days_ago(app, db, order_id, 27)
    assert "written: 1" in runner.invoke(args=["payments", "remind-due"]).output
    assert "written: 0" in runner.invoke(args=["payments", "remind-due"]).output
    from market.accounts.models import User
    from market.notifications.models import Notification

    with app.app_context():  # one message to the unit's people, through the message centre
        told = db.session.execute(select(User.email).join(Notification, Notification.recipient_id == User.id)
                                  .where(Notification.kind == "order.payment_due")).scalars().all()
    assert told == [people["buyer_party"]]
    from market.invoices.models import Settlement

    with app.app_context():
        assert db.session.get(Settlement, order_id).reminded_at is not None


def test_overdue_lists_for_unit_supplier_and_city(app, db, people, login):
    from market.orders.models import Order

    order_id = _accepted_order(app, db, people)
    with app.app_context():
        reference = db.session.get(Order, order_id).reference
    _accepted_days_ago(app, db, order_id, 31)
    for role, status, shown in (("buyer_party", 200, True), ("supplier_qingyuan", 200, True), ("city", 200, True),
                                ("supplier_xinbin", 200, False), ("buyer_school", 200, False),
                                ("county_qingyuan", 403, False)):
        with app.test_client() as c:
            login(role, c)
            response = c.get("/invoices/overdue")
            assert response.status_code == status, role
            assert (reference in response.get_data(as_text=True)) is shown, role


def test_the_demo_has_an_invoice_one_awaiting_and_an_approved_account(app, db, demo):
    from market.invoices.models import BankAccount, InvoiceDetails, InvoiceRequest, InvoiceState, ReviewStatus

    with app.app_context():
        states = sorted(r.state for r in db.session.query(InvoiceRequest))
        assert states == [InvoiceState.ISSUED, InvoiceState.REQUESTED]
        assert db.session.query(InvoiceDetails).count() == 1
        assert db.session.query(BankAccount).one().status == ReviewStatus.APPROVED
