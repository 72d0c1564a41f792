"""party@demo.local meets Qingyuan's produce first, orders from two suppliers in one go, both suppliers confirm
and ship, the canteen accepts and rates, and the city office sees the Party-committee→Qingyuan tally grow once
the orders are paid."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.browser.conftest import ARTIFACTS, sign_in_page as _sign_in

pytestmark = pytest.mark.browser


def _page(browser):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def _party_qingyuan_tally(page, base) -> Decimal:
    page.goto(base + "/pairing/tallies")
    total = Decimal("0")
    for row in page.locator("table.tally-systems tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        if cells and cells[0] == "市委机关" and cells[1] == "清原满族自治县":
            total += Decimal(re.sub(r"[¥,]", "", cells[-1]))
    return total


def test_party_canteen_orders_from_two_paired_suppliers(demo, live_server, browser):
    city_context, city = _page(browser)
    _sign_in(city, live_server, "city@demo.local")
    before = _party_qingyuan_tally(city, live_server)

    buyer_context, page = _page(browser)
    _sign_in(page, live_server, "party@demo.local")
    page.get_by_role("link", name="产品目录", exact=True).click()
    first = page.locator("section.paired-first")
    assert "清原满族自治县" in first.locator("h2").inner_text()
    for name in ("黑木耳", "小米"):
        first.get_by_role("link", name=name, exact=True).first.click()
        page.get_by_label("数量").fill("40" if name == "黑木耳" else "6")
        page.get_by_role("button", name="加入购物车").click()
        page.wait_for_selector("text=已加入购物车")
        page.goto(live_server + "/catalog/")
    page.get_by_role("link", name="购物车", exact=True).click()
    assert page.locator("main h2 + table").count() == 2  # two suppliers, one table each
    page.get_by_role("button", name="提交订单").click()
    page.wait_for_selector("text=订单已提交")
    references = page.locator("main table tbody tr td:first-child a").all_inner_texts()
    assert len(references) == 2

    for supplier in ("coop-qingyuan@demo.local", "farm-qingyuan@demo.local"):
        context, s = _page(browser)
        _sign_in(s, live_server, supplier)
        s.locator("section.new-orders").get_by_role("link", name=re.compile("|".join(references))).first.click()
        s.get_by_role("button", name="确认订单").click()
        s.wait_for_selector("text=已确认，采购方可在订单页面看到")
        s.get_by_label("承运方").fill("县供销社冷链配送")
        s.get_by_label("运单号").fill("LL2020001")
        s.get_by_role("button", name="标记为已发货").click()
        s.wait_for_selector(".order-status:has-text('已发货')")
        context.close()

    amounts = []
    for reference in references:
        page.goto(live_server + "/orders/")
        page.get_by_role("link", name=reference).click()
        page.get_by_role("button", name="验收", exact=True).click()
        page.wait_for_selector(".order-status:has-text('已验收')")
        page.get_by_label("评分").select_option("5")
        page.get_by_label("评价").fill("新鲜，送货及时")
        page.get_by_role("button", name="评价").click()
        page.wait_for_selector(".order-status:has-text('已完成')")
        amounts.append(Decimal(re.sub(r"[¥,]", "", page.locator("tfoot th.num").inner_text())))
    buyer_context.close()

    assert _party_qingyuan_tally(city, live_server) == before  # accepted but not yet paid
    # Each supplier records the bank transfer for its own order.
    for supplier in ("coop-qingyuan@demo.local", "farm-qingyuan@demo.local"):
        context, s = _page(browser)
        _sign_in(s, live_server, supplier)
        for reference in references:
            s.goto(live_server + "/orders/")
            if s.get_by_role("link", name=reference).count():
                s.get_by_role("link", name=reference).click()
                if s.get_by_role("button", name="登记已收款").count():
                    s.get_by_label("付款方式").select_option("bank_transfer")
                    s.get_by_label("转账或刷卡凭证号").fill("BOC-" + reference)
                    s.get_by_role("button", name="登记已收款").click()
                    s.wait_for_selector(".payment-status:has-text('已付款')")
        context.close()
    after = _party_qingyuan_tally(city, live_server)
    assert after == before + sum(amounts)
    ARTIFACTS.mkdir(exist_ok=True)
    city.screenshot(path=str(ARTIFACTS / "tallies.png"), full_page=True)
    city_context.close()
