"""axe-core (from npm, `node_modules/axe-core`) runs on the main pages of every role, signed in with the demo
accounts, and finds no violation of impact "serious" or "critical".

The site's Content-Security-Policy allows only scripts from the site itself, so axe is injected into a
browser context made with `bypass_csp=True` (in this test only). The visitor pages are checked at desktop size
and at a 360×740 phone viewport.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "demo-pass-2020"
BLOCKING = ("serious", "critical")

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}

VISITOR_PAGES = [
    "/",
    "/catalog/",
    "/catalog/qingyuan",
    "/bulletins/",
    "/login",
    "/register",
    "/reports/transparency",
]

#: role -> (demo account, its main pages); "/" is the role's home page.
ROLE_PAGES = {
    "party": (
        "party@demo.local",
        ["/", "/catalog/all", "/orders/", "/orders/cart", "/demands/", "/pairing/tallies", "/orders/reserved-share"],
    ),
    "coop": ("coop-qingyuan@demo.local", ["/", "/catalog/mine", "/orders/"]),
    "county_office": ("county-qingyuan@demo.local", ["/", "/catalog/review", "/catalog/survey"]),
    "city": ("city@demo.local", ["/", "/admin/organisations", "/admin/audit/", "/reports/city", "/pairing/"]),
    "federation": ("federation@demo.local", ["/", "/reports/federation", "/pledges/"]),
    "firm": ("firm@demo.local", ["/", "/pledges/"]),
    "hospital": ("hospital@demo.local", ["/", "/agreements/"]),
}

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
def axe_source() -> Path:
    if not AXE.exists():
        reason = f"{AXE.relative_to(ROOT)} not found (run `npm ci` or `make install-test`)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"accessibility tests cannot run on CI: {reason}")
        pytest.skip(f"accessibility tests skipped: {reason}")
    return AXE


def _context(browser, viewport):
    context = browser.new_context(locale="zh-CN", viewport=viewport, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _sign_in(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("邮箱").fill(email)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="登录").click()
    page.wait_for_selector("text=退出登录")


def _check(page, base: str, path: str, axe: Path) -> list[str]:
    """Open `path`, run axe, and return one line per serious or critical violation."""
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
    problems: list[str] = []
    for path in paths:
        problems += _check(page, base, path, axe)
    if problems:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"a11y-{label}.png"), full_page=True)
    print(f"{label}: {len(paths)} pages checked, {len(problems)} serious/critical violations")
    assert not problems, f"{len(problems)} serious/critical axe violations:\n" + "\n".join(problems)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_visitor_pages_have_no_serious_violations(demo, live_server, browser, axe_source, viewport):
    context, page = _context(browser, viewport)
    try:
        _audit(page, live_server, VISITOR_PAGES, axe_source, f"visitor-{viewport['width']}")
    finally:
        context.close()


@pytest.mark.parametrize("role", list(ROLE_PAGES))
def test_role_pages_have_no_serious_violations(demo, live_server, browser, axe_source, role):
    email, paths = ROLE_PAGES[role]
    context, page = _context(browser, DESKTOP)
    try:
        _sign_in(page, live_server, email)
        _audit(page, live_server, paths, axe_source, role)
    finally:
        context.close()
