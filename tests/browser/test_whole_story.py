"""The whole story in a real browser, at desktop size and on a 360×740 phone: a Qingyuan cooperative lists a
stranded product with a photo → the county office approves it → party@demo.local finds it first, orders and
pays with a test card → the supplier confirms and ships → the buyer accepts and rates → firm@demo.local pledges
and buys → federation@demo.local sees the totals move and downloads the PDF.

Each step that fails leaves a screenshot in test-artifacts/."""

from __future__ import annotations

import re
from contextlib import contextmanager
from decimal import Decimal

import pytest
from PIL import Image

from tests.browser.conftest import ARTIFACTS, sign_in_page

pytestmark = pytest.mark.browser

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 360, "height": 740}}
PRODUCT = "长白山椴木灵芝"


class Story:
    def __init__(self, browser, base: str, size: str, tmp_path):
        self.browser, self.base, self.size, self.tmp_path = browser, base, size, tmp_path
        self.contexts = []

    def person(self, email: str | None):
        context = self.browser.new_context(locale="zh-CN", viewport=SIZES[self.size],
                                           is_mobile=self.size == "phone", accept_downloads=True)
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if email:
            sign_in_page(page, self.base, email)
        return page

    @contextmanager
    def step(self, name: str, page):
        try:
            yield
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"story-{self.size}-{name}.png"), full_page=True)
            raise

    def close(self):
        for context in self.contexts:
            context.close()


def _money(text: str) -> Decimal:
    return Decimal(re.sub(r"[^\d.]", "", text))


def _order_and_pay(story: Story, page, product_url: str, quantity: str) -> list[str]:
    page.goto(product_url)
    page.get_by_label("数量").fill(quantity)
    page.get_by_role("button", name="加入购物车").click()
    page.wait_for_selector("text=已加入购物车")
    page.goto(story.base + "/orders/cart")
    page.get_by_role("button", name="提交订单").click()
    page.wait_for_selector("text=订单已提交")
    links = page.locator("main table tbody tr td:first-child a")
    references = links.all_inner_texts()
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    for href in hrefs:
        page.goto(story.base + href)
        page.get_by_role("link", name="在线支付").click()
        page.get_by_label(re.compile("4242")).check()
        page.get_by_role("button", name=re.compile("支付")).click()
        page.wait_for_selector(".payment-state:has-text('成功')")
    return references


def _supplier_confirms_and_ships(story: Story, email: str, references: list[str]):
    page = story.person(email)
    with story.step("supplier-ships", page):
        for reference in references:
            page.goto(story.base + "/orders/")
            page.get_by_role("link", name=reference).click()
            page.get_by_role("button", name="确认订单").click()
            page.wait_for_selector(".order-status:has-text('已确认')")
            page.get_by_label("承运方").fill("县供销社冷链配送")
            page.get_by_role("button", name="标记为已发货").click()
            page.wait_for_selector(".order-status:has-text('已发货')")


def _buyer_accepts_and_rates(story: Story, page, references: list[str]):
    for reference in references:
        page.goto(story.base + "/orders/")
        page.get_by_role("link", name=reference).click()
        page.get_by_role("button", name="验收", exact=True).click()
        page.wait_for_selector(".order-status:has-text('已验收')")
        page.get_by_label("评分").select_option("5")
        page.get_by_role("button", name="评价").click()
        page.wait_for_selector(".order-status:has-text('已完成')")


@pytest.mark.parametrize("size", list(SIZES))
def test_the_whole_story(demo, live_server, stripe, browser, tmp_path, size):  # noqa: F811
    story = Story(browser, live_server, size, tmp_path)
    photo = tmp_path / "lingzhi.jpg"
    Image.new("RGB", (640, 480), (120, 70, 40)).save(photo, "JPEG")
    try:
        coop = story.person("coop-qingyuan@demo.local")
        with story.step("list", coop):
            coop.goto(live_server + "/catalog/mine/new")
            coop.get_by_label("产品名称").fill(PRODUCT)
            coop.get_by_label("品类").select_option("edible_fungi")
            coop.get_by_label("单位").select_option("kg")
            coop.get_by_label("单价（元）").fill("200")
            coop.get_by_label("当前滞销数量").fill("500")
            coop.get_by_label("带动贫困户数").fill("30")
            coop.get_by_label("滞销：无法通过正常渠道销售").check()
            coop.get_by_label("滞销起始日期").fill("2020-01-20")
            coop.get_by_role("button", name="保存").click()
            coop.wait_for_selector("text=产品已保存为草稿")
            product_url = coop.url
            coop.set_input_files("input[name=photo]", str(photo))
            coop.get_by_role("button", name="添加照片").click()
            coop.wait_for_selector("text=照片已添加")
            coop.get_by_role("button", name="提交审核").click()
            coop.wait_for_selector("text=已提交县区扶贫办审核")

        office = story.person("county-qingyuan@demo.local")
        with story.step("approve", office):
            office.goto(live_server + "/catalog/review")
            office.get_by_role("link", name=PRODUCT).click()
            office.get_by_role("button", name="通过并发布").click()
            office.wait_for_selector(f"text={PRODUCT} 已发布到目录")

        party = story.person("party@demo.local")
        with story.step("find-first", party):
            party.goto(live_server + "/catalog/")
            first_card = party.locator("section.paired-first .product-card").first
            assert PRODUCT in first_card.inner_text()  # stranded longest in the paired county: first
            assert first_card.locator("img").count() == 1
        with story.step("order-and-pay", party):
            references = _order_and_pay(story, party, product_url, "5")
        _supplier_confirms_and_ships(story, "coop-qingyuan@demo.local", references)
        with story.step("accept-and-rate", party):
            _buyer_accepts_and_rates(story, party, references)

        federation = story.person("federation@demo.local")
        with story.step("totals-before", federation):
            federation.goto(live_server + "/reports/federation")
            before = _money(federation.locator("table.totals tfoot th.num").first.inner_text())

        firm = story.person("firm@demo.local")
        with story.step("pledge", firm):
            firm.goto(live_server + "/pledges/")
            firm.get_by_label("认购金额（元）").fill("50000")
            firm.get_by_label("仅限该县区（可选）").select_option("qingyuan")
            firm.get_by_role("button", name="认购承诺", exact=True).click()
            firm.wait_for_selector("text=认购承诺已提交工商联")
        with story.step("federation-confirms", federation):
            federation.goto(live_server + "/pledges/")
            federation.locator("tr", has_text="等待工商联审核").filter(has_text="抚顺华信建材有限公司") \
                .get_by_role("link").first.click()
            federation.get_by_role("button", name="确认").click()
            federation.wait_for_selector(".pledge-status:has-text('已确认')")
        with story.step("firm-buys", firm):
            firm_refs = _order_and_pay(story, firm, product_url, "10")
        _supplier_confirms_and_ships(story, "coop-qingyuan@demo.local", firm_refs)
        with story.step("firm-accepts", firm):
            _buyer_accepts_and_rates(story, firm, firm_refs)

        with story.step("totals-after", federation):
            federation.goto(live_server + "/reports/federation")
            after = _money(federation.locator("table.totals tfoot th.num").first.inner_text())
            assert after == before + Decimal("2000.00")  # 10 kg × ¥200 by the firm, paid and accepted
            assert "<svg" in federation.content()
            with federation.expect_download() as download:
                federation.get_by_role("link", name="PDF").click()
            with open(download.value.path(), "rb") as pdf:
                assert pdf.read(4) == b"%PDF"
    finally:
        story.close()
