"""Visitors' public pages: no cookie, shareable by a proxy (public, max-age=5, an ETag the same for every visitor,
Vary: Accept-Language only), served whole from the cache; signed-in pages stay private."""

from __future__ import annotations

from contextlib import contextmanager
from decimal import Decimal

import pytest
from flask import template_rendered

from tests.conftest import csrf_token, post_form
from tests.factories import PASSWORD, make_product, stranded_product


@contextmanager
def rendered(app):
    """The names of the templates rendered while the block runs."""
    names: list[str] = []

    def record(_sender, template, **_extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)


def _issue_url(app, client, login, people) -> str:
    from market.i18n import local_today

    office = login("county_qingyuan", app.test_client())
    response = post_form(office, "/bulletins/qingyuan/publish", {"issue_date": local_today().isoformat()},
                         token_from="/bulletins/qingyuan/")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return response.headers["Location"]


@pytest.fixture()
def public_urls(app, db, people, login, client):
    """Every kind of visitor's public page, with something on it."""
    product_id = stranded_product(app, db, people, "黑木耳")
    return {
        "home": "/",
        "catalog index": "/catalog/",
        "county catalog": "/catalog/qingyuan",
        "all counties": "/catalog/all",
        "product": f"/catalog/products/{product_id}",
        "bulletin archive": "/bulletins/",
        "county bulletins": "/bulletins/qingyuan/",
        "bulletin issue": _issue_url(app, client, login, people),
        "transparency": "/reports/transparency",
        "honour": "/reports/honour",
    }


def _assert_public(response):
    assert response.status_code in (200, 304)
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "public, max-age=5"
    assert response.headers["Vary"] == "Accept-Language"
    assert response.headers.get("ETag")


def test_visitors_pages_set_no_cookie_and_are_shareable(app, public_urls):
    for name, url in public_urls.items():
        first, second = app.test_client(), app.test_client()
        a, b = first.get(url), second.get(url)
        assert a.status_code == 200, name
        _assert_public(a)
        _assert_public(b)
        assert a.headers["ETag"] == b.headers["ETag"], name
        assert a.data == b.data, name
        assert 'name="csrf_token"' not in a.get_data(as_text=True), name
        again = second.get(url, headers={"If-None-Match": a.headers["ETag"]})
        assert again.status_code == 304, name
        _assert_public(again)
        assert not first._cookies and not second._cookies, name


def test_a_visitors_etag_and_cache_key_carry_the_language(app, public_urls):
    url = public_urls["county catalog"]
    chinese = app.test_client().get(url, headers={"Accept-Language": "zh-CN"})
    english = app.test_client().get(url, headers={"Accept-Language": "en"})
    assert '<html lang="zh-Hans">' in chinese.get_data(as_text=True)
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert chinese.headers["ETag"] != english.headers["ETag"]
    assert '<html lang="zh-Hans">' in app.test_client().get(url, headers={"Accept-Language": "zh"}).get_data(
        as_text=True)


def test_the_second_visitor_is_served_without_rendering(app, people, count_queries):
    from market.extensions import db

    make_product(app, db, people, name="香菇")
    with rendered(app) as first:
        assert app.test_client().get("/catalog/qingyuan?sort=name").status_code == 200
    assert "catalog/county.html" in first
    with rendered(app) as second, count_queries() as counted:
        response = app.test_client().get("/catalog/qingyuan?sort=name")
    assert response.status_code == 200 and "香菇" in response.get_data(as_text=True)
    assert second == []
    assert counted.n <= 1  # the county and its catalog version, in one statement
    with rendered(app) as other_query:
        app.test_client().get("/catalog/qingyuan?sort=price")
    assert "catalog/county.html" in other_query  # the query string is part of the key


def test_a_catalog_change_is_visible_to_a_visitor_at_once(app, db, people, login):
    product_id = make_product(app, db, people, stock="100")
    url = f"/catalog/products/{product_id}"
    assert "¥68.00" in app.test_client().get("/catalog/qingyuan").get_data(as_text=True)
    before = app.test_client().get(url)
    assert "<strong>100</strong>" in before.get_data(as_text=True)

    supplier = login("supplier_qingyuan", app.test_client())
    assert post_form(supplier, f"{url}/stock", {"reason": "restock", "delta": "50"}).status_code == 302
    after = app.test_client().get(url)
    assert "<strong>150</strong>" in after.get_data(as_text=True)
    assert after.headers["ETag"] != before.headers["ETag"]
    assert app.test_client().get(url, headers={"If-None-Match": before.headers["ETag"]}).status_code == 200

    from market.catalog.models import Product

    with app.app_context():
        db.session.get(Product, product_id).price = Decimal("70.00")
        db.session.commit()
    html = app.test_client().get("/catalog/qingyuan").get_data(as_text=True)
    assert "¥70.00" in html and "¥68.00" not in html


def test_a_signed_in_buyers_catalog_is_private_and_keeps_its_forms(app, db, people, login, client):
    product_id = make_product(app, db, people)
    visitor_page = app.test_client().get(f"/catalog/products/{product_id}").get_data(as_text=True)
    login("buyer_party")
    for url in ("/catalog/qingyuan", "/catalog/all", f"/catalog/products/{product_id}"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "private, no-cache", url
        assert "Cookie" in response.headers.get("Vary", ""), url
    html = client.get(f"/catalog/products/{product_id}").get_data(as_text=True)
    assert 'action="/orders/cart"' in html or "add-to-cart" in html
    assert 'name="csrf_token"' in html and 'name="quantity"' in html
    # the visitor's version of the same page was not served to the buyer, and the buyer's is not shared
    assert 'name="quantity"' not in visitor_page
    assert f"/login?next=/catalog/products/{product_id}" in visitor_page
    assert 'name="quantity"' not in app.test_client().get(f"/catalog/products/{product_id}").get_data(as_text=True)


def test_a_visitors_sign_in_link_comes_back_to_the_product(app, db, people, client):
    product_id = make_product(app, db, people)
    token_page = client.get(f"/login?next=/catalog/products/{product_id}")
    assert token_page.status_code == 200

    response = client.post(f"/login?next=/catalog/products/{product_id}",
                           data={"email": people["buyer_party"], "password": PASSWORD,
                                 "csrf_token": csrf_token(client, "/login")})
    assert response.status_code == 302 and response.headers["Location"] == f"/catalog/products/{product_id}"
    # the browser may still hold the visitor's page of that product: it is asked to drop it
    assert response.headers["Clear-Site-Data"] == '"cache"'
    assert 'name="quantity"' in client.get(f"/catalog/products/{product_id}").get_data(as_text=True)


def test_the_language_link_works_for_a_visitor(app, client, public_urls):
    html = client.get("/catalog/qingyuan?sort=name").get_data(as_text=True)
    assert 'href="/catalog/qingyuan?sort=name&amp;lang=en"' in html
    response = client.get("/catalog/qingyuan?sort=name&lang=en")
    assert response.status_code == 200 and '<html lang="en">' in response.get_data(as_text=True)
    assert "Set-Cookie" in response.headers  # choosing a language is what a cookie is for
    assert response.headers["Clear-Site-Data"] == '"cache"'  # pages kept in the other language are dropped
    # a visitor who chose a language is no longer "every visitor": private, never shared
    assert response.headers["Cache-Control"] == "private, no-cache" and "Cookie" in response.headers["Vary"]
    assert 'href="/catalog/qingyuan?sort=name&amp;lang=zh_Hans_CN"' in response.get_data(as_text=True)
    page = client.get("/catalog/qingyuan?sort=name")
    assert '<html lang="en">' in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "private, no-cache"
    assert '<html lang="zh-Hans">' in app.test_client().get("/catalog/qingyuan?sort=name").get_data(as_text=True)


def test_the_language_link_works_for_a_signed_in_person(app, db, people, login, client):
    login("buyer_party")
    response = client.get("/catalog/all?lang=en")
    assert response.status_code == 200 and '<html lang="en">' in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-cache"
    assert '<html lang="en">' in client.get("/catalog/all").get_data(as_text=True)
    other = login("buyer_party", app.test_client())  # the profile keeps the choice
    assert '<html lang="en">' in other.get("/").get_data(as_text=True)
    assert '<html lang="zh-Hans">' in client.get("/?lang=zh_Hans_CN").get_data(as_text=True)
    assert '<html lang="zh-Hans">' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("junk", ["xx", "", "en-US", "<script>", "zh_Hans_CN%20", "EN"])
def test_junk_in_lang_is_ignored(app, junk):
    visitor = app.test_client()
    response = visitor.get(f"/catalog/qingyuan?lang={junk}")
    assert response.status_code == 200
    _assert_public(response)
    assert "Clear-Site-Data" not in response.headers
    assert '<html lang="zh-Hans">' in response.get_data(as_text=True)
    assert not visitor._cookies


def test_the_language_form_still_works(app, client):
    """The old POST /language stays (a contract): it needs its CSRF token, taken from the sign-in page."""
    response = post_form(client, "/language", {"locale": "en", "next": "/catalog/all"})
    assert response.status_code == 302 and response.headers["Location"] == "/catalog/all"
    assert '<html lang="en">' in client.get("/catalog/all").get_data(as_text=True)


def test_a_visitor_with_a_message_waiting_gets_a_private_page(app, db, people, login, client):
    login("buyer_party")
    response = post_form(client, "/logout", {}, token_from="/")
    assert response.status_code == 302 and response.headers["Clear-Site-Data"] == '"cache"'
    page = client.get("/")  # "You have signed out." is shown once, in a page of its own, never shared
    assert "You have signed out." in page.get_data(as_text=True) or "您已退出" in page.get_data(as_text=True)
    assert "public" not in page.headers.get("Cache-Control", "")
    _assert_public(client.get("/catalog/all"))  # then a visitor like any other
