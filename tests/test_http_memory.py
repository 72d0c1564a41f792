"""Each process answers a visitor's public page again from its own memory for PUBLIC_PAGE_MEMORY_SECONDS:
nothing read, and the page says it is older; never for anyone with a cookie, a token or a language choice."""

from __future__ import annotations

import time

import pytest

from tests.factories import make_product

MEMORY_SECONDS = 0.5
CATALOG = "/catalog/qingyuan"


@pytest.fixture()
def memory(app, monkeypatch):
    from market import http

    monkeypatch.setitem(app.config, "PUBLIC_PAGE_MEMORY_SECONDS", MEMORY_SECONDS)
    http._memory.clear()
    yield http._memory
    http._memory.clear()


def _rename(app, db, product_id: int, name: str) -> None:
    from market.catalog.models import Product

    with app.app_context():
        db.session.get(Product, product_id).name = name
        db.session.commit()


def test_a_visitors_page_is_answered_again_from_memory_reading_nothing(app, db, people, memory, count_queries):
    make_product(app, db, people, name="黑木耳")
    first = app.test_client().get(CATALOG)
    assert first.status_code == 200 and "黑木耳" in first.get_data(as_text=True)
    assert first.headers["Cache-Control"] == "public, max-age=5"
    with count_queries() as counted:
        again = app.test_client().get(CATALOG)
    assert counted.n == 0
    assert again.get_data() == first.get_data() and again.headers["ETag"] == first.headers["ETag"]
    # A second older at most, so it is kept a second less: a change still reaches visitors within max-age=5.
    assert again.headers["Cache-Control"] == "public, max-age=4"
    assert again.headers["X-Accel-Expires"] == "3"
    assert "Set-Cookie" not in again.headers and again.headers["Vary"] == "Accept-Language"
    not_modified = app.test_client().get(CATALOG, headers={"If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304


def test_a_change_shows_once_the_memory_has_expired(app, db, people, memory):
    product_id = make_product(app, db, people, name="黑木耳")
    app.test_client().get(CATALOG)
    _rename(app, db, product_id, "榛蘑")
    assert "黑木耳" in app.test_client().get(CATALOG).get_data(as_text=True)  # within the memory's time
    time.sleep(MEMORY_SECONDS + 0.1)
    fresh = app.test_client().get(CATALOG)
    assert "榛蘑" in fresh.get_data(as_text=True) and fresh.headers["Cache-Control"] == "public, max-age=5"


def test_languages_are_kept_apart(app, db, people, memory):
    make_product(app, db, people, name="黑木耳")
    chinese = app.test_client().get(CATALOG, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    english = app.test_client().get(CATALOG, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert chinese != english and 'lang="en"' in english


def test_signed_in_people_and_language_choices_are_never_answered_from_memory(app, db, people, login, memory,
                                                                             count_queries):
    make_product(app, db, people, name="黑木耳")
    app.test_client().get(CATALOG)
    buyer = login("buyer_party")
    with count_queries() as counted:
        page = buyer.get(CATALOG)
    assert counted.n > 0 and page.headers["Cache-Control"].startswith("private")
    with count_queries() as counted:
        chosen = app.test_client().get(CATALOG + "?lang=en")
    assert counted.n > 0 and "public" not in chosen.headers["Cache-Control"]
    token = app.test_client().get(CATALOG, headers={"Authorization": "Bearer whatever"})
    assert token.headers["Cache-Control"] != "public, max-age=4"


def test_memory_is_bounded(app, db, people, memory, monkeypatch):
    from market import http

    monkeypatch.setattr(http, "MEMORY_PAGES", 3)
    make_product(app, db, people, name="黑木耳")
    for page in range(1, 6):
        app.test_client().get(f"{CATALOG}?page={page}")
    assert len(memory) == 3
    assert [key[1] for key in memory] == [b"page=3", b"page=4", b"page=5"]  # the oldest went first
