"""A staff purchase round on phones (issue 18): the village unit's clerk opens a round of 大葱 from 永陵镇老城村 and
shares its link; two staff members open the link on their phones and sign up (one changes her mind); the clerk
closes it and places one order; the cooperative finds that one order, marked as a staff round; the hand-out list
adds up to the order and its ticks work; the staff member sees neither the unit's orders nor its money."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import ARTIFACTS, sign_in_page

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}


def _phone(browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _sign_in(page, base: str, email: str) -> None:
    """Signed in (the form is Chinese), then the language link: the rest of the story reads in English."""
    sign_in_page(page, base, email)
    page.goto(base + "/?lang=en")


def _money(text: str) -> Decimal:
    return Decimal(re.sub(r"[^0-9.]", "", text))


def _sign_up(browser, base: str, email: str, share_path: str, quantity: str, change_to: str | None = None) -> None:
    context, page = _phone(browser)
    try:
        _sign_in(page, base, email)
        page.goto(base + share_path)  # the link from the staff chat lands on the round
        assert "Chinese green onions" in page.locator("h1").inner_text()
        page.get_by_label("Quantity of 大葱").fill(quantity)
        page.get_by_role("button", name="Sign up").click()
        page.wait_for_selector("text=Change my sign-up")
        if change_to is not None:
            page.get_by_label("Quantity of 大葱").fill(change_to)
            page.get_by_role("button", name="Change my sign-up").click()
            page.wait_for_selector(f"p.my-signup >> text=大葱 {change_to}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        # Nothing of the unit's buying: its orders answer the staff page, not the list.
        assert page.goto(base + "/orders/").status == 403
    finally:
        context.close()


def test_a_round_from_opening_to_hand_out_on_phones(demo, live_server, browser):
    base = live_server
    clerk_context, clerk = _phone(browser)
    try:
        _sign_in(clerk, base, "village-unit@demo.local")
        clerk.goto(base + "/rounds/")
        clerk.get_by_role("link", name="Open a round").click()
        closes = datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=2)
        clerk.get_by_label("Title").fill("Chinese green onions from 老城村")
        clerk.get_by_label("Sign-ups close at").fill(closes.strftime("%Y-%m-%dT%H:%M"))
        clerk.get_by_label("Pick-up places (one per line)").fill("机关食堂门口")
        clerk.get_by_label("Pick-up day").fill((closes + timedelta(days=2)).strftime("%Y-%m-%d"))
        clerk.get_by_label("大葱", exact=True).check()
        clerk.get_by_label("Per-person limit of 大葱").fill("3")
        clerk.get_by_role("button", name="Open the round").click()
        clerk.wait_for_selector("text=Share its link in the staff chat")
        share_path = urlsplit(clerk.locator("input.share-link").input_value()).path
        assert share_path.startswith("/rounds/join/")
        assert clerk.locator("figure.share-qr img").count() == 1

        _sign_up(browser, base, "staff-village-4@demo.local", share_path, "2")
        _sign_up(browser, base, "staff-village-5@demo.local", share_path, "3", change_to="1")

        clerk.reload()
        assert clerk.locator("table.running-list tbody tr").count() == 2
        clerk.get_by_role("link", name="Close and order").click()
        clerk.get_by_role("button", name="Close sign-ups now").click()
        clerk.wait_for_selector("text=Sign-ups are closed")
        clerk.get_by_role("button", name="Place the order").click()
        clerk.wait_for_url(re.compile(r"/rounds/\d+/handout$"))

        # One order of 3 boxes at ¥35.00, and the hand-out list adds up to it.
        total = _money(clerk.locator("dd.handout-total").inner_text())
        assert total == Decimal("105.00")
        assert "adds up to the order" in clerk.locator(".handout-check").inner_text()
        reference = clerk.locator("main a", has_text=re.compile(r"^FS\d{8}-")).all_inner_texts()
        assert len(reference) == 1
        rows = clerk.locator("section.handout-place tbody tr")
        assert rows.count() == 2
        first = rows.first
        first.get_by_role("button", name="Mark paid").click()
        clerk.wait_for_selector("button[aria-pressed='true']")
        clerk.locator("section.handout-place tbody tr").first.get_by_role("button", name="Mark handed out").click()
        clerk.wait_for_selector("text=✓ Handed out")
        assert clerk.locator("button[aria-pressed='true']").count() == 2
        assert clerk.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        supplier_context, supplier = _phone(browser)
        try:
            _sign_in(supplier, base, "coop-xinbin@demo.local")
            supplier.goto(base + "/orders/")
            supplier.get_by_role("link", name=reference[0]).first.click()
            body = supplier.locator("main").inner_text()
            assert "Staff purchase round" in body and "105.00" in body
        finally:
            supplier_context.close()
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        clerk.screenshot(path=str(ARTIFACTS / "round-story-clerk.png"), full_page=True)
        raise
    finally:
        clerk_context.close()
