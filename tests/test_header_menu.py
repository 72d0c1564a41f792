"""The site header: its links fold into a <details> menu (phones) and the current page's link is marked with
aria-current="page" (one at a time, the most specific one)."""

from __future__ import annotations

import re

import pytest


def _current(html: str) -> list[str]:
    """The texts of the header links marked as the current page."""
    nav = html[html.index('<nav class="main-nav"'):html.index("</nav>")]
    return re.findall(r'<a href="[^"]*" class="current" aria-current="page">([^<]*)</a>', nav)


def test_the_header_links_sit_in_a_details_menu_with_the_sign_in_buttons_outside(client, db):
    html = client.get("/").get_data(as_text=True)
    header = html[html.index('<header class="site-header">'):html.index("</header>")]
    menu = header[header.index('<details class="site-menu">'):header.index("</details>")]
    assert "<summary>菜单</summary>" in menu and 'class="main-nav"' in menu and 'class="inline lang-switch"' in menu
    tools = header[header.index('<div class="header-tools">'):]
    assert ">登录</a>" in tools and ">注册</a>" in tools and ">登录</a>" not in menu


@pytest.mark.parametrize(("path", "current"), [
    ("/catalog/", ["产品目录"]),
    ("/catalog/qingyuan", ["产品目录"]),
    ("/bulletins/", ["滞销信息专栏"]),
    ("/reports/transparency", []),
])
def test_a_visitor_sees_the_current_section_marked(client, db, path, current):
    assert _current(client.get(path).get_data(as_text=True)) == current


def test_the_city_office_sees_approvals_or_organisations_marked_by_the_filter(client, login):
    city = login("city")
    assert _current(city.get("/admin/organisations?status=pending").get_data(as_text=True)) == ["审核"]
    assert _current(city.get("/admin/organisations").get_data(as_text=True)) == ["单位"]
    assert _current(city.get("/admin/audit/").get_data(as_text=True)) == ["操作日志"]
    assert _current(city.get("/").get_data(as_text=True)) == ["首页"]
