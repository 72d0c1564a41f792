"""Agreements, pledges, listings and organisation approvals change state exactly once, whatever the number of
simultaneous requests; a signature applies to the version of the terms that was shown.

Races run on real threads, each with its own app context and so its own database connection (or its own HTTP
session through the test client); they pass on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import re
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import post_form
from tests.factories import make_product, user_by_email as _user

N = 5


def _race(app, db, jobs) -> list[str]:
    """Run each job in its own thread and app context. A job reads what it needs, calls `ready()` and then
    writes; all writes start together. Returns "ok" for a committed job, the error's class name otherwise."""
    from market.accounts.operations import AccountError
    from market.rules import RuleError

    barrier = threading.Barrier(len(jobs))
    outcomes: list[str | None] = [None] * len(jobs)

    def run(index, job):
        with app.app_context(), app.test_request_context("/"):
            try:
                job(lambda: barrier.wait(timeout=30))
                db.session.commit()
                outcomes[index] = "ok"
            except (RuleError, AccountError) as error:
                db.session.rollback()
                outcomes[index] = type(error).__name__
            except Exception as error:  # noqa: BLE001 - shown in the assertion
                db.session.rollback()
                outcomes[index] = f"unexpected {error!r}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert all(o is not None and not o.startswith("unexpected") for o in outcomes), outcomes
    return outcomes


def _audit(app, db, object_type: str, object_id: int) -> list[dict]:
    from market.audit.models import AuditEntry

    with app.app_context():
        return [e.changes for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == object_type, AuditEntry.object_id == object_id,
                                     AuditEntry.action == f"{object_type}.update").order_by(AuditEntry.id))]


# --- agreements ------------------------------------------------------------------------------------------------------


def _terms(product_id: int, price: str, quantity: str = "20"):
    from market.agreements.operations import LineTerms, Terms
    from market.i18n import local_today

    today = local_today()
    return Terms(lines=[LineTerms(product_id, quantity, price)], schedule_kind="weekly", weekdays=[0, 3],
                 start_date=today, end_date=today + timedelta(days=60), delivery_place="机关食堂库房")


def _proposed(app, db, people, product_id, price="35.00") -> int:
    """An agreement the canteen drew up at `price` and signed (version 1), waiting for the supplier."""
    from market.accounts.models import Organisation
    from market.agreements import operations as ops

    with app.app_context(), app.test_request_context("/"):
        buyer = _user(db, people["buyer_party"])
        supplier = db.session.get(Organisation, _user(db, people["supplier_qingyuan"]).organisation_id)
        agreement = ops.create_agreement(buyer, supplier, _terms(product_id, price))
        ops.sign(agreement, buyer, version=1)
        db.session.commit()
        return agreement.id


def _state(app, db, agreement_id):
    from market.agreements.models import Agreement

    with app.app_context():
        agreement = db.session.get(Agreement, agreement_id)
        in_force = agreement.in_force
        return {"status": agreement.status.value,
                "in_force_prices": [line.unit_price for line in in_force.lines] if in_force else None,
                "versions": [(v.number, v.buyer_signed_at is not None, v.supplier_signed_at is not None,
                              [line.unit_price for line in v.lines]) for v in agreement.versions]}


def test_sign_and_amend_at_the_same_moment_never_bring_unseen_terms_into_force(app, db, people):
    from market.agreements import operations as ops
    from market.agreements.models import Agreement

    product_id = make_product(app, db, people, price=Decimal("35.00"))
    for _round in range(5):
        agreement_id = _proposed(app, db, people, product_id)

        def supplier_signs(ready, agreement_id=agreement_id):
            agreement = db.session.get(Agreement, agreement_id)
            shown = agreement.latest.number  # the page the supplier has open
            ready()
            ops.sign(agreement, _user(db, people["supplier_qingyuan"]), version=shown)

        def buyer_amends(ready, agreement_id=agreement_id):
            agreement = db.session.get(Agreement, agreement_id)
            person = _user(db, people["buyer_party"])
            ready()
            ops.amend(agreement, person, _terms(product_id, "0.01"))

        outcomes = _race(app, db, [supplier_signs, buyer_amends])
        state = _state(app, db, agreement_id)
        assert outcomes[1] == "ok"  # the amendment always goes through, before or after the signature
        if outcomes[0] == "ok":  # signed first: the ¥35 terms the supplier saw are in force, ¥0.01 awaits both
            assert state["in_force_prices"] == [Decimal("35.00")] and state["status"] == "active"
            assert state["versions"][-1] == (2, False, False, [Decimal("0.01")])
        else:  # amended first: refused, nothing in force, the supplier signed nothing
            assert outcomes[0] == "TermsChanged"
            assert state["in_force_prices"] is None and state["status"] == "draft"
            assert not any(supplier_signed for _n, _b, supplier_signed, _p in state["versions"])


def test_a_signature_on_an_old_version_is_refused_and_the_page_names_the_change(app, db, people, client, login):
    from market.agreements import operations as ops
    from market.agreements.models import Agreement

    product_id = make_product(app, db, people, price=Decimal("35.00"))
    agreement_id = _proposed(app, db, people, product_id)
    supplier = login("supplier_qingyuan")
    page = supplier.get(f"/agreements/{agreement_id}").get_data(as_text=True)
    assert re.search(r'name="version"[^>]*value="1"', page)  # the sign form says which version is shown
    with app.app_context(), app.test_request_context("/"):  # meanwhile the canteen cuts the price
        ops.amend(db.session.get(Agreement, agreement_id), _user(db, people["buyer_party"]),
                  _terms(product_id, "0.01", quantity="30"))
        db.session.commit()
    response = post_form(supplier, f"/agreements/{agreement_id}/sign", {"version": "1"},
                         token_from=f"/agreements/{agreement_id}", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "条款已变更" in html and "黑木耳" in html and "¥35.00 → ¥0.01" in html and "20 → 30" in html
    assert "签署第 2 版" in html  # the current terms, to be read and signed again
    state = _state(app, db, agreement_id)
    assert state["status"] == "draft" and state["in_force_prices"] is None
    assert not any(supplier_signed for _n, _b, supplier_signed, _p in state["versions"])
    # signing the version now shown works
    post_form(supplier, f"/agreements/{agreement_id}/sign", {"version": "2"}, token_from=f"/agreements/{agreement_id}")
    assert _state(app, db, agreement_id)["versions"][-1][2] is True


def test_a_changed_draft_is_a_new_version_number_so_a_signature_on_the_first_is_refused(app, db, people):
    """A draft nobody signed yet used to be replaced under the same number, so "version 1" could mean other
    terms than the ones shown; now each change gets the next number and the first stays readable."""
    from market.accounts.models import Organisation
    from market.agreements import operations as ops

    product_id = make_product(app, db, people, price=Decimal("35.00"))
    with app.app_context(), app.test_request_context("/"):
        buyer = _user(db, people["buyer_party"])
        supplier_person = _user(db, people["supplier_qingyuan"])
        agreement = ops.create_agreement(buyer, db.session.get(Organisation, supplier_person.organisation_id),
                                         _terms(product_id, "35.00"))
        ops.amend(agreement, buyer, _terms(product_id, "0.01"))
        assert [v.number for v in agreement.versions] == [1, 2]
        with pytest.raises(ops.TermsChanged) as refused:
            ops.sign(agreement, supplier_person, version=1)
        assert "¥35.00 → ¥0.01" in refused.value.message
        db.session.rollback()


def test_a_signature_without_the_version_shown_is_refused(app, db, people, client, login):
    product_id = make_product(app, db, people, price=Decimal("35.00"))
    agreement_id = _proposed(app, db, people, product_id)
    supplier = login("supplier_qingyuan")
    response = post_form(supplier, f"/agreements/{agreement_id}/sign", token_from=f"/agreements/{agreement_id}",
                         follow_redirects=True)
    assert response.status_code == 200 and "重新打开" in response.get_data(as_text=True)
    assert _state(app, db, agreement_id)["status"] == "proposed"


def test_simultaneous_signatures_of_the_same_party_make_one(app, db, people):
    from market.agreements import operations as ops
    from market.agreements.models import Agreement, AgreementVersion

    product_id = make_product(app, db, people, price=Decimal("35.00"))
    agreement_id = _proposed(app, db, people, product_id)
    before = len(_audit(app, db, "agreements", agreement_id))

    def sign(ready):
        agreement = db.session.get(Agreement, agreement_id)
        person = _user(db, people["supplier_qingyuan"])
        ready()
        ops.sign(agreement, person, version=1)

    outcomes = _race(app, db, [sign] * N)
    assert outcomes.count("ok") == 1, outcomes
    assert _state(app, db, agreement_id)["status"] == "active"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AgreementVersion)
                                 .where(AgreementVersion.agreement_id == agreement_id)) == 1
    assert _audit(app, db, "agreements", agreement_id)[before:] == [{"status": ["proposed", "active"]}]


def test_termination_and_signature_at_the_same_moment(app, db, people):
    from market.agreements import operations as ops
    from market.agreements.models import Agreement

    product_id = make_product(app, db, people, price=Decimal("35.00"))
    agreement_id = _proposed(app, db, people, product_id)

    def sign(ready):
        agreement = db.session.get(Agreement, agreement_id)
        person = _user(db, people["supplier_qingyuan"])
        ready()
        ops.sign(agreement, person, version=1)

    def terminate(ready):
        agreement = db.session.get(Agreement, agreement_id)
        person = _user(db, people["buyer_party"])
        ready()
        ops.terminate(agreement, person, "食堂停办")

    outcomes = _race(app, db, [sign, terminate, terminate])
    assert outcomes.count("ok") in (1, 2) and outcomes[1:].count("ok") == 1, outcomes
    assert _state(app, db, agreement_id)["status"] == "terminated"
    assert [c["status"][1] for c in _audit(app, db, "agreements", agreement_id)][-1] == "terminated"


# --- pledges -----------------------------------------------------------------------------------------------------------


def _pledge(app, db, people) -> int:
    from market.i18n import local_today
    from market.pledges import operations as ops

    with app.app_context(), app.test_request_context("/"):
        pledge = ops.make_pledge(_user(db, people["firm"]), amount="5000", mode="buy_instead_of_help",
                                 start_date=local_today(), end_date=local_today() + timedelta(days=90))
        db.session.commit()
        return pledge.id


def _pledge_review(people, db, pledge_id, confirm):
    def job(ready):
        from market.pledges import operations as ops
        from market.pledges.models import Pledge

        pledge = db.session.get(Pledge, pledge_id)
        person = _user(db, people["federation"])
        ready()
        ops.review_pledge(pledge, person, confirm=confirm, reason=None if confirm else "金额有误")

    return job


def test_simultaneous_pledge_confirmations_confirm_once(app, db, people):
    pledge_id = _pledge(app, db, people)
    outcomes = _race(app, db, [_pledge_review(people, db, pledge_id, True)] * N)
    assert outcomes.count("ok") == 1, outcomes
    assert _audit(app, db, "pledges", pledge_id) == [{"status": ["submitted", "confirmed"]}]


def test_a_pledge_confirmed_and_returned_at_the_same_moment_gets_one_decision(app, db, people):
    from market.pledges.models import Pledge

    pledge_id = _pledge(app, db, people)
    outcomes = _race(app, db, [_pledge_review(people, db, pledge_id, True), _pledge_review(people, db, pledge_id, False)])
    assert sorted(outcomes) == ["StateConflict", "ok"], outcomes
    with app.app_context():
        pledge = db.session.get(Pledge, pledge_id)
        winner = "confirmed" if outcomes[0] == "ok" else "returned"
        assert pledge.status.value == winner
        assert (pledge.return_reason is None) == (winner == "confirmed")
    assert len(_audit(app, db, "pledges", pledge_id)) == 1


# --- listings ----------------------------------------------------------------------------------------------------------


def _submitted(app, db, people) -> int:
    from market.catalog import operations as ops
    from market.catalog.models import Product

    product_id = make_product(app, db, people, publish=False)
    with app.app_context(), app.test_request_context("/"):
        ops.submit_product(db.session.get(Product, product_id))
        db.session.commit()
    return product_id


def _listing_review(people, db, product_id, approve):
    def job(ready):
        from market.catalog import operations as ops
        from market.catalog.models import Product

        product = db.session.get(Product, product_id)
        person = _user(db, people["county_qingyuan"])
        ready()
        ops.review_product(product, person, approve=approve, reason=None if approve else "照片不清楚")

    return job


def test_simultaneous_listing_approvals_publish_once_with_one_audit_entry(app, db, people):
    product_id = _submitted(app, db, people)
    before = len(_audit(app, db, "products", product_id))
    outcomes = _race(app, db, [_listing_review(people, db, product_id, True)] * N)
    assert outcomes.count("ok") == 1, outcomes
    after = _audit(app, db, "products", product_id)[before:]
    assert after == [{"status": ["submitted", "published"]}]


def test_a_listing_approved_and_returned_at_the_same_moment_gets_one_decision(app, db, people):
    from market.catalog.models import Product

    product_id = _submitted(app, db, people)
    outcomes = _race(app, db, [_listing_review(people, db, product_id, True),
                               _listing_review(people, db, product_id, False)])
    assert sorted(outcomes) == ["StateConflict", "ok"], outcomes
    with app.app_context():
        product = db.session.get(Product, product_id)
        assert product.status.value == ("published" if outcomes[0] == "ok" else "returned")
        assert (product.return_reason is None) == (outcomes[0] == "ok")


def test_a_withdrawal_and_an_approval_at_the_same_moment_leave_one_state(app, db, people):
    from market.catalog import operations as ops
    from market.catalog.models import Product

    product_id = _submitted(app, db, people)

    def withdraw(ready):
        product = db.session.get(Product, product_id)
        ready()
        ops.withdraw_product(product)

    outcomes = _race(app, db, [withdraw, _listing_review(people, db, product_id, True)])
    with app.app_context():
        status = db.session.get(Product, product_id).status.value
    # approving a withdrawn draft is refused; withdrawing a published listing is allowed
    assert (outcomes, status) in ((["ok", "StateConflict"], "draft"), (["ok", "ok"], "draft")), (outcomes, status)


def test_listing_pages_tell_the_loser_of_a_race(app, db, people, login):
    product_id = _submitted(app, db, people)
    clients = [login("county_qingyuan", app.test_client()) for _ in range(3)]
    tokens = [_token(c.get("/catalog/review").get_data(as_text=True)) for c in clients]
    responses = _posts(clients, [(f"/catalog/products/{product_id}/approve", {"csrf_token": t}) for t in tokens])
    assert [r.status_code for r in responses] == [302] * 3
    messages = [c.get("/catalog/review").get_data(as_text=True) for c in clients]
    assert sum("已发布到目录" in m for m in messages) == 1, messages
    assert sum("已被他人先行更改" in m or "只有待审核" in m for m in messages) == 2


# --- organisations -----------------------------------------------------------------------------------------------------


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def _posts(clients, requests_):
    """POST from each test client (its own session) at the same moment."""
    barrier, responses = threading.Barrier(len(clients)), [None] * len(clients)

    def post(index, c, path, data):
        barrier.wait(timeout=30)
        responses[index] = c.post(path, data=data)

    threads = [threading.Thread(target=post, args=(i, c, path, data))
               for i, (c, (path, data)) in enumerate(zip(clients, requests_))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return responses


def test_simultaneous_organisation_approvals_approve_once(app, db, people, factory):
    from market.accounts import operations as ops
    from market.accounts.models import Organisation

    with app.app_context():
        org_id = factory.organisation(kind="firm", status="pending").id
        db.session.commit()

    def approve(ready):
        org = db.session.get(Organisation, org_id)
        person = _user(db, people["city"])
        ready()
        ops.review_organisation(org, person, approve=True)

    outcomes = _race(app, db, [approve] * N)
    assert outcomes.count("ok") == 1, outcomes
    assert _audit(app, db, "organisations", org_id) == [{"status": ["pending", "active"]}]


def test_organisation_pages_tell_the_loser_of_a_race_without_a_500(app, db, people, factory, login):
    from market.accounts.models import Organisation

    with app.app_context():
        org_id = factory.organisation(kind="firm", status="pending").id
        db.session.commit()
    clients = [login("city", app.test_client()) for _ in range(3)]
    tokens = [_token(c.get(f"/admin/organisations/{org_id}").get_data(as_text=True)) for c in clients]
    actions = ["approve", "approve", "reject"]
    responses = _posts(clients, [(f"/admin/organisations/{org_id}/{action}", {"csrf_token": t, "reason": "资料不全"})
                                 for action, t in zip(actions, tokens)])
    assert [r.status_code for r in responses] == [302, 302, 302]  # every one back to the organisation page
    outcomes = []
    for client in clients:
        with client.session_transaction() as session:
            outcomes.append(sorted(category for category, _message in session.get("_flashes", [])))
    # One decided; the others are told why not (a conflict or "no longer pending"), none sees a 500.
    assert sorted(outcomes) == [["error"], ["error"], ["success"]], outcomes
    with app.app_context():
        assert db.session.get(Organisation, org_id).status.value in ("active", "rejected")
    assert len(_audit(app, db, "organisations", org_id)) == 1
