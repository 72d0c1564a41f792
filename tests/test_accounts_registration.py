"""Self-registration and approval: suppliers by their county office, everyone else by the city office."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, post_form, sign_in
from tests.factories import count_rows as _count

SUPPLIER = {
    "kind": "supplier",
    "organisation_name": "清原县湾甸子镇蜂蜜合作社",
    "county": "qingyuan",
    "supplier_type": "cooperative",
    "name": "关大山",
    "phone": "13800000000",
    "email": "honey@example.com",
    "password": "a-long-password",
    "password_again": "a-long-password",
}


def _org(app, db, name):
    from market.accounts.models import Organisation

    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == name))
        return (org.id, org.status.value, org.kind.value) if org else None


def test_supplier_registers_and_is_pending(app, client, db):
    response = post_form(client, "/register", SUPPLIER)
    assert response.status_code == 302
    org_id, status, kind = _org(app, db, SUPPLIER["organisation_name"])
    assert (status, kind) == ("pending", "supplier")
    html = client.get("/").get_data(as_text=True)
    assert "待审核" in html and "清原满族自治县扶贫办正在审核" in html


def test_county_office_of_the_suppliers_county_approves_it(app, client, db, login, people):
    post_form(client, "/register", SUPPLIER)
    org_id, *_ = _org(app, db, SUPPLIER["organisation_name"])
    office = app.test_client()
    login("county_qingyuan", office)
    assert SUPPLIER["organisation_name"] in office.get("/").get_data(as_text=True)
    assert SUPPLIER["organisation_name"] in office.get("/admin/organisations?status=pending").get_data(as_text=True)
    response = post_form(office, f"/admin/organisations/{org_id}/approve", {"reason": ""},
                         token_from=f"/admin/organisations/{org_id}")
    assert response.status_code == 302
    assert _org(app, db, SUPPLIER["organisation_name"])[1] == "active"


def test_another_county_office_never_sees_the_supplier(app, client, db, login):
    post_form(client, "/register", SUPPLIER)
    org_id, *_ = _org(app, db, SUPPLIER["organisation_name"])
    office = login("county_xinbin", app.test_client())
    assert office.get(f"/admin/organisations/{org_id}").status_code == 404
    assert SUPPLIER["organisation_name"] not in office.get("/admin/organisations").get_data(as_text=True)
    response = post_form(office, f"/admin/organisations/{org_id}/approve", {}, token_from="/")
    assert response.status_code == 404
    assert _org(app, db, SUPPLIER["organisation_name"])[1] == "pending"


def test_buyer_is_approved_by_the_city_office_not_a_county_office(app, client, db, login):
    data = dict(SUPPLIER, kind="buyer", organisation_name="抚顺市教育局机关食堂", county="", supplier_type="",
                buyer_system="government", buyer_type="agency_canteen", email="edu@example.com")
    assert post_form(client, "/register", data).status_code == 302
    org_id, status, kind = _org(app, db, "抚顺市教育局机关食堂")
    assert (status, kind) == ("pending", "buyer")
    office = login("county_xinbin", app.test_client())
    assert post_form(office, f"/admin/organisations/{org_id}/approve", {}, token_from="/").status_code == 404
    city = login("city", app.test_client())
    assert post_form(city, f"/admin/organisations/{org_id}/approve", {}, token_from="/").status_code == 302
    assert _org(app, db, "抚顺市教育局机关食堂")[1] == "active"


def test_rejection_needs_a_reason_and_shows_it(app, client, db, login):
    post_form(client, "/register", SUPPLIER)
    org_id, *_ = _org(app, db, SUPPLIER["organisation_name"])
    city = login("city", app.test_client())
    response = post_form(city, f"/admin/organisations/{org_id}/reject", {"reason": ""}, token_from="/")
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/organisations/{org_id}"
    assert "请填写驳回注册的理由" in city.get(response.headers["Location"]).get_data(as_text=True)
    assert _org(app, db, SUPPLIER["organisation_name"])[1] == "pending"
    post_form(city, f"/admin/organisations/{org_id}/reject", {"reason": "材料不全"}, token_from="/")
    assert _org(app, db, SUPPLIER["organisation_name"])[1] == "rejected"
    # The rejected registrant can no longer sign in, and is told why.
    response = sign_in(app.test_client(), SUPPLIER["email"], SUPPLIER["password"])
    assert "注册已被驳回：材料不全" in response.get_data(as_text=True)


def test_pending_organisation_cannot_manage_members(app, client, db):
    post_form(client, "/register", SUPPLIER)
    response = post_form(client, "/organisation/members", {
        "name": "同事", "email": "colleague@example.com", "role": "member", "password": "another-password",
    })
    assert response.status_code == 403


def test_approving_twice_is_refused(app, client, db, login):
    post_form(client, "/register", SUPPLIER)
    org_id, *_ = _org(app, db, SUPPLIER["organisation_name"])
    city = login("city", app.test_client())
    post_form(city, f"/admin/organisations/{org_id}/approve", {}, token_from="/")
    response = post_form(city, f"/admin/organisations/{org_id}/reject", {"reason": "x"}, token_from="/")
    assert response.status_code == 302  # back to the organisation, with why
    assert "只有待审核的注册才能通过或驳回" in city.get(response.headers["Location"]).get_data(as_text=True)
    assert _org(app, db, SUPPLIER["organisation_name"])[1] == "active"


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"email": "not-an-email"}, "email", "请输入有效的邮箱地址"),
        ({"email": ""}, "email", "请输入邮箱"),
        ({"password": "short", "password_again": "short"}, "password", "密码长度须为10至128个字符"),
        ({"password_again": "something-else"}, "password_again", "两次输入的密码不一致"),
        ({"organisation_name": ""}, "organisation_name", "请输入单位名称"),
        ({"county": ""}, "county", "供应商须选择所在县区"),
        ({"supplier_type": ""}, "supplier_type", "请选择供应商类型"),
        ({"county": "atlantis"}, "county", "Not a valid choice"),
        ({"credit_code": "123"}, "credit_code", "统一社会信用代码由18位字母和数字组成"),
        ({"kind": "city_office"}, "kind", "Not a valid choice"),
        ({"kind": "buyer", "buyer_system": ""}, "buyer_system", "请选择本单位所属系统"),
    ],
)
def test_bad_registration_input_gets_a_message_and_writes_nothing(app, client, db, changes, field, message):
    from market.accounts.models import Organisation, User

    before = (_count(app, db, Organisation), _count(app, db, User))
    response = post_form(client, "/register", dict(SUPPLIER, **changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in html
    assert message in html or message == "Not a valid choice"
    assert (_count(app, db, Organisation), _count(app, db, User)) == before


def test_registering_an_email_twice_is_refused_and_writes_nothing(app, client, db, people):
    from market.accounts.models import Organisation

    before = _count(app, db, Organisation)
    response = post_form(client, "/register", dict(SUPPLIER, email=people["firm"].upper()))
    # The operation refuses: back on the form with the message beside the email and what was typed, but for
    # the passwords, which are never kept (not even in the signed session cookie).
    assert response.status_code == 302 and response.headers["Location"] == "/register"
    cookie = client.get_cookie("session").value
    assert SUPPLIER["password"] not in str(app.session_interface.get_signing_serializer(app).loads(cookie))
    html = client.get("/register").get_data(as_text=True)
    assert 'id="email-error"' in html and "该邮箱已注册账号" in html
    assert f'value="{SUPPLIER["organisation_name"]}"' in html and SUPPLIER["password"] not in html
    assert _count(app, db, Organisation) == before


def test_manager_adds_a_member_who_must_choose_a_password(app, client, db, login):
    login("firm")
    response = post_form(client, "/organisation/members", {
        "name": "小王", "email": "Colleague@Example.com", "role": "member", "password": "first-password-1",
    })
    assert response.status_code == 302
    colleague = app.test_client()
    response = sign_in(colleague, "colleague@example.com", "first-password-1")
    assert response.headers["Location"] == "/account/password"
    assert colleague.get("/").headers["Location"] == "/account/password"


def test_member_cannot_add_members(app, client, db, factory, people):
    with app.app_context():
        from market.accounts.models import User

        firm = db.session.scalar(select(User).where(User.email == people["firm"])).organisation
        factory.make_user(firm, email="member@example.com", role="member")
        db.session.commit()
    sign_in(client, "member@example.com", PASSWORD)
    response = post_form(client, "/organisation/members", {
        "name": "x", "email": "x@example.com", "role": "manager", "password": "first-password-1",
    })
    assert response.status_code == 403
