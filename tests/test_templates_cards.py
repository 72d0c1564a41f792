"""Phones: every table cell of the catalog, admin, agreement, pairing, demand and account pages carries its column's
name (`data-label`, which the card layout shows below 600 px) or is an empty row (`class="empty"`); no enum code
(`edible_fungi`, `agency_canteen`, ...) reaches a person; and "stranded" (滞销) is said of stranded products only."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from tests.conftest import ROLES, draft_agreement, post_form, upload_survey
from tests.factories import make_product, place_order, sign_agreement_both, stranded_product, supplier_org_id


class _Main(HTMLParser):
    """The `<td>` attributes and the text (no attributes, no scripts) inside `<main>`."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # > 0 inside <main>
        self.skip = 0  # inside <script>/<style>
        self.cells: list[dict] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth += 1
        elif self.depth and tag in ("script", "style"):
            self.skip += 1
        elif self.depth and tag == "td":
            self.cells.append(dict(attrs))

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1
        elif self.depth and tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data):
        if self.depth and not self.skip:
            self.text.append(data)


def _codes() -> set[str]:
    """Every value of every enum that has human names (market.labels)."""
    from market.labels import LABELS

    return {str(member.value) for enum_cls in LABELS for member in enum_cls}


def problems(html: str, names: tuple[str, ...] = ()) -> list[str]:
    """What is wrong with a page: unlabelled cells, and enum codes in its text (`names` of people and
    organisations, which may contain such a word, are taken out first)."""
    page = _Main()
    page.feed(html)
    found = [f"<td {cell}> has no data-label" for cell in page.cells
             if not (cell.get("data-label") or "").strip() and "empty" not in (cell.get("class") or "").split()]
    text = re.sub(r"https?://\S+", " ", " ".join(page.text))  # a page's own address (its QR code's caption)
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    found += [f"raw code {code!r} in the text" for code in sorted(_codes())
              if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text)]
    return found


def _cells(html: str) -> int:
    page = _Main()
    page.feed(html)
    return len(page.cells)


def _names(people) -> tuple[str, ...]:
    return tuple(people.values()) + tuple(f"{role} org" for role in ROLES)


def _check(client, people, urls: dict[str, bool]) -> None:
    """Each url answers 200 and has no problem; where `urls[url]` is true it must show at least one cell."""
    failures = {}
    for url, has_cells in urls.items():
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        found = problems(html, _names(people))
        if has_cells and not _cells(html):
            found.append("no table cell at all")
        if found:
            failures[url] = found
    assert not failures


def test_the_checker_finds_an_unlabelled_cell_and_a_raw_code():
    html = ('<main><table><tr><td data-label="产品">木耳</td><td>x</td><td data-label=" ">y</td></tr>'
            '<tr><td colspan="3" class="empty">无</td></tr></table><p>edible_fungi · 食用菌</p>'
            '<select><option value="bank_transfer">银行转账</option></select></main><td>outside</td>')
    found = problems(html)
    assert len(found) == 3 and "raw code 'edible_fungi' in the text" in found
    assert problems("<main><p>firm org</p></main>", ("firm org",)) == []


@pytest.fixture()
def products(app, db, people):
    return {
        "stranded": stranded_product(app, db, people, "黑木耳", days=30, stock="80", price=Decimal("68.00")),
        "plain": make_product(app, db, people, name="蓝莓", stock="40", price=Decimal("25.00")),
        "draft": make_product(app, db, people, name="榛子", publish=False, stock="10"),
    }


def test_catalog_pages(app, db, people, client, login, products):
    _check(client, people, {"/catalog/": True, "/catalog/qingyuan": False, "/catalog/all": False,
                            f"/catalog/products/{products['stranded']}": False,
                            f"/catalog/products/{products['plain']}": False})
    client = login("supplier_qingyuan", app.test_client())
    post_form(client, f"/catalog/products/{products['draft']}/submit",
              token_from=f"/catalog/products/{products['draft']}")
    _check(client, people, {"/catalog/mine": True, f"/catalog/products/{products['stranded']}/stock": True,
                            f"/catalog/products/{products['plain']}/edit": False, "/catalog/mine/new": False})
    client = login("county_qingyuan", app.test_client())
    response = post_form(client, "/catalog/survey", {
        "surveyed_on": "2020-03-01", "product_name": "黑木耳", "category": "edible_fungi", "unit": "kg",
        "unsold_quantity": "640", "cooperatives": "红透山合作社", "poor_households": "46"})
    assert response.status_code == 302
    _check(client, people, {"/catalog/review": True, "/catalog/survey": True})
    header = "摸排日期,产品名称,品种,类别,单位,滞销数量,涉及企业,涉及合作社,涉及贫困户数,乡镇,村"
    refused = upload_survey(client, (header + "\r\n2020-03-01,土豆,,蔬菜,公斤,-5,,,3,,").encode("utf-8"))
    assert refused.status_code == 422 and _cells(refused.get_data(as_text=True))
    assert problems(refused.get_data(as_text=True), _names(people)) == []


def test_empty_tables_say_so_in_an_empty_row(app, db, people, client, login):
    login("supplier_qingyuan")
    html = client.get("/catalog/mine").get_data(as_text=True)
    assert 'class="empty"' in html and problems(html, _names(people)) == []


def test_city_office_pages(app, db, people, client, login, products):
    place_order(app, db, people["buyer_party"], [(products["plain"], "2")])
    supplier = supplier_org_id(app, db, people, "supplier_qingyuan")
    login("city")
    assert post_form(client, f"/admin/organisations/{supplier}/suspend", {"reason": "资质到期"},
                     token_from=f"/admin/organisations/{supplier}").status_code == 302
    html = client.get(f"/admin/organisations/{supplier}").get_data(as_text=True)
    assert "open-orders" in html  # the table of orders under way is shown and checked below
    _check(client, people, {"/admin/organisations": True, f"/admin/organisations/{supplier}": True,
                            "/admin/users": True, "/pairing/": True})


@pytest.fixture()
def veg(app, db, people):
    return {"cabbage": make_product(app, db, people, "supplier_xinbin", name="大白菜", stock="5000",
                                    price=Decimal("1.20")),
            "potato": make_product(app, db, people, "supplier_xinbin", name="土豆", stock="3000",
                                   price=Decimal("1.60"))}


def test_agreement_and_demand_pages(app, db, people, client, login, veg, products):
    from market.i18n import local_today

    agreement = draft_agreement(app, db, people, client, login, veg)
    sign_agreement_both(app, db, people, agreement)
    response = post_form(client, "/demands/", {
        "product_name": "", "category": "edible_fungi", "quantity": "20", "unit": "kg",
        "wanted_by": (local_today() + timedelta(days=14)).isoformat(), "delivery_place": "医院食堂"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    demand = response.headers["Location"]
    _check(client, people, {"/agreements/": True, f"/agreements/{agreement}": True,
                            f"/agreements/{agreement}/amend": True, "/agreements/new": False,
                            "/demands/": True, demand: False})
    _check(login("supplier_qingyuan", app.test_client()), people, {"/demands/": True})


def test_account_pages(app, db, people, client, login):
    login("buyer_school")
    post_form(client, "/account/tokens", {"name": "采购系统"})
    _check(client, people, {"/organisation/members": True, "/account/tokens": True, "/account": False,
                            "/account/password": False})
    # The API documentation names the API's own values in <code> (they are what a program sends): cells only.
    page = _Main()
    page.feed(app.test_client().get("/api/v1/docs").get_data(as_text=True))
    assert all(cell.get("data-label") or "empty" in (cell.get("class") or "") for cell in page.cells)


def test_stranded_is_said_of_stranded_products_only(app, db, people, client, login, products):
    stranded = client.get(f"/catalog/products/{products['stranded']}").get_data(as_text=True)
    plain = client.get(f"/catalog/products/{products['plain']}").get_data(as_text=True)
    assert "<dt>滞销数量</dt>" in stranded and "<dt>在售数量</dt>" in plain and "滞销" not in _text(plain)
    cards = client.get("/catalog/qingyuan").get_data(as_text=True)
    assert re.search(r'class="unsold">滞销 <strong>80</strong>', cards)
    assert re.search(r'class="unsold">在售 <strong>40</strong>', cards)
    client = login("supplier_qingyuan", app.test_client())
    stock = client.get(f"/catalog/products/{products['plain']}/stock").get_data(as_text=True)
    mine = client.get("/catalog/mine").get_data(as_text=True)
    assert "在售数量:" in stock and "滞销数量" not in stock
    assert "滞销数量" not in mine and mine.count('<span class="badge badge-stranded">滞销</span>') == 1


def _text(html: str) -> str:
    page = _Main()
    page.feed(html)
    return " ".join(page.text)
