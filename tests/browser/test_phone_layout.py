"""Phones first: at 360 × 740, every main page of every role reads without squeezed values, a tall header or
sideways scrolling.

For each role (the visitor and eight demo accounts of `flask seed-demo`) one browser context at a phone viewport
visits the pages of that role's header links (and, for the visitor, the footer's), then one detail page of each
kind linked from them (a county catalog, a product, an order, a bulletin issue, a pledge, an agreement, a demand,
an organisation, a staff purchase round, its closing plan and its hand-out list). The party canteen's cart is visited with a line in it. A page fails when:

(a) a short text (an element whose text is at most 14 characters and which holds text of its own: a table cell's
    value, a badge, money, a date, a button) is laid out on three or more lines, counted from the client
    rectangles of its text nodes;
(b) the site header is taller than a quarter of the screen (185 px);
(c) the page scrolls sideways, or an element that is not clipped reaches past the right edge of the viewport;
(d) a table cell with text has no `data-label` (on a phone the cell is a card line, and the label says what it is).

Every failing page is saved as a full-page screenshot in test-artifacts/ and named, with what offends, in the
assertion message.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import ARTIFACTS, sign_in_page

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
MAX_HEADER = PHONE["height"] / 4
SHORT = 14
MAX_LINES = 2

#: role -> demo account (None: a visitor).
ROLES = {
    "visitor": None,
    "canteen": "party@demo.local",
    "supplier": "coop-qingyuan@demo.local",
    "county_office": "county-qingyuan@demo.local",
    "firm": "firm@demo.local",
    "federation": "federation@demo.local",
    "city_office": "city@demo.local",
    "unit_clerk": "village-unit@demo.local",  # runs staff purchase rounds and manages staff
    "staff": "staff-village@demo.local",
}

#: One detail page of each kind: the first link in <main> (on the pages already visited) matching the pattern.
DETAIL_PAGES = [
    re.compile(r"^/catalog/(?!all$|mine$|review$|survey$)[a-z-]+$"),
    re.compile(r"^/catalog/products/\d+$"),
    re.compile(r"^/orders/\d+$"),
    re.compile(r"^/bulletins/issues/\d+$"),
    re.compile(r"^/pledges/\d+$"),
    re.compile(r"^/agreements/\d+$"),
    re.compile(r"^/demands/\d+$"),
    re.compile(r"^/admin/organisations/\d+$"),
    re.compile(r"^/rounds/\d+$"),
    re.compile(r"^/rounds/\d+/closing$"),
    re.compile(r"^/rounds/\d+/handout$"),
]

#: The site's own page links in the header (menu, profile) and, for a visitor, the footer.
LINKS = """(selector) => [...document.querySelectorAll(selector)].map((a) => a.getAttribute('href'))"""

#: Measure the page: short texts on 3+ lines, the header's height, sideways scrolling and elements too wide.
MEASURE = """([short, maxLines]) => {
  const vw = document.documentElement.clientWidth;
  const describe = (el) => {
    let name = el.tagName.toLowerCase();
    if (el.classList.length) name += '.' + [...el.classList].join('.');
    const text = (el.innerText || el.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 40);
    return text ? `${name} "${text}"` : name;
  };
  const lineCount = (el) => {
    const rects = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) if (r.width > 0 && r.height > 0) rects.push(r);
    }
    rects.sort((a, b) => a.top - b.top);
    let lines = 0, bottom = -Infinity;
    for (const r of rects) {
      if ((r.top + r.bottom) / 2 > bottom) { lines += 1; bottom = r.bottom; } else bottom = Math.max(bottom, r.bottom);
    }
    return lines;
  };
  const clipped = (el) => {
    for (let e = el; e && e !== document.body; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (['hidden', 'clip'].includes(style.overflowX) || style.clipPath !== 'none') return true;
    }
    return false;
  };
  const wrapped = [];
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (['SCRIPT', 'STYLE', 'OPTION', 'TEMPLATE', 'NOSCRIPT'].includes(el.tagName)) continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue;  // hidden, or inside the folded menu
    const own = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    const text = (el.textContent || '').replace(/\\s+/g, ' ').trim();
    if (own && text.length <= short) {
      const lines = lineCount(el);
      if (lines > maxLines) wrapped.push(`${describe(el)} on ${lines} lines`);
    }
    const box = el.getBoundingClientRect();
    if (box.width > 0 && box.height > 0 && box.right > vw + 0.5 && !clipped(el)) {
      const parent = el.parentElement && el.parentElement.getBoundingClientRect();
      // Name the outermost offender only: its children spill over because it does.
      if (!(parent && parent.right > vw + 0.5 && !clipped(el.parentElement))) {
        wide.push(`${describe(el)} reaches ${Math.round(box.right)} px`);
      }
    }
  }
  // A card line without its label reads as a bare value: every shown cell says which column it is.
  const unlabelled = [...document.querySelectorAll('main td:not([data-label]):not(.empty)')]
    .filter((td) => td.textContent.trim() && td.checkVisibility()).map(describe);
  const header = document.querySelector('header.site-header');
  const root = document.scrollingElement;
  return {
    wrapped, wide, unlabelled,
    header: header ? header.getBoundingClientRect().height : 0,
    scrollWidth: root.scrollWidth, clientWidth: root.clientWidth,
  };
}"""


def _problems(page, path: str, menu_open: bool = False) -> list[str]:
    result = page.evaluate(MEASURE, [SHORT, MAX_LINES])
    problems = [f"{path}: {text}" for text in result["wrapped"]]
    if result["header"] > MAX_HEADER and not menu_open:
        problems.append(f"{path}: the header is {result['header']:.0f} px tall (at most {MAX_HEADER:.0f})")
    if result["scrollWidth"] > result["clientWidth"]:
        problems.append(f"{path}: the page scrolls sideways ({result['scrollWidth']} > {result['clientWidth']} px)")
    problems += [f"{path}: {text}" for text in result["wide"][:5]]
    problems += [f"{path}: a table cell without data-label: {text}" for text in result["unlabelled"][:5]]
    return problems


def _local(href: str | None, base: str) -> str | None:
    """The path of a link to one of the site's pages, or None for other links (files, feeds, other sites)."""
    if not href:
        return None
    parts = urlsplit(href)
    if parts.netloc and href.startswith("http") and not href.startswith(base):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if not path.startswith("/") or re.search(r"\.(xml|csv|xlsx|pdf|json)$", parts.path) or "lang=" in path:
        return None
    return path


def _visit(page, base: str, path: str, role: str, failures: list[str]) -> list[str]:
    """Open `path`, measure it, screenshot it when it fails; return the links in its <main>. On the home page the
    header's menu is measured opened too."""
    response = page.goto(base + path)
    assert response is not None and response.status == 200, f"{role} {path}: HTTP {response and response.status}"
    problems = _problems(page, path)
    if path == "/":
        page.locator("header details.site-menu > summary").click()
        assert page.locator("header .main-nav").is_visible(), f"{role}: the header's menu does not open"
        problems += _problems(page, "/ (menu open)", menu_open=True)
    if problems:
        ARTIFACTS.mkdir(exist_ok=True)
        slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
        page.screenshot(path=str(ARTIFACTS / f"phone-{role}-{slug}.png"), full_page=True)
        failures += problems
    return page.evaluate(LINKS, "main a[href]")


def _fill_cart(page, base: str) -> None:
    page.goto(base + "/catalog/qingyuan")
    page.get_by_role("link", name="黑木耳", exact=True).first.click()
    page.get_by_label("数量").fill("40")
    page.get_by_role("button", name="加入购物车").click()
    page.wait_for_selector("text=已加入购物车")


@pytest.mark.parametrize("role", list(ROLES))
def test_main_pages_read_on_a_phone(browser, demo, live_server, role):
    base = live_server
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        email = ROLES[role]
        if email:
            sign_in_page(page, base, email)
        if role == "canteen":
            _fill_cart(page, base)
        page.goto(base + "/")
        selector = "header a[href]" + (", footer a[href]" if email is None else "")
        pages: list[str] = ["/"]
        for href in page.evaluate(LINKS, selector):
            path = _local(href, base)
            if path and path not in pages:
                pages.append(path)
        failures: list[str] = []
        seen_links: list[str] = []
        for path in pages:
            seen_links += _visit(page, base, path, role, failures)
        details = []
        for pattern in DETAIL_PAGES:
            found = next((p for p in map(lambda h: _local(h, base), seen_links) if p and pattern.match(p)), None)
            if found and found not in pages:
                details.append(found)
                seen_links += _visit(page, base, found, role, failures)
        print(f"{role}: {len(pages) + len(details)} pages at 360×740: {', '.join(pages + details)}")
        assert not failures, f"{role}: {len(failures)} layout problems at 360×740:\n" + "\n".join(failures)
    finally:
        context.close()
