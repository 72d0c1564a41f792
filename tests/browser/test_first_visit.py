"""A visitor opens the home page in Chinese, switches to English, signs in as a party canteen and sees
its paired county."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS

pytestmark = pytest.mark.browser



def test_visitor_switches_to_english_and_signs_in_as_party_canteen(demo, live_server, page):
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    header = page.get_by_role("banner")
    assert header.get_by_role("link", name="登录").is_visible()
    assert page.get_by_text("清原满族自治县").first.is_visible()

    page.get_by_role("banner").get_by_role("link", name="English").click()
    page.wait_for_url("**lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    header.get_by_role("link", name="Sign in").click()

    page.get_by_label("Email").fill("party@demo.local")
    page.get_by_label("Password", exact=True).fill("demo-pass-2020")
    page.get_by_role("button", name="Sign in").click()

    page.wait_for_selector(".paired-county")
    assert "Qingyuan Manchu Autonomous County" in page.locator(".paired-county").inner_text()
    assert page.get_by_role("button", name="Sign out").is_visible()
    assert "Party committee organs" in page.content()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_selector("text=You have signed out.")
    assert header.get_by_role("link", name="Sign in").is_visible()


def test_chinese_text_renders_with_a_cjk_font(demo, live_server, page):
    """The page is laid out with a real CJK font, not boxes: Chinese glyphs take full-width advances."""
    page.goto(live_server + "/login")
    width = page.evaluate(
        """() => { const s = document.createElement('span'); s.textContent = '滞销农产品滞销农产品';
                   s.style.fontSize = '20px'; document.body.appendChild(s); return s.getBoundingClientRect().width; }"""
    )
    assert width >= 180  # ten CJK characters at 20px
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "login-zh.png"))
