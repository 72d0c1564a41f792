"""The benchmark's own pieces that read the app's pages: if a page changes under them, `make bench` would
measure refusals instead of orders (it once placed none), so they are checked against the real pages here."""

from __future__ import annotations

from benchmarks.bare import _rows, create_app
from benchmarks.web import csrf_token, place_form
from tests.conftest import post_form
from tests.factories import make_product


def test_the_cart_page_form_read_by_the_benchmark_places_the_order(app, db, people, login, client):
    product_id = make_product(app, db, people, name="热销大米", stock="50")
    login("buyer_party")
    added = post_form(client, "/orders/cart/add", {"product_id": product_id, "quantity": "2"}, token_from="/")
    assert added.status_code == 302
    cart = client.get("/orders/cart").get_data(as_text=True)
    form = place_form(cart)
    assert form["client_token"] and f"seen_price_{product_id}" in form
    placed = client.post("/orders/place", data={"csrf_token": csrf_token(cart), **form})
    assert placed.status_code == 302 and "/orders/placed/" in placed.headers["Location"]


def test_the_bare_ceiling_page_has_the_size_it_is_given(monkeypatch):
    monkeypatch.setenv("BENCH_PAGE_BYTES", "45000")
    page = create_app().test_client().get("/")
    assert page.status_code == 200
    assert 44_000 <= len(page.data) <= 45_000
    assert len(_rows(45_000)) == 50  # as many cards as the measured catalog page lists
