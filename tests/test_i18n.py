"""Chinese by default, English on request; money and time as people in Fushun read them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.conftest import post_form


def test_chinese_by_default(client):
    html = client.get("/").get_data(as_text=True)
    assert '<html lang="zh-Hans">' in html
    assert "登录" in html and "清原满族自治县" in html


def test_chinese_catalog_is_compiled_for_zh_hans_cn(app):
    from flask_babel import force_locale, gettext

    with app.test_request_context("/"):
        with force_locale("zh_Hans_CN"):
            assert gettext("Sign out") == "退出登录"
        with force_locale("en"):
            assert gettext("Sign out") == "Sign out"


@pytest.mark.parametrize(
    "header, expected",
    [("en-US,en;q=0.9", "Sign in"), ("en", "Sign in"), ("zh-CN,zh;q=0.9", "登录"), ("zh-TW", "登录"),
     ("fr-FR", "登录"), ("fr-FR, en;q=0.5", "Sign in")],
)
def test_accept_language_is_honoured_for_visitors(client, header, expected):
    html = client.get("/login", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f">{expected}</h1>" in html


def test_language_switch_is_kept_in_the_session(client):
    response = post_form(client, "/language", {"locale": "en", "next": "/login"}, token_from="/")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    html = client.get("/").get_data(as_text=True)
    assert "Sign in" in html and "Qingyuan Manchu Autonomous County" in html
    # The session choice beats the browser's header.
    assert "Sign in" in client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)


def test_language_switch_is_kept_in_the_profile(app, client, login, people, db):
    from market.accounts.models import User

    login("buyer_party")
    post_form(client, "/language", {"locale": "en"}, token_from="/")
    with app.app_context():
        assert db.session.scalar(select(User.locale).where(User.email == people["buyer_party"])) == "en"
    # A new session (another browser) of the same person starts in English.
    other = app.test_client()
    login("buyer_party", other)
    assert "Sign out" in other.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)


def test_unknown_language_is_refused(client):
    assert post_form(client, "/language", {"locale": "xx"}, token_from="/").status_code == 400


def test_language_switch_does_not_redirect_off_site(client):
    response = post_form(client, "/language", {"locale": "en", "next": "https://evil.example/"}, token_from="/")
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(
    "amount, shown",
    [(Decimal("1234.5"), "¥1,234.50"), (Decimal("0"), "¥0.00"), ("1000000", "¥1,000,000.00"),
     (Decimal("2.005"), "¥2.01"), (Decimal("-3.1"), "-¥3.10")],
)
def test_money_format(app, amount, shown):
    from market.i18n import money

    assert money(amount) == shown


def test_money_format_is_the_same_in_english(app):
    from flask_babel import force_locale

    from market.i18n import money

    with app.test_request_context("/"), force_locale("en"):
        assert money(Decimal("1234.5")) == "¥1,234.50"


def test_times_show_in_asia_shanghai(app):
    from market.i18n import local_datetime

    with app.test_request_context("/"):
        assert local_datetime(datetime(2020, 3, 1, 16, 30, tzinfo=UTC)) == "2020-03-02 00:30"


def test_every_message_has_a_chinese_translation():
    from pathlib import Path

    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[1] / "market" / "translations"
    with open(root / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f)
    untranslated = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else all(m.string))]
    assert untranslated == []
    # Extract from the source now, so a string added without `make babel-update` fails here.
    from babel.messages.extract import extract_from_dir

    method_map = [("market/**.py", "python"), ("templates/**.html", "jinja2")]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    found = {
        message if isinstance(message, str) else message[0]
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(root.parents[1]), method_map, keywords=keywords
        )
    }
    assert len(found) > 100
    missing = sorted(m for m in found if m not in catalog)
    assert missing == [], "run `make babel-update` and translate"


@pytest.mark.parametrize("amount, shown", [(Decimal("850.000"), "850"), (Decimal("12000"), "12,000"),
                                           (Decimal("12.500"), "12.5"), (Decimal("0.001"), "0.001"),
                                           (Decimal("1234.25"), "1,234.25")])
def test_quantity_format(amount, shown):
    from market.i18n import quantity

    assert quantity(amount) == shown
