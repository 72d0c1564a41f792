"""A cooperative lists a stranded product with a photo, the county office approves it, and a visitor finds it
in the county catalog by a Chinese search word, with its unsold quantity."""

from __future__ import annotations

import pytest
from PIL import Image

from tests.browser.conftest import ARTIFACTS, sign_in_page as sign_in

pytestmark = pytest.mark.browser



def test_listing_to_catalog(demo, live_server, browser, tmp_path):
    photo = tmp_path / "mushroom.jpg"
    Image.new("RGB", (800, 600), (90, 60, 40)).save(photo, "JPEG")

    coop = browser.new_context(locale="zh-CN")
    page = coop.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, "coop-qingyuan@demo.local")
    page.get_by_role("link", name="我的产品").click()
    page.get_by_role("link", name="发布产品").click()
    page.get_by_label("产品名称").fill("椴木灵芝")
    page.get_by_label("品类").select_option("edible_fungi")
    page.get_by_label("品种").fill("赤芝")
    page.get_by_label("单位").select_option("kg")
    page.get_by_label("单价（元）").fill("260")
    page.get_by_label("当前滞销数量").fill("320")
    page.get_by_label("带动贫困户数").fill("18")
    page.get_by_label("滞销：无法通过正常渠道销售").check()
    page.get_by_label("滞销起始日期").fill("2020-02-15")
    page.get_by_label("滞销原因").fill("疫情期间药店渠道停滞")
    page.get_by_role("button", name="保存").click()
    page.wait_for_selector("text=产品已保存为草稿")
    page.set_input_files("input[name=photo]", str(photo))
    page.get_by_role("button", name="添加照片").click()
    page.wait_for_selector("text=照片已添加")
    assert page.locator(".photos img").count() == 1
    page.get_by_role("button", name="提交审核").click()
    page.wait_for_selector("text=已提交县区扶贫办审核")
    coop.close()

    office = browser.new_context(locale="zh-CN")
    page = office.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, live_server, "county-qingyuan@demo.local")
    page.get_by_role("link", name="待审核产品").first.click()
    page.get_by_role("link", name="椴木灵芝").click()
    page.get_by_role("button", name="通过并发布").click()
    page.wait_for_selector("text=椴木灵芝 已发布到目录")
    office.close()

    visitor = browser.new_context(locale="zh-CN")
    page = visitor.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server + "/catalog/")
    page.get_by_role("link", name="清原满族自治县").click()
    page.get_by_label("搜索").fill("灵芝")
    page.get_by_role("button", name="筛选").click()
    card = page.locator(".product-card", has_text="椴木灵芝")
    card.wait_for()
    assert "320" in card.locator(".unsold").inner_text()
    assert card.locator("img").count() == 1
    assert page.locator(".product-card").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "catalog-search.png"), full_page=True)
    visitor.close()
