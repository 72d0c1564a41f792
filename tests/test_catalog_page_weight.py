"""Page weight: Qingyuan's catalog page with its stylesheets and scripts stays under 100 KB on the wire.

Each response is compressed on its own with gzip at level 6, as a reverse proxy (nginx's default `gzip_comp_level`
is 1, most CDNs use about 6) would send it; the budget is for a buyer on a slow county mobile connection.
Photos are not counted: the catalog loads its thumbnails lazily and the demo products have none.
"""

from __future__ import annotations

import gzip
from html.parser import HTMLParser
from urllib.parse import urlsplit

BUDGET = 100 * 1000  # bytes, gzip-compressed
PAGE = "/catalog/qingyuan"


class _Assets(HTMLParser):
    """The stylesheets and scripts a page makes the browser fetch."""

    def __init__(self):
        super().__init__()
        self.css: list[str] = []
        self.js: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and "stylesheet" in (attrs.get("rel") or "").split() and attrs.get("href"):
            self.css.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.js.append(attrs["src"])


def _gzipped(body: bytes) -> int:
    return len(gzip.compress(body, compresslevel=6))


def _fetch(client, url: str) -> bytes:
    parts = urlsplit(url)
    assert not parts.netloc, f"{url} is not served by the site"
    response = client.get(parts.path + (f"?{parts.query}" if parts.query else ""))
    try:
        assert response.status_code == 200, (url, response.status_code)
        return response.get_data()
    finally:
        response.close()


def test_catalog_page_with_its_css_and_js_is_under_100_kb_gzipped(app, demo, client):
    html = _fetch(client, PAGE)
    assert "清原满族自治县".encode() in html and b"product-card" in html  # the demo catalog, not an empty page
    assets = _Assets()
    assets.feed(html.decode("utf-8"))
    assert assets.css, "the page links no stylesheet"

    sizes = {PAGE: (len(html), _gzipped(html))}
    for url in dict.fromkeys(assets.css + assets.js):  # each file once, in page order
        body = _fetch(client, url)
        sizes[url] = (len(body), _gzipped(body))

    page_alone = sizes[PAGE][1]
    total = sum(gzipped for _, gzipped in sizes.values())
    for url, (raw, gzipped) in sizes.items():
        print(f"{url}: {raw:,} bytes, {gzipped:,} bytes gzipped")
    print(f"{PAGE} alone: {page_alone:,} bytes gzipped; with its CSS and JS: {total:,} bytes gzipped "
          f"(budget {BUDGET:,})")

    assert page_alone < BUDGET, f"{PAGE} alone is {page_alone:,} bytes gzipped, over {BUDGET:,}"
    assert total < BUDGET, f"{PAGE} with its CSS and JS is {total:,} bytes gzipped, over {BUDGET:,}"
