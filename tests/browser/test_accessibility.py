"""Accessibility: axe-core finds nothing serious on the main pages of every role, and reading and ordering work
with JavaScript switched off.

axe-core comes from npm (`package.json` at the repository root; `make install-test` runs `npm ci`) and is read
from `node_modules/axe-core/axe.min.js`. The site's Content-Security-Policy allows only the site's own scripts,
so `page.add_script_tag` is refused unless the browser context is made with `bypass_csp=True`; that is done
here only, for the axe contexts. Every role runs in a browser context of its own, signed in with the demo
accounts of `flask seed-demo`; the visitor pages are checked at desktop size (in Chinese and in English) and at
a 360×740 phone viewport.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import ARTIFACTS, sign_in_page as _sign_in

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}

#: "{product}" is the first product of Qingyuan's catalog, found by following its link (ids differ per database).
VISITOR_PAGES = [
    "/",
    "/catalog/",
    "/catalog/qingyuan",
    "{product}",
    "/bulletins/",
    "/login",
    "/register",
    "/reports/transparency",
]

#: role -> (demo account, its main pages); "/" is the role's own home page.
ROLE_PAGES = {
    "party": (
        "party@demo.local",
        ["/", "/catalog/all", "{product}", "/orders/", "/orders/cart", "/demands/", "/pairing/tallies",
         "/orders/reserved-share"],
    ),
    "coop": ("coop-qingyuan@demo.local", ["/", "/catalog/mine", "/orders/"]),
    "county_office": ("county-qingyuan@demo.local", ["/", "/catalog/review", "/catalog/survey"]),
    "city": ("city@demo.local", ["/", "/admin/organisations", "/admin/audit/", "/reports/city", "/pairing/"]),
    "federation": ("federation@demo.local", ["/", "/reports/federation", "/pledges/"]),
    "firm": ("firm@demo.local", ["/", "/pledges/"]),
    "hospital": ("hospital@demo.local", ["/", "/agreements/"]),
    # The village unit's clerk and one of its staff: the demo's delivered round and its open one.
    "unit_clerk": ("village-unit@demo.local", ["/", "/rounds/", "{open_round}", "{open_round}/closing",
                                               "{closed_round}", "{closed_round}/handout", "/rounds/owed",
                                               "/staff/", "/staff/invitation"]),
    "staff": ("staff-village@demo.local", ["/", "/rounds/", "{open_round}", "{closed_round}"]),
}

#: The demo rounds, by a word of their titles (their ids differ per database).
ROUND_TITLES = {"open_round": "冬储菜", "closed_round": "年货接龙"}

#: Run axe and keep what a failure message needs: rule, impact, help and the offending elements.
RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ['violations']});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                summary: (n.failureSummary || '').slice(0, 300)})),
  }));
}"""


@pytest.fixture(scope="session")
def axe_script() -> Path:
    if not AXE.exists():
        reason = f"{AXE.relative_to(ROOT)} not found (run `npm ci` or `make install-test`)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"accessibility tests cannot run on CI: {reason}")
        pytest.skip(f"accessibility tests skipped: {reason}")
    return AXE


def _context(browser, viewport, **options):
    context = browser.new_context(locale="zh-CN", viewport=viewport, **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _first_product(page, base: str) -> str:
    page.goto(base + "/catalog/qingyuan")
    href = page.locator("main .product-card .product-name a").first.get_attribute("href")
    assert href and href.startswith("/catalog/products/"), href
    return href


def _rounds(page, base: str) -> dict[str, str]:
    page.goto(base + "/rounds/")
    found = {}
    for key, word in ROUND_TITLES.items():
        href = page.locator("main a", has_text=word).first.get_attribute("href")
        assert href and href.startswith("/rounds/"), (word, href)
        found[key] = href
    return found


def _check(page, base: str, path: str, axe: Path) -> list[str]:
    """Open `path`, run axe, and return one line per element with a serious or critical violation."""
    response = page.goto(base + path)
    assert response is not None and response.status == 200, f"{path}: HTTP {response and response.status}"
    page.add_script_tag(path=str(axe))
    assert page.evaluate("() => typeof axe !== 'undefined'"), f"{path}: axe-core was not injected"
    problems = []
    for violation in page.evaluate(RUN_AXE):
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"]:
            problems.append(
                f"{path}: [{violation['impact']}] {violation['id']} ({violation['help']}) at {node['target']}\n"
                f"    {node['html']}\n    {node['summary']}".rstrip()
            )
    return problems


def _audit(page, base: str, paths: list[str], axe: Path, label: str) -> None:
    if any("{product}" in path for path in paths):
        product = _first_product(page, base)
        paths = [path.format(product=product) for path in paths]
    if any("_round}" in path for path in paths):
        rounds = _rounds(page, base)
        paths = [path.format(**rounds) for path in paths]
    problems: list[str] = []
    for path in paths:
        problems += _check(page, base, path, axe)
    print(f"{label}: {len(paths)} pages checked by axe-core, {len(problems)} serious or critical violations")
    if problems:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"a11y-{label}.png"), full_page=True)
    assert not problems, f"{len(problems)} serious or critical axe-core violations:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    ("viewport", "language"),
    [(DESKTOP, "zh"), (PHONE, "zh"), (DESKTOP, "en")],
    ids=["desktop", "phone", "desktop-english"],
)
def test_visitor_pages_have_no_serious_violations(axe_script, browser, demo, live_server, viewport, language):
    context, page = _context(browser, viewport, bypass_csp=True)
    try:
        if language == "en":
            page.goto(live_server + "/")
            page.get_by_role("banner").get_by_role("link", name="English").click()
            page.wait_for_url("**lang=en")
            assert page.locator("html").get_attribute("lang") == "en"
        _audit(page, live_server, VISITOR_PAGES, axe_script, f"visitor-{language}-{viewport['width']}")
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_role_pages_have_no_serious_violations(axe_script, browser, demo, live_server, role, viewport):
    email, paths = ROLE_PAGES[role]
    context, page = _context(browser, viewport, bypass_csp=True)
    try:
        _sign_in(page, live_server, email)
        if role == "party":  # the cart is checked with a line in it: its quantity field and buttons
            page.goto(live_server + "/catalog/qingyuan")
            page.get_by_role("link", name="黑木耳", exact=True).first.click()
            page.get_by_label("数量").fill("40")
            page.get_by_role("button", name="加入购物车").click()
            page.wait_for_selector("text=已加入购物车")
        _audit(page, live_server, paths, axe_script, f"{role}-{viewport['width']}")
    finally:
        context.close()


def test_reading_and_ordering_work_without_javascript(browser, demo, live_server):
    """A visitor reads Qingyuan's catalog and a product; the party canteen then signs in, adds the product to its
    cart, places the order and sees it, all with JavaScript switched off."""
    context, page = _context(browser, DESKTOP, java_script_enabled=False)
    try:
        base = live_server
        page.goto(base + "/register")  # proof that no script runs: site.js would hide these blocks
        assert page.locator("[data-for-kind='supplier']").is_visible()
        assert page.locator("[data-for-kind='buyer']").is_visible()

        page.goto(base + "/catalog/qingyuan")
        assert "清原满族自治县" in page.locator("main h1").inner_text()
        assert page.locator("main .product-card").count() > 0
        page.get_by_role("link", name="黑木耳", exact=True).first.click()
        page.wait_for_url(base + "/catalog/products/**")
        product_url = page.url
        assert page.locator("main h1").inner_text().startswith("黑木耳")
        assert page.locator("main .price").inner_text().startswith("¥")
        assert page.get_by_role("button", name="加入购物车").count() == 0  # visitors do not order

        _sign_in(page, base, "party@demo.local")
        page.goto(product_url)
        page.get_by_label("数量").fill("40")
        page.get_by_role("button", name="加入购物车").click()
        page.wait_for_selector("text=已加入购物车")

        page.goto(base + "/orders/cart")
        assert page.get_by_role("link", name="黑木耳", exact=True).is_visible()
        page.get_by_role("button", name="提交订单").click()
        page.wait_for_selector("text=订单已提交")
        references = page.locator("main table tbody tr td:first-child a")
        assert references.count() == 1
        reference = references.first.inner_text()
        references.first.click()
        page.wait_for_url(base + "/orders/*")
        assert reference in page.locator("main h1").inner_text()
        assert "黑木耳" in page.locator("main table").first.inner_text()
        assert page.locator(".order-status").inner_text() == "待确认"
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "no-javascript.png"), full_page=True)
        raise
    finally:
        context.close()
