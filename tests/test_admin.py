"""The city office as administrator: suspend, reset passwords, and the audit log of every write that matters."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.conftest import PASSWORD, post_form, sign_in
from tests.factories import user_by_email


def _ids(app, db, email):
    """(user id, organisation id) of the person with `email`."""
    with app.app_context():
        user = user_by_email(db, email)
        return user.id, user.organisation_id


def test_reset_password_gives_a_temporary_password_and_signs_the_person_out(app, client, db, login, people):
    victim = app.test_client()
    login("firm", victim)
    user_id, _ = _ids(app, db, people["firm"])
    login("city")
    response = post_form(client, f"/admin/users/{user_id}/reset-password", token_from="/admin/users")
    assert response.status_code == 200
    temporary = re.search(r'class="secret"><code>([^<]+)</code>', response.get_data(as_text=True)).group(1)
    assert response.headers["Cache-Control"] == "no-store"
    assert victim.get("/account").status_code == 302  # signed out everywhere
    assert sign_in(app.test_client(), people["firm"], PASSWORD).status_code == 200  # old password gone
    fresh = app.test_client()
    response = sign_in(fresh, people["firm"], temporary)
    assert response.headers["Location"] == "/account/password"
    assert fresh.get("/").headers["Location"] == "/account/password"


def test_suspending_a_person_signs_them_out_and_keeps_them_out(app, client, db, login, people):
    victim = login("firm", app.test_client())
    user_id, _ = _ids(app, db, people["firm"])
    login("city")
    assert post_form(client, f"/people/{user_id}/suspend", token_from="/admin/users").status_code == 302
    assert victim.get("/account").status_code == 302
    assert "已被暂停" in sign_in(app.test_client(), people["firm"]).get_data(as_text=True)
    post_form(client, f"/people/{user_id}/reactivate", token_from="/admin/users")
    assert sign_in(app.test_client(), people["firm"]).status_code == 302


def test_suspending_an_organisation_needs_a_reason_and_locks_its_people_out(app, client, db, login, people):
    victim = login("supplier_xinbin", app.test_client())
    _, org_id = _ids(app, db, people["supplier_xinbin"])
    login("city")
    response = post_form(client, f"/admin/organisations/{org_id}/suspend", {"reason": ""}, token_from="/")
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/organisations/{org_id}"
    assert "请填写暂停该单位的理由" in client.get(f"/admin/organisations/{org_id}").get_data(as_text=True)
    assert victim.get("/account").status_code == 200
    response = post_form(client, f"/admin/organisations/{org_id}/suspend", {"reason": "虚报滞销数量"}, token_from="/")
    assert response.status_code == 302
    assert victim.get("/account").status_code == 302
    assert sign_in(app.test_client(), people["supplier_xinbin"]).status_code == 200
    post_form(client, f"/admin/organisations/{org_id}/reinstate", {}, token_from="/")
    assert sign_in(app.test_client(), people["supplier_xinbin"]).status_code == 302


def test_the_city_office_cannot_suspend_itself(app, client, db, login, people):
    _, org_id = _ids(app, db, people["city"])
    login("city")
    assert post_form(client, f"/admin/organisations/{org_id}/suspend", {"reason": "x"}, token_from="/").status_code == 403


def test_audit_log_records_who_changed_a_status_with_old_and_new_values(app, client, db, login, people):
    from market.audit.models import AuditEntry

    _, org_id = _ids(app, db, people["firm"])
    city_id, _ = _ids(app, db, people["city"])
    login("city")
    post_form(client, f"/admin/organisations/{org_id}/suspend", {"reason": "test"}, token_from="/")
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "organisations", AuditEntry.object_id == org_id,
                                     AuditEntry.action == "organisations.update")
        ).one()
        assert entry.actor_id == city_id
        assert entry.changes == {"status": ["active", "suspended"]}
        assert entry.at.tzinfo is not None
    html = client.get("/admin/audit/?object_type=organisations").get_data(as_text=True)
    assert "修改了单位" in html and "<span>正常</span> → <span>已暂停</span>" in html and "city org" in html
    assert "organisations.update" not in html


def test_audit_log_records_password_resets_without_the_password(app, client, db, login, people):
    from market.audit.models import AuditEntry

    user_id, _ = _ids(app, db, people["firm"])
    login("city")
    post_form(client, f"/admin/users/{user_id}/reset-password", token_from="/admin/users")
    with app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "users.password_reset")).one()
        assert entry.object_id == user_id and entry.changes == {}


def test_a_failed_write_leaves_no_audit_entry(app, db, factory):
    from market.accounts.models import Organisation
    from market.audit.models import AuditEntry

    with app.app_context():
        before = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
        org = db.session.scalars(select(Organisation)).first() or factory.organisation(kind="firm")
        db.session.commit()
        before = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
        org.name = "renamed"
        db.session.flush()
        db.session.rollback()
        after = db.session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
        assert after == before


def test_audit_log_filters_by_day_in_shanghai_time(app, client, db, login, people):
    login("city")
    html = client.get("/admin/audit/?since=2000-01-01&until=2000-01-02").get_data(as_text=True)
    assert "没有符合筛选条件的记录" in html
    assert client.get("/admin/audit/?since=not-a-date").status_code == 200


def test_people_search_for_the_city_office(app, client, login, people):
    login("city")
    html = client.get("/admin/users?q=federation").get_data(as_text=True)
    assert people["federation"] in html and people["firm"] not in html
