"""Sign-in, sign-out, sessions and the sign-in rate limits."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from tests.conftest import PASSWORD, bearer_headers, csrf_token, post_form, sign_in


def test_sign_in_page_has_email_and_password_fields(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in html and 'name="password"' in html


def test_every_page_shows_who_is_signed_in_and_a_sign_out_button(client, login, people):
    login("buyer_party")
    html = client.get("/").get_data(as_text=True)
    assert "buyer_party org" in html
    assert "退出登录" in html
    html = client.get("/account").get_data(as_text=True)
    assert "退出登录" in html


def test_wrong_password_is_refused_with_a_message_next_to_the_field(client, people):
    response = sign_in(client, people["firm"], "wrong-password-123")
    assert response.status_code == 200
    assert "邮箱或密码不正确" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # still signed out


def test_sign_in_makes_a_new_session(client, people):
    client.get("/login")
    before = client.get_cookie("session")
    sign_in(client, people["firm"])
    after = client.get_cookie("session")
    assert after is not None and (before is None or before.value != after.value)


def test_a_copy_of_the_session_cookie_signs_no_one_in_after_sign_out(app, client, people):
    sign_in(client, people["firm"])
    stolen = client.get_cookie("session").value
    assert client.get("/account").status_code == 200
    post_form(client, "/logout", token_from="/")
    assert client.get("/account").status_code == 302

    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_copy_of_the_remember_cookie_signs_no_one_in_after_sign_out(app, client, people):
    sign_in(client, people["firm"], remember="y")
    remember = client.get_cookie("remember_token")
    assert remember is not None and remember.http_only
    stolen = remember.value
    post_form(client, "/logout", token_from="/")

    thief = app.test_client()
    thief.set_cookie("remember_token", stolen)
    assert thief.get("/account").status_code == 302


def test_remember_cookie_signs_in_while_the_login_session_lives(app, client, people):
    sign_in(client, people["firm"], remember="y")
    other = app.test_client()
    other.set_cookie("remember_token", client.get_cookie("remember_token").value)
    assert other.get("/account").status_code == 200


def test_session_cookie_flags(client, people):
    response = sign_in(client, people["firm"])
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_secure_cookies_when_configured(app, monkeypatch):
    from market import create_app

    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    secure_app = create_app("testing", SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"])
    assert secure_app.config["SESSION_COOKIE_SECURE"] is True
    assert secure_app.config["REMEMBER_COOKIE_SECURE"] is True
    with secure_app.app_context():
        from market.extensions import db

        db.engine.dispose()


def test_sign_out_needs_post_with_csrf(client, login):
    login("firm")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "http:/evil.example", " //evil.example"],
)
def test_no_open_redirect_after_login(client, people, target):
    token = csrf_token(client)
    response = client.post(
        "/login", query_string={"next": target},
        data={"csrf_token": token, "email": people["firm"], "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_redirect_to_a_local_page_after_login(client, people):
    token = csrf_token(client)
    response = client.post("/login", query_string={"next": "/account"},
                           data={"csrf_token": token, "email": people["firm"], "password": PASSWORD})
    assert response.headers["Location"] == "/account"


def test_form_without_csrf_token_is_refused(client, people):
    response = client.post("/login", data={"email": people["firm"], "password": PASSWORD})
    assert response.status_code == 400
    assert "表单已过期或不是来自本网站" in response.get_data(as_text=True)
    assert client.get("/account").status_code == 302


def _fail(client, email, ip):
    token = csrf_token(client)
    return client.post("/login", data={"csrf_token": token, "email": email, "password": "not-the-password"},
                       environ_base={"REMOTE_ADDR": ip})


def test_sixth_failed_sign_in_for_one_account_gets_429_from_any_address(app, people):
    email = people["firm"]
    for i in range(5):
        assert _fail(app.test_client(), email, f"10.0.0.{i + 1}").status_code == 200
    response = _fail(app.test_client(), email, "10.0.0.99")
    assert response.status_code == 429
    assert "请一分钟后再试" in response.get_data(as_text=True)
    # Even the right password is held back now.
    c = app.test_client()
    token = csrf_token(c)
    held = c.post("/login", data={"csrf_token": token, "email": email, "password": PASSWORD},
                  environ_base={"REMOTE_ADDR": "10.0.0.100"})
    assert held.status_code == 429


def test_sixth_failed_sign_in_from_one_address_gets_429_for_any_account(app, people):
    client = app.test_client()
    for i in range(5):
        assert _fail(client, f"nobody{i}@example.com", "192.0.2.7").status_code == 200
    assert _fail(client, "someone-else@example.com", "192.0.2.7").status_code == 429
    # Another address is not affected.
    assert _fail(app.test_client(), "another@example.com", "192.0.2.8").status_code == 200


def test_successful_sign_ins_from_one_office_address_are_never_held_up(app, people):
    for _ in range(3):
        for role in ("firm", "federation", "buyer_party", "supplier_qingyuan"):
            c = app.test_client()
            token = csrf_token(c)
            response = c.post("/login", data={"csrf_token": token, "email": people[role], "password": PASSWORD},
                              environ_base={"REMOTE_ADDR": "198.51.100.1"})
            assert response.status_code == 302


def test_suspended_person_cannot_sign_in(app, client, people, db):
    from market.accounts.models import User

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == people["firm"]))
        user.active = False
        db.session.commit()
    response = sign_in(client, people["firm"])
    assert response.status_code == 200
    assert "已被暂停" in response.get_data(as_text=True)


def test_password_hash_strength_of_the_real_configuration():
    from werkzeug.security import generate_password_hash

    from config import Config

    method = Config.PASSWORD_HASH_METHOD
    name, *params = method.split(":")
    if name == "scrypt":
        assert int(params[0]) >= 2**17
    else:
        assert name == "pbkdf2" and params[0] == "sha256" and int(params[1]) >= 600_000
    assert generate_password_hash("x", method=method).startswith(method)


def test_password_is_stored_hashed(app, db, people):
    from market.accounts.models import User

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == people["firm"]))
        assert PASSWORD not in user.password_hash
        assert user.password_hash.startswith("pbkdf2:sha256:")


def test_change_password_signs_out_other_sessions(app, client, login, people):
    login("firm")
    other = app.test_client()
    sign_in(other, people["firm"])
    response = post_form(client, "/account/password", {
        "current_password": PASSWORD, "password": "a-brand-new-password", "password_again": "a-brand-new-password",
    })
    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/account").status_code == 302
    assert sign_in(app.test_client(), people["firm"], "a-brand-new-password").status_code == 302


def _session(app, client) -> dict:
    cookie = client.get_cookie("session")
    return app.session_interface.get_signing_serializer(app).loads(cookie.value) if cookie else {}


def test_change_password_with_wrong_current_password_changes_nothing(app, client, login, people):
    login("firm")
    response = post_form(client, "/account/password", {
        "current_password": "wrong-one-xx", "password": "a-brand-new-password", "password_again": "a-brand-new-password",
    })
    # The operation refuses: back on the form, the message beside the field; no password is kept anywhere.
    assert response.status_code == 302 and response.headers["Location"] == "/account/password"
    assert "a-brand-new-password" not in str(_session(app, client)) and "wrong-one-xx" not in str(_session(app, client))
    html = client.get("/account/password").get_data(as_text=True)
    assert 'id="current_password-error"' in html and "当前密码不正确" in html
    assert "a-brand-new-password" not in html
    assert sign_in(app.test_client(), people["firm"]).status_code == 302


def _api_token(client, email, password=PASSWORD):
    return bearer_headers(client.application, email, password)


def test_changing_the_password_ends_api_tokens_and_other_sessions_but_not_this_one(app, client, login, people):
    login("firm")
    other = login("firm", app.test_client())
    token = _api_token(app.test_client(), people["firm"])
    assert app.test_client().get("/api/v1/orders", headers=token).status_code == 200
    response = post_form(client, "/account/password", {
        "current_password": PASSWORD, "password": "a-brand-new-password", "password_again": "a-brand-new-password",
    })
    assert response.status_code == 302
    assert app.test_client().get("/api/v1/orders", headers=token).status_code == 401
    assert other.get("/account").status_code == 302  # the other browser is signed out
    assert client.get("/account").status_code == 200  # this one goes on
    assert app.test_client().get("/api/v1/orders", headers=_api_token(app.test_client(), people["firm"],
                                                                       "a-brand-new-password")).status_code == 200


def test_a_reset_by_the_city_office_ends_every_api_token_and_session(app, client, db, login, people):
    from market.accounts.models import User

    victim = login("firm", app.test_client())
    token = _api_token(app.test_client(), people["firm"])
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == people["firm"]))
    login("city")
    assert post_form(client, f"/admin/users/{user_id}/reset-password", token_from="/admin/users").status_code == 200
    response = app.test_client().get("/api/v1/orders", headers=token)
    assert response.status_code == 401 and response.get_json()["type"] == "/api/v1/problems/invalid-token"
    assert victim.get("/account").status_code == 302


def test_a_temporary_password_opens_the_api_only_after_it_is_changed_on_the_pages(app, client, db, login, people):
    import re

    from market.accounts.models import User

    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == people["firm"]))
    city = login("city", app.test_client())
    html = post_form(city, f"/admin/users/{user_id}/reset-password", token_from="/admin/users").get_data(as_text=True)
    temporary = re.search(r'class="secret"><code>([^<]+)</code>', html).group(1)
    # No token for the temporary password: it must be changed on the pages first.
    response = client.post("/api/v1/tokens", json={"email": people["firm"], "password": temporary})
    assert response.status_code == 403
    assert response.get_json()["type"] == "/api/v1/problems/password-change-required"
    assert "修改密码" in response.get_json()["detail"]
    # A token that outlived the reset some other way (here: the flag set directly) is refused on every call.
    token = _api_token(app.test_client(), people["city"])
    with app.app_context():
        db.session.execute(update(User).where(User.email == people["city"]).values(must_change_password=True))
        db.session.commit()
    for path in ("/api/v1/orders", "/api/v1/pledges", "/api/v1/products", "/api/v1/reports/totals"):
        response = app.test_client().get(path, headers=token)
        assert response.status_code == 403, path
        assert response.get_json()["type"] == "/api/v1/problems/password-change-required", path
    # Changed on the pages, the new password gets a token that works.
    assert sign_in(client, people["firm"], temporary).headers["Location"] == "/account/password"
    post_form(client, "/account/password", {"current_password": temporary, "password": "a-brand-new-password",
                                            "password_again": "a-brand-new-password"})
    fresh = _api_token(app.test_client(), people["firm"], "a-brand-new-password")
    assert app.test_client().get("/api/v1/orders", headers=fresh).status_code == 200
