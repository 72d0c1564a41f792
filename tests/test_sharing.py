"""Sharing a page (issue 16): Open Graph tags for WeChat, a QR code of the page on screen, on paper and in the
catalog's PDF. Every address is absolute on PUBLIC_URL whatever Host the request names, and a visitor's page
stays the same for everyone (no cookie)."""

from __future__ import annotations

import base64
import io
from html.parser import HTMLParser
from pathlib import Path

import pytest
import segno
from PIL import Image
from pypdf import PdfReader

from tests.factories import make_product, stranded_product, user_by_email

PUBLIC = "https://market.example.org"
#: What a sender may write to make the site link to itself: none of it may reach a shared or printed address.
FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"}


class _Page(HTMLParser):
    """The <meta> tags of a page's head and the QR code's <img> (inside figure.share-qr)."""

    def __init__(self):
        super().__init__()
        self.meta: dict[str, str] = {}
        self.qr: list[dict] = []
        self.captions = 0
        self._in_qr = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and (attrs.get("property") or attrs.get("name")):
            self.meta[attrs.get("property") or attrs["name"]] = attrs.get("content") or ""
        elif tag == "figure" and "share-qr" in (attrs.get("class") or "").split():
            self._in_qr = True
        elif tag == "img" and self._in_qr:
            self.qr.append(attrs)
        elif tag == "figcaption" and self._in_qr:
            self.captions += 1

    def handle_endtag(self, tag):
        if tag == "figure":
            self._in_qr = False


def _page(response) -> _Page:
    assert response.status_code == 200
    page = _Page()
    page.feed(response.get_data(as_text=True))
    return page


def _segno_svg(url: str) -> bytes:
    """The QR code segno draws for `url`, written as the page embeds it (market/sharing.py)."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(buffer, kind="svg", xmldecl=False, nl=False, omitsize=True,
                                                 svgclass=None, lineclass=None, light="#fff")
    return buffer.getvalue()


def _embedded_svg(page: _Page) -> bytes:
    assert len(page.qr) == 1, page.qr
    prefix = "data:image/svg+xml;base64,"
    src = page.qr[0]["src"]
    assert src.startswith(prefix)
    return base64.b64decode(src[len(prefix):])


@pytest.fixture()
def public_url(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", PUBLIC)
    return PUBLIC


def _assert_shared(response, url: str, *, image: str, description: tuple[str, ...]) -> _Page:
    """og and twitter tags on PUBLIC_URL, a QR code of `url` with alt text and caption, and a visitor's page."""
    page = _page(response)
    meta = page.meta
    assert meta["og:url"] == url
    assert meta["og:image"] == image
    assert meta["og:title"] and meta["og:type"] in ("website", "article")
    assert all(part in meta["og:description"] for part in description), meta["og:description"]
    assert meta["twitter:card"] == "summary"
    assert all("evil.example" not in value for value in meta.values())
    assert _embedded_svg(page) == _segno_svg(url)
    assert _embedded_svg(page) != _segno_svg(url.replace(PUBLIC, "http://evil.example"))
    assert url in page.qr[0]["alt"] and page.captions == 1
    assert "扫码打开本页" in response.get_data(as_text=True)
    # a visitor's page: kept by shared caches, so the same for everyone and carrying no cookie
    assert response.headers.getlist("Set-Cookie") == []
    assert response.headers["Cache-Control"].startswith("public")
    assert "img-src 'self' data:" in response.headers["Content-Security-Policy"]
    return page


def _png(fmt="PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (30, 120, 40)).save(out, fmt)
    return out.getvalue()


def test_a_product_page_is_shared_with_its_photo_and_figures(app, db, people, public_url, login):
    from market.catalog import operations as ops
    from market.catalog.models import Product

    product_id = make_product(app, db, people, name="黑木耳", stock="850")
    url = f"{PUBLIC}/catalog/products/{product_id}"
    visitor = app.test_client()
    _assert_shared(visitor.get(f"/catalog/products/{product_id}", headers=FORGED), url,
                   image=f"{PUBLIC}/static/img/share.png",
                   description=("清原满族自治县", "supplier_qingyuan org", "¥68.00 / 公斤", "在售 850 公斤"))
    stranded_id = stranded_product(app, db, people, "榛蘑", stock="120")  # 滞销 only where it is stranded
    _assert_shared(visitor.get(f"/catalog/products/{stranded_id}"), f"{PUBLIC}/catalog/products/{stranded_id}",
                   image=f"{PUBLIC}/static/img/share.png", description=("滞销 120 公斤",))

    with app.app_context(), app.test_request_context("/"):
        photo = ops.add_photo(db.session.get(Product, product_id), _png())
        db.session.commit()
        photo_id = photo.id
    page = _assert_shared(visitor.get(f"/catalog/products/{product_id}", headers=FORGED), url,
                          image=f"{PUBLIC}/catalog/photos/{photo_id}.full", description=("¥68.00",))
    assert page.meta["og:title"] == "黑木耳"
    # the picture named is one a visitor may fetch
    assert visitor.get(f"/catalog/photos/{photo_id}.full").mimetype == "image/png"

    # a signed-in buyer's page shares the same address and code (nothing of the person in them)
    buyer = login("buyer_party")
    mine = _page(buyer.get(f"/catalog/products/{product_id}", headers=FORGED))
    assert mine.meta["og:url"] == url and _embedded_svg(mine) == _segno_svg(url)


def test_a_webp_photo_is_not_offered_as_the_shared_picture(app, db, people, public_url):
    from market.catalog import operations as ops
    from market.catalog.models import Product

    product_id = make_product(app, db, people, name="香菇")
    with app.app_context(), app.test_request_context("/"):
        product = db.session.get(Product, product_id)
        ops.add_photo(product, _png("WEBP"))
        jpeg = ops.add_photo(product, _png("JPEG"))
        db.session.commit()
        jpeg_id = jpeg.id
    page = _page(app.test_client().get(f"/catalog/products/{product_id}"))
    assert page.meta["og:image"] == f"{PUBLIC}/catalog/photos/{jpeg_id}.full"


def test_catalog_pages_are_shared_with_the_county_and_its_number_of_products(app, db, people, public_url):
    make_product(app, db, people, name="黑木耳")
    make_product(app, db, people, name="榛蘑")
    make_product(app, db, people, name="草稿", publish=False)  # not listed: not counted
    make_product(app, db, people, "supplier_xinbin", name="新宾白菜")
    visitor = app.test_client()
    _assert_shared(visitor.get("/catalog/qingyuan?sort=price&page=1", headers=FORGED), f"{PUBLIC}/catalog/qingyuan",
                   image=f"{PUBLIC}/static/img/share.png", description=("清原满族自治县", "共有 2 种"))
    _assert_shared(visitor.get("/catalog/all", headers=FORGED), f"{PUBLIC}/catalog/all",
                   image=f"{PUBLIC}/static/img/share.png", description=("共有 3 种",))
    english = _page(visitor.get("/catalog/qingyuan", headers={**FORGED, "Accept-Language": "en"}))
    assert english.meta["og:description"] == "Qingyuan Manchu Autonomous County: 2 poverty-alleviation products in the catalog"


def test_a_bulletin_issue_is_shared_with_its_date_and_summary(app, db, people, public_url):
    from market.bulletins import operations as ops
    from market.i18n import local_today
    from market.regions.models import County

    stranded_product(app, db, people, "黑木耳", days=40)
    stranded_product(app, db, people, "香菇", days=5)
    with app.app_context(), app.test_request_context("/"):
        county = db.session.query(County).filter_by(code="qingyuan").one()
        issue = ops.publish_issue(county, user_by_email(db, people["county_qingyuan"]), local_today(), "欢迎采购")
        db.session.commit()
        issue_id = issue.id
    page = _assert_shared(app.test_client().get(f"/bulletins/issues/{issue_id}", headers=FORGED),
                          f"{PUBLIC}/bulletins/issues/{issue_id}", image=f"{PUBLIC}/static/img/share.png",
                          description=("发布", "2 种滞销产品", "黑木耳", "香菇", "欢迎采购"))
    assert page.meta["og:type"] == "article" and "第1期" in page.meta["og:title"]


def test_the_catalog_pdf_carries_the_qr_code_of_the_catalog_page(app, db, people, public_url):
    from market.sharing import qr_png

    make_product(app, db, people, name="黑木耳")
    response = app.test_client().get("/catalog/qingyuan/catalog.pdf", headers=FORGED)
    assert response.status_code == 200 and b"/Subtype /Image" in response.data
    images = PdfReader(io.BytesIO(response.data)).pages[0].images
    assert len(images) == 1
    printed = images[0].image.convert("L")
    with app.app_context():
        expected = Image.open(io.BytesIO(qr_png(f"{PUBLIC}/catalog/qingyuan"))).convert("L")
        forged = Image.open(io.BytesIO(qr_png("http://evil.example/catalog/qingyuan"))).convert("L")
    assert printed.size == expected.size and printed.tobytes() == expected.tobytes()
    assert printed.tobytes() != forged.tobytes() or printed.size != forged.size
    # the code is segno's for that address: its modules, one PNG pixel block each
    symbol = segno.make(f"{PUBLIC}/catalog/qingyuan", error="m", micro=False)
    assert printed.size == symbol.symbol_size(scale=8)


def test_the_print_stylesheet_hides_navigation_and_forms_and_shows_the_qr_code():
    css = (Path(__file__).resolve().parent.parent / "static" / "css" / "site.css").read_text(encoding="utf-8")
    printing = css[css.rindex("@media print"):]
    hidden = printing[:printing.index("display: none")]
    assert all(part in hidden for part in (".site-header", "nav", "form", ".button"))
    assert ".share-qr { display: flex" in printing
