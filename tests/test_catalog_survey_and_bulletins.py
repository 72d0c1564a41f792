"""The county office's survey (form and file import) and the stranded-produce bulletin."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import post_form, upload_survey as _upload
from tests.factories import get_product as _product, ledger_sum as _ledger_sum, make_product
from tests.factories import stranded_product as _stranded, survey_row_count as _rows

HEADER = "摸排日期,产品名称,品种,类别,单位,滞销数量,涉及企业,涉及合作社,涉及贫困户数,乡镇,村"


def test_a_survey_row_for_a_listed_product_sets_its_stock_through_the_ledger(app, db, people, client, login):
    product_id = make_product(app, db, people, stock="100")
    login("county_qingyuan")
    response = post_form(client, "/catalog/survey", {
        "surveyed_on": "2020-03-01", "product_name": "黑木耳", "category": "edible_fungi", "unit": "kg",
        "unsold_quantity": "640", "cooperatives": "红透山合作社", "poor_households": "46", "product_id": str(product_id),
    })
    assert response.status_code == 302
    assert _rows(app, db) == 1
    assert _product(app, db, product_id).unsold_quantity == Decimal("640")
    assert _ledger_sum(app, db, product_id) == Decimal("640")
    html = client.get(f"/catalog/products/{product_id}/stock").get_data(as_text=True)
    assert "摸排" in html


def test_a_survey_row_cannot_point_at_another_countys_product(app, db, people, client, login):
    other = make_product(app, db, people, "supplier_xinbin", stock="100")
    login("county_qingyuan")
    response = post_form(client, "/catalog/survey", {
        "surveyed_on": "2020-03-01", "product_name": "x", "category": "vegetables", "unit": "kg",
        "unsold_quantity": "1", "product_id": str(other),
    })
    assert response.status_code == 422
    assert _rows(app, db) == 0 and _product(app, db, other).unsold_quantity == Decimal("100")


@pytest.mark.parametrize(
    "changes, field, message",
    [({"unsold_quantity": "-1"}, "unsold_quantity", "不能为负数"),
     ({"unsold_quantity": "1.0001"}, "unsold_quantity", "最多三位小数"),
     ({"surveyed_on": "2999-01-01"}, "surveyed_on", "2999-01-01 晚于今天"),
     ({"surveyed_on": ""}, "surveyed_on", "请填写摸排日期"),
     ({"product_name": ""}, "product_name", "请输入产品名称"),
     ({"poor_households": "many"}, "poor_households", "必须是数字"),
     ({"poor_households": "2.5"}, "poor_households", "必须是零或正整数"),
     ({"unit": "litre"}, "unit", "不是有效的选择")],
)
def test_bad_survey_rows_are_refused(app, db, people, client, login, changes, field, message):
    """The operation reads the row (the form only parses it): a refusal comes back to the survey page with the
    message beside the field and what was typed."""
    login("county_qingyuan")
    data = {"surveyed_on": "2020-03-01", "product_name": "土豆", "category": "vegetables", "unit": "kg",
            "unsold_quantity": "100", "poor_households": "3", "township": "南口前镇"}
    response = post_form(client, "/catalog/survey", dict(data, **changes), follow_redirects=True)
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert 'value="南口前镇"' in html
    assert _rows(app, db) == 0


def test_importing_a_valid_file_saves_every_row(app, db, people, client, login):
    login("county_qingyuan")
    lines = [HEADER] + [f"2020-03-01,产品{i},品种,蔬菜,公斤,{100 + i},某企业,某合作社,{i % 7},南口前镇,王家堡村"
                        for i in range(3000)]
    response = _upload(client, ("\r\n".join(lines)).encode("utf-8-sig"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert _rows(app, db) == 3000
    html = client.get("/catalog/survey").get_data(as_text=True)
    assert "3000 条" in html and "产品2999" in html


def test_an_imported_row_for_a_listed_product_sets_its_stock_through_the_ledger(app, db, people, client, login):
    product_id = make_product(app, db, people, stock="100")
    login("county_qingyuan")
    lines = [HEADER + ",产品编号", "2020-03-01,土豆,,蔬菜,公斤,7,,,0,,,",
             f"2020-03-01,黑木耳,秋耳,食用菌,公斤,640,,,46,,,{product_id}"]
    response = _upload(client, "\r\n".join(lines).encode("utf-8"))
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert _rows(app, db) == 2
    assert _product(app, db, product_id).unsold_quantity == Decimal("640")
    assert _ledger_sum(app, db, product_id) == Decimal("640")


@pytest.mark.parametrize("other_county, unit, message", [(True, "公斤", "不是本县区的产品"), (False, "斤", "请用同一单位摸排")])
def test_a_file_naming_a_product_it_cannot_count_for_saves_nothing(app, db, people, client, login, other_county,
                                                                    unit, message):
    """Checked before anything is written: the rows above it are not saved either, and no stock moves."""
    product_id = make_product(app, db, people, "supplier_xinbin" if other_county else "supplier_qingyuan",
                              stock="100")
    login("county_qingyuan")
    lines = [HEADER + ",产品编号", "2020-03-01,土豆,,蔬菜,公斤,7,,,0,,,",
             f"2020-03-01,黑木耳,秋耳,食用菌,{unit},640,,,46,,,{product_id}"]
    response = _upload(client, "\r\n".join(lines).encode("utf-8"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "文件未导入" in html and message in html
    assert _rows(app, db) == 0
    assert _product(app, db, product_id).unsold_quantity == Decimal("100")
    assert _ledger_sum(app, db, product_id) == Decimal("100")


def test_a_file_with_one_bad_cell_saves_nothing_and_names_row_and_column(app, db, people, client, login):
    login("county_qingyuan")
    lines = [HEADER, "2020-03-01,土豆,尤金,蔬菜,公斤,100,,,3,,", "2020-03-01,白菜,秋白菜,蔬菜,公斤,-5,,,3,,",
             "2020-03-01,大葱,,蔬菜,公斤,1.23456,,,3,,"]
    response = _upload(client, "\r\n".join(lines).encode("utf-8"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "文件未导入" in html
    cells = re.sub(r' data-label="[^"]*"', "", html)  # each cell is labelled for the phone layout
    assert "<td>3</td><td>滞销数量</td>" in cells and "<td>4</td><td>滞销数量</td>" in cells
    assert _rows(app, db) == 0


def test_a_file_with_a_wrong_column_saves_nothing(app, db, people, client, login):
    login("county_qingyuan")
    response = _upload(client, (HEADER + ",颜色\r\n2020-03-01,土豆,,蔬菜,公斤,1,,,0,,,红").encode("utf-8"))
    assert response.status_code == 422 and "颜色" in response.get_data(as_text=True)
    assert _rows(app, db) == 0


def test_templates_download_and_only_county_offices_import(app, db, people, client, login):
    login("county_qingyuan")
    assert client.get("/catalog/survey/template.xlsx").data[:2] == b"PK"
    assert client.get("/catalog/survey/template.csv").data.decode("utf-8-sig").startswith("摸排日期")
    supplier = login("supplier_qingyuan", app.test_client())
    assert supplier.get("/catalog/survey").status_code == 403
    response = post_form(supplier, "/catalog/survey/import", {"file": (io.BytesIO(b"x"), "a.csv")}, token_from="/",
                         content_type="multipart/form-data")
    assert response.status_code == 403


# --- bulletins ---------------------------------------------------------------------------------------------------


def test_the_county_office_publishes_an_issue_that_shows_in_archive_feed_and_csv(app, db, people, client, login):
    from market.i18n import local_today

    _stranded(app, db, people, "黑木耳", days=40, stock="850")
    _stranded(app, db, people, "香菇", days=5)
    make_product(app, db, people, name="榛蘑")  # not stranded: not in the bulletin
    _stranded(app, db, people, "售罄", stock="0")  # off sale: not in the bulletin
    _stranded(app, db, people, "新宾白菜", role="supplier_xinbin")  # another county
    login("county_qingyuan")
    today = local_today().isoformat()
    response = post_form(client, "/bulletins/qingyuan/publish", {"issue_date": today, "note": "欢迎采购"},
                         token_from="/bulletins/qingyuan/")
    assert response.status_code == 302
    issue_url = response.headers["Location"]
    html = client.get(issue_url).get_data(as_text=True)
    assert html.index("黑木耳") < html.index("香菇")
    assert "榛蘑" not in html and "售罄" not in html and "新宾白菜" not in html and "850" in html

    visitor = app.test_client()
    assert "第1期" in visitor.get("/bulletins/").get_data(as_text=True)
    assert "第1期" in visitor.get("/bulletins/qingyuan/").get_data(as_text=True)
    feed = visitor.get("/bulletins/qingyuan/feed.xml")
    assert feed.mimetype == "application/atom+xml"
    root = ET.fromstring(feed.data)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == 1 and "黑木耳" in entries[0].find("a:summary", ns).text
    issue_id = int(issue_url.rsplit("/", 1)[1])
    csv = visitor.get(f"/bulletins/issues/{issue_id}.csv").data.decode("utf-8-sig").splitlines()
    assert csv[0].startswith("issue_county_code,issue_number,issue_date") and len(csv) == 3
    assert csv[1].startswith(f"qingyuan,1,{today},1,黑木耳")
    assert "issue_county_code" in visitor.get("/bulletins/format").get_data(as_text=True)


def test_the_issue_is_a_snapshot(app, db, people, client, login):
    from market.i18n import local_today

    product_id = _stranded(app, db, people, "黑木耳", stock="850")
    login("county_qingyuan")
    response = post_form(client, "/bulletins/qingyuan/publish", {"issue_date": local_today().isoformat()},
                         token_from="/bulletins/qingyuan/")
    with app.app_context():
        from market.catalog import operations as ops
        from market.catalog.models import Product, StockReason

        ops.move_stock(db.session.get(Product, product_id), Decimal("-800"), StockReason.SPOILAGE)
        db.session.commit()
    assert "850" in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("offset, message", [(1, "不能晚于今天"), (0, "须晚于该日期"), (-3, "须晚于该日期")])
def test_issue_dates_move_forward_and_never_into_the_future(app, db, people, client, login, offset, message):
    from market.bulletins.models import BulletinIssue
    from market.i18n import local_today

    _stranded(app, db, people, "黑木耳")
    login("county_qingyuan")
    today = local_today()
    post_form(client, "/bulletins/qingyuan/publish", {"issue_date": today.isoformat()}, token_from="/bulletins/qingyuan/")
    typed = (today + timedelta(days=offset)).isoformat()
    response = post_form(client, "/bulletins/qingyuan/publish", {"issue_date": typed, "note": "第二期"},
                         token_from="/bulletins/qingyuan/")
    assert response.status_code == 302 and response.headers["Location"] == "/bulletins/qingyuan/"
    html = client.get("/bulletins/qingyuan/").get_data(as_text=True)  # back on the archive, with what was typed
    assert message in html and 'id="issue_date-error"' in html
    assert f'value="{typed}"' in html and "第二期" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BulletinIssue)) == 1


def test_an_issue_needs_a_date(app, db, people, client, login):
    from market.bulletins.models import BulletinIssue

    _stranded(app, db, people, "黑木耳")
    login("county_qingyuan")
    response = post_form(client, "/bulletins/qingyuan/publish", {"issue_date": "", "note": "欢迎采购"},
                         token_from="/bulletins/qingyuan/", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "请填写本期日期" in html and 'id="issue_date-error"' in html
    assert "欢迎采购" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BulletinIssue)) == 0


def test_only_the_county_office_of_that_county_publishes(app, db, people, login):
    from market.i18n import local_today

    for role in ("county_xinbin", "supplier_qingyuan", "city"):
        c = login(role, app.test_client())
        response = post_form(c, "/bulletins/qingyuan/publish", {"issue_date": local_today().isoformat()}, token_from="/")
        assert response.status_code == 403, role
    assert app.test_client().post("/bulletins/qingyuan/publish").status_code in (302, 400)


def test_publish_due_publishes_weekly_and_is_safe_to_run_again(app, db, people):
    from market.bulletins.models import BulletinIssue
    from market.i18n import local_today

    _stranded(app, db, people, "黑木耳")
    _stranded(app, db, people, "白菜", role="supplier_xinbin")
    runner = app.test_cli_runner()
    today = local_today()
    first = runner.invoke(args=["bulletins", "publish-due", "--date", today.isoformat()])
    assert first.exit_code == 0 and "qingyuan: issue 1" in first.output and "xinbin: issue 1" in first.output
    again = runner.invoke(args=["bulletins", "publish-due", "--date", today.isoformat()])
    assert again.exit_code == 0 and "no issue due" in again.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BulletinIssue)) == 2


def test_archive_pages_answer_conditional_requests(app, db, people):
    client = app.test_client()
    first = client.get("/bulletins/")
    assert client.get("/bulletins/", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
