"""An organisation that is pending, rejected or suspended, of any kind, sees its own profile and nothing else.

The walk below opens every page and API endpoint of the app, with ids of other organisations' objects from the
demo city, as a person of such an organisation, and checks that no other organisation's name or e-mail shows up
that an anonymous visitor would not see on the same address.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, text, update

from tests.conftest import PASSWORD, csrf_token, sign_in

KINDS = ["supplier", "county_office", "buyer", "firm", "federation", "city_office"]
STATUSES = ["pending", "rejected", "suspended"]
AWAITING = "单位审核通过之前"  # the heading of the awaiting-approval page
NOT_APPROVED = "/api/v1/problems/organisation-not-approved"


def _first(db, model, *where):
    return db.session.scalar(select(model.id).where(*where).order_by(model.id).limit(1))


def _world(app, db):
    """Ids of other organisations' objects to put in every URL, and the names and e-mails not to leak."""
    from market.accounts.models import Organisation, OrgKind, User
    from market.agreements.models import Agreement
    from market.accounts.models import ApiToken
    from market.bulletins.models import BulletinIssue
    from market.catalog.models import Product, ProductPhoto
    from market.orders.models import BulkOrder, CartItem, Order
    from market.demands.models import Demand
    from market.payments.models import Payment
    from market.pledges.models import Pledge

    with app.app_context():
        ids = {
            "order_id": _first(db, Order), "bulk_id": _first(db, BulkOrder), "pledge_id": _first(db, Pledge),
            "agreement_id": _first(db, Agreement), "product_id": _first(db, Product),
            "org_id": _first(db, Organisation, Organisation.kind == OrgKind.FIRM),
            "user_id": _first(db, User), "payment_id": _first(db, Payment), "demand_id": _first(db, Demand),
            "issue_id": _first(db, BulletinIssue), "photo_id": _first(db, ProductPhoto) or 1,
            "item_id": _first(db, CartItem) or 1, "token_id": _first(db, ApiToken) or 1,
            "code": "qingyuan", "filename": "css/site.css",
        }
        assert all(ids.values()), ids
        secrets = set(db.session.scalars(select(Organisation.name))) | set(db.session.scalars(select(User.email)))
    return ids, secrets


def _url(app, rule, ids) -> str:
    from werkzeug.routing import AnyConverter

    values = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        else:  # a route added later walks with id 1 until it is taught a real object here
            values[name] = ids.get(name, 1)
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _routes(app, ids, *, api: bool):
    """(endpoint, method, url) for every route of the pages or of the API."""
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") != api or rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, _url(app, rule, ids)))
    return sorted(out)


def _make_unapproved(app, db, factory, kind):
    with app.app_context():
        org = factory.organisation(kind=kind, status="pending", name=f"待审单位-{kind}")
        person = factory.make_user(org, email=f"unapproved-{kind}@example.com", role="manager")
        db.session.commit()
        return org.id, person.email


def _set_status(app, db, org_id, status):
    from market.accounts.models import Organisation

    with app.app_context():  # directly, as a race or a forgotten session would leave it: no sign-out here
        db.session.execute(update(Organisation).where(Organisation.id == org_id).values(status=status))
        db.session.commit()


def _fingerprint(app, db):
    """Row counts of every table and every status column: what a refused write must leave as it was."""
    with app.app_context():
        out = {}
        for table in db.metadata.sorted_tables:
            if table.name in ("login_sessions",):
                continue
            out[table.name] = db.session.execute(text(f'SELECT count(*) FROM "{table.name}"')).scalar()
            if "status" in table.c:
                out[table.name + ".status"] = sorted(db.session.execute(
                    select(table.c.id, table.c.status)).all())
        return out


def _leaks(body: str, public_body: str, secrets, own_name: str, own_email: str) -> list[str]:
    return [s for s in secrets if s not in (own_name, own_email) and s in body and s not in public_body]


@pytest.mark.parametrize("kind", KINDS)
def test_an_unapproved_organisation_sees_nothing_but_its_own_profile(app, db, demo, factory, kind):
    from market.permissions import OPEN_TO_UNAPPROVED

    ids, secrets = _world(app, db)
    org_id, email = _make_unapproved(app, db, factory, kind)
    own_name = f"待审单位-{kind}"
    pages = [(e, u) for e, m, u in _routes(app, ids, api=False) if m == "GET"]
    api_calls = _routes(app, ids, api=True)
    anonymous = app.test_client()
    # What a visitor sees anywhere is public (a buyer's own paired county comes first on the catalog, say).
    public = "\n".join([anonymous.get(url).get_data(as_text=True) for _e, url in pages]
                       + [anonymous.open(url, method=m, json={}).get_data(as_text=True) for _e, m, url in api_calls])

    browser = app.test_client()
    assert sign_in(browser, email).status_code == 302  # a pending organisation still signs in
    response = browser.post("/api/v1/tokens", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    auth = {"Authorization": f"Bearer {response.get_json()['token']}"}

    # Its own profile works, and says why there is nothing else.
    home = browser.get("/").get_data(as_text=True)
    assert own_name in home and AWAITING in home and "待审核" in home
    members = browser.get("/organisation/members")
    assert members.status_code == 200 and email in members.get_data(as_text=True)
    assert browser.get(f"/admin/organisations/{org_id}").status_code == 200
    assert browser.get("/account").status_code == 200
    refused = browser.get("/reports/federation")
    assert refused.status_code == 403 and 'href="/organisation/members"' in refused.get_data(as_text=True)

    for status in STATUSES:
        _set_status(app, db, org_id, status)
        for endpoint, url in pages:
            response = browser.get(url)
            body = response.get_data(as_text=True)
            assert not _leaks(body, public, secrets, own_name, email), (status, url)
            if endpoint in OPEN_TO_UNAPPROVED:
                continue
            if status == "pending":
                assert response.status_code == 403 and AWAITING in body, (url, response.status_code)
            else:  # rejected and suspended people are not signed in at all any more
                assert response.status_code in (302, 403, 404), (status, url, response.status_code)
                if response.status_code == 302:
                    assert response.headers["Location"].startswith("/login"), (status, url)
        for endpoint, method, url in api_calls:
            response = browser.open(url, method=method, json={}, headers=auth)
            body = response.get_data(as_text=True)
            assert not _leaks(body, public, secrets, own_name, email), (status, method, url)
            if endpoint in OPEN_TO_UNAPPROVED:
                continue
            if status == "pending":
                assert response.status_code == 403, (method, url, response.status_code)
                assert response.get_json()["type"] == NOT_APPROVED, (method, url)
            else:
                assert response.status_code in (401, 403), (status, method, url, response.status_code)
        _set_status(app, db, org_id, "pending")


@pytest.mark.parametrize("status", STATUSES)
def test_an_unapproved_organisation_changes_nothing(app, db, demo, factory, status):
    """Every state-changing page and API call is refused, and the database is as it was."""
    from market.permissions import OPEN_TO_UNAPPROVED

    ids, _secrets = _world(app, db)
    org_id, email = _make_unapproved(app, db, factory, "city_office")
    browser = app.test_client()
    assert sign_in(browser, email).status_code == 302
    token = browser.post("/api/v1/tokens", json={"email": email, "password": PASSWORD}).get_json()["token"]
    _set_status(app, db, org_id, status)
    before = _fingerprint(app, db)
    form = {"csrf_token": csrf_token(browser, "/account" if status == "pending" else "/login"), "reason": "x"}
    for endpoint, method, url in _routes(app, ids, api=False):
        if method == "GET" or endpoint in OPEN_TO_UNAPPROVED:
            continue
        response = browser.post(url, data=form)
        assert response.status_code in (302, 403, 404), (url, response.status_code)
        if response.status_code == 302:
            assert response.headers["Location"].startswith("/login"), url
    for endpoint, method, url in _routes(app, ids, api=True):
        if method == "GET" or endpoint in OPEN_TO_UNAPPROVED:
            continue
        response = browser.open(url, method=method, json={"delta": "5", "reason": "restock"},
                                headers={"Authorization": f"Bearer {token}"})
        assert response.status_code in (401, 403), (method, url, response.status_code)
    assert _fingerprint(app, db) == before


@pytest.mark.parametrize("kind", KINDS)
def test_the_permission_rule_shows_an_unapproved_organisation_no_more_than_a_visitor(app, db, demo, factory, kind):
    """Per object type: `decide` answers an unapproved organisation's people as it answers an anonymous visitor,
    except for their own organisation and its people."""
    from market.accounts.models import Organisation, OrgStatus, User
    from market.agreements.models import Agreement
    from market.catalog.models import Product, SurveyRow
    from market.orders.models import Order
    from market.shares.models import ReservedShare
    from market.demands.models import Demand
    from market.payments.models import Payment
    from market.permissions import Action, Decision, decide, may_open, unapproved

    with app.app_context():
        org = factory.organisation(kind=kind, status="pending")
        person = factory.make_user(org, role="manager")
        objects = [db.session.scalars(select(model).limit(3)).all() for model in
                   (Organisation, User, Order, Payment, Agreement, Demand, ReservedShare, SurveyRow, Product)]
        objects = [obj for group in objects for obj in group]
        assert {type(obj) for obj in objects} >= {Organisation, User, Order, Payment, Agreement, Product}
        for status in (OrgStatus.PENDING, OrgStatus.REJECTED, OrgStatus.SUSPENDED):
            org.status = status
            assert unapproved(person)
            for obj in objects:
                if getattr(obj, "organisation_id", None) == org.id or obj is org:
                    continue
                for action in Action:
                    visitor = decide(None, action, obj)
                    assert decide(person, action, obj) is (Decision.ALLOWED if visitor is Decision.ALLOWED
                                                           else Decision.HIDDEN), (status, obj, action)
            assert decide(person, Action.VIEW, org) is Decision.ALLOWED
            assert decide(person, Action.EDIT, person) is Decision.ALLOWED
            assert decide(person, Action.APPROVE, org) is Decision.FORBIDDEN
            for endpoint in ("reports.federation", "api.pledges", "api.report_totals", "orders.detail",
                             "pledges.detail", "admin.organisations", "admin.users", "admin.audit_log"):
                assert not may_open(person, endpoint)
            assert may_open(person, "accounts.members") and may_open(person, "home.index")
        org.status = OrgStatus.ACTIVE
        assert not unapproved(person) and may_open(person, "reports.federation")
        db.session.rollback()
