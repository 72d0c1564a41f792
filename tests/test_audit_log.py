"""The city office's audit log speaks the domain (issue 16): who in their name and organisation, what in words,
which object by its name linked to its page, changes with field and enum labels, and filters that narrow it."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from tests.conftest import post_form
from tests.factories import make_product, orders_of_bulk, place_order, user_by_email

MARKET = Path(__file__).resolve().parent.parent / "market"

#: What the page must never show: action codes, table names as words, column names, a missing id.
RAW = re.compile(r"[a-z_]+\.(?:create|update|delete|stock|password_\w+)\b|#None|\b(?:payment_status|total_amount"
                 r"|organisation_id|unsold_quantity)\b|>(?:orders|users|organisations|products|payments)<")


def _org_id(app, db, email):
    with app.app_context():
        return user_by_email(db, email).organisation_id


def _rows(html: str) -> list[str]:
    """The rows of the log's table."""
    body = html.split('<table class="audit">', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)[1:]


@pytest.fixture()
def story(app, db, people, client, login):
    """Real operations, each writing its entries: an order placed, a person added by a manager, an organisation
    approved by the city office, the order's payment recorded by its supplier."""
    from market.i18n import local_today

    product = make_product(app, db, people, name="黑木耳", stock="100", price=Decimal("68.00"))
    bulk, _ = place_order(app, db, people["buyer_party"], [(product, "2.5")])
    order_id = orders_of_bulk(app, db, bulk)[0]
    manager = login("buyer_school", app.test_client())
    response = post_form(manager, "/organisation/members", {"name": "王小红", "email": "wang@example.com",
                                                            "role": "member", "password": "a-long-password-1"})
    assert response.status_code == 302
    with app.app_context():
        from tests import factories

        pending = factories.organisation(kind="buyer", name="抚顺市第二中学食堂", status="pending")
        db.session.commit()
        pending_id = pending.id
    city = login("city", app.test_client())
    assert post_form(city, f"/admin/organisations/{pending_id}/approve", {"reason": ""},
                     token_from="/").status_code == 302
    supplier = login("supplier_qingyuan", app.test_client())
    response = post_form(supplier, f"/payments/orders/{order_id}/offline",
                         {"method": "bank_transfer", "reference": "BOC-1", "received_on": local_today().isoformat()},
                         token_from=f"/orders/{order_id}")
    assert response.status_code == 302
    with app.app_context():
        from market.orders.models import Order

        reference = db.session.get(Order, order_id).reference
    return {"order_id": order_id, "reference": reference, "product_id": product, "pending_id": pending_id,
            "city": city}


def test_every_action_the_code_records_has_its_words(app):
    """Each audited model names its kind, its create and update, and every audited field; every action name
    written literally in the code (`record(...)`, `entry_row(...)`) has its label."""
    from market.audit import labels as registry
    from market.extensions import db

    with app.app_context():
        audited = {m.class_.__tablename__ for m in db.Model.registry.mappers
                   if getattr(m.class_, "__audit_fields__", None)}
        assert audited and audited <= set(registry.KINDS)
        for table in audited:
            assert {f"{table}.create", f"{table}.update"} <= set(registry.ACTIONS)
        literal = set()
        for path in MARKET.rglob("*.py"):
            literal |= set(re.findall(r"(?:record|entry_row)\([^()]*?\"([a-z_]+\.[a-z_]+)\"", path.read_text()))
        assert {"users.password_reset", "users.password_change", "products.stock"} <= literal
        assert literal <= set(registry.ACTIONS)


def test_the_log_shows_people_words_names_labels_and_links(app, db, people, story):
    html = story["city"].get("/admin/audit/").get_data(as_text=True)
    assert not RAW.search(html), RAW.search(html)
    # who: the person's name and organisation linked, or "system"
    buyer_school_org = _org_id(app, db, people["buyer_school"])
    assert f'<a href="/admin/organisations/{buyer_school_org}">buyer_school org</a>' in html
    assert "系统" in html  # the order placed outside a request's sign-in
    # what, in words
    for words in ("下了订单", "创建了用户", "修改了单位", "修改了订单", "发起了付款", "登记了产品", "变动了产品库存"):
        assert words in html, words
    # which object: kind and name linked to its page
    assert f'订单： <a href="/orders/{story["order_id"]}">{story["reference"]}</a>' in html
    assert f'产品： <a href="/catalog/products/{story["product_id"]}">黑木耳</a>' in html
    assert f'单位： <a href="/admin/organisations/{story["pending_id"]}">抚顺市第二中学食堂</a>' in html
    assert '用户： <a href="/admin/users?q=wang@example.com">王小红</a>' in html
    # changes: field labels, enum labels, money and quantities formatted
    assert "付款状态： <span>未付款</span> → <span>已付款</span>" in html
    assert "状态： <span>待审核</span> → <span>正常</span>" in html
    assert '合计： <span class="nowrap">¥170.00</span>' in html
    assert '滞销数量： <span class="nowrap">100</span> → <span class="nowrap">97.5</span>' in html
    assert "理由： <span>订单占用</span>" in html  # a stock movement's reason: its label, no "— →"
    assert "单位： <span>buyer_school org</span>" in html  # the new person's organisation by name


def test_the_home_page_of_the_city_office_shows_recent_entries_in_words(app, db, people, story):
    html = story["city"].get("/").get_data(as_text=True)
    assert "付款状态" in html and "已付款" in html and story["reference"] in html
    assert not RAW.search(html), RAW.search(html)


def test_an_object_no_longer_there_shows_its_name_or_a_dash_never_none(app, db, people, client, login):
    from market.audit.operations import entry_row, insert_entries

    with app.app_context(), app.test_request_context("/"):
        insert_entries(db.session, [entry_row("organisations.update", "organisations", None, {"name": [None, "旧名"]}),
                                    entry_row("products.update", "products", 999999, {"price": ["1", "2.5"]})])
        db.session.commit()
    html = login("city").get("/admin/audit/").get_data(as_text=True)
    assert "单位： 旧名" in html and "产品： —" in html and "¥2.50" in html
    assert "None" not in html and "999999" not in html


def test_each_filter_narrows_the_list_and_is_kept_in_the_form(app, db, people, story):
    city = story["city"]
    everything = _rows(city.get("/admin/audit/").get_data(as_text=True))
    school = _org_id(app, db, people["buyer_school"])
    html = city.get(f"/admin/audit/?organisation={school}").get_data(as_text=True)
    rows = _rows(html)
    assert 0 < len(rows) < len(everything) and all("buyer_school org" in row for row in rows)
    assert f'<option value="{school}" selected>buyer_school org</option>' in html
    html = city.get("/admin/audit/?object_type=orders").get_data(as_text=True)
    rows = _rows(html)
    assert 0 < len(rows) < len(everything) and all("订单： " in row for row in rows)
    assert '<option value="orders" selected>订单</option>' in html
    html = city.get("/admin/audit/?since=2000-01-01&until=2000-01-02").get_data(as_text=True)
    assert "没有符合筛选条件的记录" in html and 'value="2000-01-01"' in html and 'value="2000-01-02"' in html
    assert _rows(html) == ['<td colspan="5" class="empty">没有符合筛选条件的记录。</td>']
    from market.i18n import local_today

    today = local_today().isoformat()
    assert len(_rows(city.get(f"/admin/audit/?since={today}&until={today}").get_data(as_text=True))) == len(everything)


def test_the_pager_keeps_the_filters(app, db, people, client, login):
    from market.audit.operations import entry_row, insert_entries

    with app.app_context(), app.test_request_context("/"):
        org_id = user_by_email(db, people["firm"]).organisation_id
        insert_entries(db.session, [entry_row("organisations.update", "organisations", org_id,
                                              {"name": [f"old {n}", f"new {n}"]}) for n in range(60)])
        db.session.commit()
    html = login("city").get(f"/admin/audit/?organisation={org_id}&object_type=organisations&since=2020-01-01"
                             ).get_data(as_text=True)
    link = re.search(r'<a href="(/admin/audit/\?[^"]+)">下一页</a>', html)
    assert link, "no next page"
    query = link.group(1).replace("&amp;", "&")
    assert f"organisation={org_id}" in query and "object_type=organisations" in query and "since=2020-01-01" in query


def test_a_page_of_entries_loads_each_kind_once(app, db, people, story, count_queries):
    """The objects a page names are loaded one query per kind, not one per entry: more orders, same statements."""
    with count_queries() as before:
        story["city"].get("/admin/audit/")
    product = make_product(app, db, people, name="香菇", stock="10")
    for n in range(3):
        place_order(app, db, people["buyer_party"], [(product, "1")], token=f"more-{n}")
    with count_queries() as after:
        html = story["city"].get("/admin/audit/").get_data(as_text=True)
    assert "香菇" in html
    assert after.n == before.n
