"""The one permission helper, for each role: who sees and who may act on which organisation and person."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import ROLES, post_form
from tests.factories import user_by_email

# role -> roles whose organisation it may see (besides its own)
SEES = {
    "city": set(ROLES),
    "county_qingyuan": {"supplier_qingyuan"},
    "county_xinbin": {"supplier_xinbin"},
    "supplier_qingyuan": set(),
    "supplier_xinbin": set(),
    "buyer_party": set(),
    "buyer_school": set(),
    "firm": set(),
    "federation": {"firm"},
}
# role -> roles whose organisation it may approve (if pending)
APPROVES = {
    "city": set(ROLES) - {"city"},
    "county_qingyuan": {"supplier_qingyuan"},
    "county_xinbin": {"supplier_xinbin"},
}


def _users(app, db, people):
    return {role: user_by_email(db, email) for role, email in people.items()}


@pytest.mark.parametrize("actor", list(ROLES))
def test_decisions_on_organisations_for_each_role(app, db, people, actor):
    from market.permissions import Action, Decision, decide

    with app.app_context():
        users = _users(app, db, people)
        me = users[actor]
        for role, other in users.items():
            org = other.organisation
            own = role == actor
            visible = own or role in SEES[actor]
            view = decide(me, Action.VIEW, org)
            assert view is (Decision.ALLOWED if visible else Decision.HIDDEN), (actor, role)
            approve = decide(me, Action.APPROVE, org)
            if not visible:
                assert approve is Decision.HIDDEN
            else:
                expected = Decision.ALLOWED if role in APPROVES.get(actor, set()) else Decision.FORBIDDEN
                assert approve is expected, (actor, role)
            suspend = decide(me, Action.SUSPEND, org)
            if visible:
                allowed = actor == "city" and not own
                assert suspend is (Decision.ALLOWED if allowed else Decision.FORBIDDEN), (actor, role)


@pytest.mark.parametrize("actor", list(ROLES))
def test_organisation_lists_follow_the_same_rule(app, db, people, actor):
    from market.admin.queries import organisations_for
    from market.permissions import Action, can

    with app.app_context():
        users = _users(app, db, people)
        from market.accounts.models import Organisation

        everyone = db.session.scalars(select(Organisation)).all()
        listed = {o.id for o in organisations_for(users[actor])}
        allowed = {o.id for o in everyone if can(users[actor], Action.VIEW, o)}
        assert listed == allowed


@pytest.mark.parametrize("actor", list(ROLES))
def test_another_organisations_page_is_404_and_actions_refused(app, client, db, login, people, actor):
    with app.app_context():
        users = _users(app, db, people)
        target_role = "buyer_school" if actor != "buyer_school" else "firm"
        target = users[target_role].organisation.id
    login(actor)
    response = client.get(f"/admin/organisations/{target}")
    visible = actor == "city"
    assert response.status_code == (200 if visible else 404)
    response = post_form(client, f"/admin/organisations/{target}/suspend", {"reason": "x"}, token_from="/")
    assert response.status_code == (302 if visible else 404)


@pytest.mark.parametrize("actor", [r for r in ROLES if r != "city"])
def test_only_the_city_office_resets_passwords_and_reads_the_audit_log(app, client, db, login, people, actor):
    with app.app_context():
        users = _users(app, db, people)
        victim = users["firm" if actor != "firm" else "federation"].id
    login(actor)
    assert client.get("/admin/audit/").status_code == 403
    assert client.get("/admin/users").status_code == 403
    response = post_form(client, f"/admin/users/{victim}/reset-password", token_from="/")
    assert response.status_code in (403, 404)


def test_visitors_are_sent_to_sign_in(client):
    for path in ("/admin/organisations", "/admin/users", "/admin/audit/", "/account", "/organisation/members"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path
    assert client.get("/admin/organisations/1").status_code == 404


def test_people_of_a_pending_organisation_see_their_own_organisation_only(app, db, factory):
    from market.permissions import Action, Decision, decide

    with app.app_context():
        office = factory.organisation(kind="county_office", county="qingyuan", status="pending")
        officer = factory.make_user(office, role="manager")
        supplier = factory.organisation(kind="supplier", county="qingyuan", status="pending")
        assert decide(officer, Action.VIEW, supplier) is Decision.HIDDEN
        assert decide(officer, Action.APPROVE, supplier) is Decision.HIDDEN
        assert decide(officer, Action.VIEW, office) is Decision.ALLOWED
        assert decide(officer, Action.MANAGE_MEMBERS, office) is Decision.FORBIDDEN
        db.session.rollback()


def test_a_manager_suspends_a_colleague_but_nobody_elsewhere(app, client, db, factory, login, people):
    from market.accounts.models import User

    with app.app_context():
        firm = db.session.scalar(select(User).where(User.email == people["firm"])).organisation
        colleague = factory.make_user(firm, email="colleague@example.com", role="member")
        stranger = db.session.scalar(select(User).where(User.email == people["federation"]))
        db.session.commit()
        colleague_id, stranger_id = colleague.id, stranger.id
    login("firm")
    assert post_form(client, f"/people/{stranger_id}/suspend", token_from="/").status_code == 404
    response = post_form(client, f"/people/{colleague_id}/suspend", token_from="/organisation/members")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, colleague_id).active is False
        assert db.session.get(User, stranger_id).active is True
    # A member may not suspend the manager.
    member = app.test_client()
    with app.app_context():
        db.session.get(User, colleague_id).active = True
        db.session.commit()
    from tests.conftest import sign_in

    sign_in(member, "colleague@example.com")
    with app.app_context():
        manager_id = db.session.scalar(select(User.id).where(User.email == people["firm"]))
    assert post_form(member, f"/people/{manager_id}/suspend", token_from="/").status_code == 403


@pytest.mark.parametrize("actor", list(ROLES))
def test_decisions_on_people_for_each_role(app, db, people, actor):
    from market.permissions import Action, Decision, decide

    with app.app_context():
        users = _users(app, db, people)
        me = users[actor]
        for role, person in users.items():
            visible = role == actor or role in SEES[actor]
            assert decide(me, Action.VIEW, person) is (Decision.ALLOWED if visible else Decision.HIDDEN), (actor, role)
            reset = decide(me, Action.RESET_PASSWORD, person)
            if visible:
                expected = Decision.ALLOWED if actor == "city" and role != actor else Decision.FORBIDDEN
                assert reset is expected, (actor, role)
            else:
                assert reset is Decision.HIDDEN
