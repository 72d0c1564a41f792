"""Products, the stock ledger, the listing flow, photos and the public catalog."""

from __future__ import annotations

import io
import threading
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import func, select, text

from tests.conftest import post_form
from tests.factories import PRODUCT, make_product
from tests.factories import get_product as _product, ledger_sum as _ledger_sum


# --- stock ledger -----------------------------------------------------------------------------------------


def test_opening_stock_and_every_change_go_through_the_ledger(app, db, people, client, login):
    product_id = make_product(app, db, people, stock="850")
    assert _product(app, db, product_id).unsold_quantity == Decimal("850.000")
    assert _ledger_sum(app, db, product_id) == Decimal("850.000")
    login("supplier_qingyuan")
    url = f"/catalog/products/{product_id}/stock"
    assert post_form(client, url, {"reason": "spoilage", "delta": "-12.5", "note": "霉变"}).status_code == 302
    assert post_form(client, url, {"reason": "restock", "delta": "100"}).status_code == 302
    assert post_form(client, url, {"reason": "correction", "delta": "-0.001", "note": "盘点"}).status_code == 302
    product = _product(app, db, product_id)
    assert product.unsold_quantity == Decimal("937.499")
    assert _ledger_sum(app, db, product_id) == product.unsold_quantity
    html = client.get(url).get_data(as_text=True)
    assert "霉变" in html and "937.499" in html


@pytest.mark.parametrize(
    "data, message",
    [
        ({"reason": "restock", "delta": "-5"}, "补货会增加库存"),
        ({"reason": "spoilage", "delta": "5"}, "损耗核销会减少库存"),
        ({"reason": "correction", "delta": "5", "note": ""}, "请说明更正库存的原因"),
        ({"reason": "restock", "delta": "0"}, "库存变动不能为零"),
        ({"reason": "restock", "delta": "1.2345"}, "最多三位小数"),
        ({"reason": "restock", "delta": "abc"}, "必须是数字"),
        ({"reason": "restock", "delta": "1e12"}, "大得不合理"),
        ({"reason": "spoilage", "delta": "-1000"}, "只剩"),
        ({"reason": "survey", "delta": "5"}, "不是有效的选择"),
    ],
)
def test_bad_stock_changes_are_refused_and_change_nothing(app, db, people, client, login, data, message):
    product_id = make_product(app, db, people, stock="100")
    login("supplier_qingyuan")
    # The operation's refusals send the browser back to the ledger page: the message, and what was typed.
    response = post_form(client, f"/catalog/products/{product_id}/stock", data, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    assert f'value="{data["delta"]}"' in html
    assert _product(app, db, product_id).unsold_quantity == Decimal("100")
    assert _ledger_sum(app, db, product_id) == Decimal("100")


def test_the_database_refuses_negative_stock(app, db, people):
    from sqlalchemy.exc import IntegrityError

    product_id = make_product(app, db, people, stock="5")
    with app.app_context():
        with pytest.raises(IntegrityError):
            db.session.execute(text("UPDATE products SET unsold_quantity = -1 WHERE id = :id"), {"id": product_id})
        db.session.rollback()


def test_concurrent_takers_never_oversell(app, db, people):
    """Real threads on real connections: 12 takers of 1 unit each, 5 in stock; exactly 5 succeed."""
    from market.catalog import operations as ops
    from market.catalog.models import Product, StockReason

    product_id = make_product(app, db, people, stock="5")
    results = []
    barrier = threading.Barrier(12)

    def take():
        with app.app_context():
            product = db.session.get(Product, product_id)
            barrier.wait()
            try:
                ops.move_stock(product, Decimal("-1"), StockReason.ORDER_RESERVED)
                db.session.commit()
                results.append("ok")
            except ops.StockShortage:
                db.session.rollback()
                results.append("short")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=take) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(results) == ["ok"] * 5 + ["short"] * 7
    assert _product(app, db, product_id).unsold_quantity == 0
    assert _ledger_sum(app, db, product_id) == 0


def test_other_people_cannot_see_the_ledger_or_move_stock(app, db, people, client, login):
    product_id = make_product(app, db, people, stock="10")
    login("supplier_xinbin")
    assert client.get(f"/catalog/products/{product_id}/stock").status_code == 403
    assert post_form(client, f"/catalog/products/{product_id}/stock", {"reason": "restock", "delta": "5"},
                     token_from="/").status_code == 403
    office = login("county_qingyuan", app.test_client())
    assert office.get(f"/catalog/products/{product_id}/stock").status_code == 200
    assert post_form(office, f"/catalog/products/{product_id}/stock", {"reason": "restock", "delta": "5"},
                     token_from="/").status_code == 403
    assert _product(app, db, product_id).unsold_quantity == Decimal("10")


# --- listing flow ---------------------------------------------------------------------------------------------


def test_supplier_lists_a_product_and_the_county_office_publishes_it(app, db, people, client, login):
    login("supplier_qingyuan")
    response = post_form(client, "/catalog/mine/new", PRODUCT)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    product_url = response.headers["Location"]
    product_id = int(product_url.rsplit("/", 1)[1])
    assert _product(app, db, product_id).status.value == "draft"
    assert app.test_client().get(product_url).status_code == 404  # drafts are not public
    post_form(client, f"/catalog/products/{product_id}/submit", token_from=product_url)
    assert _product(app, db, product_id).status.value == "submitted"

    office = login("county_qingyuan", app.test_client())
    assert PRODUCT["name"] in office.get("/catalog/review").get_data(as_text=True)
    response = post_form(office, f"/catalog/products/{product_id}/approve", {"reason": ""}, token_from=product_url)
    assert response.status_code == 302
    assert _product(app, db, product_id).status.value == "published"
    html = app.test_client().get("/catalog/qingyuan?q=木耳").get_data(as_text=True)
    assert PRODUCT["name"] in html and "850" in html


def test_returning_a_listing_needs_a_reason_which_the_supplier_sees(app, db, people, client, login):
    product_id = make_product(app, db, people, publish=False)
    with app.app_context():
        from market.catalog import operations as ops
        from market.catalog.models import Product

        ops.submit_product(db.session.get(Product, product_id))
        db.session.commit()
    office = login("county_qingyuan", app.test_client())
    response = post_form(office, f"/catalog/products/{product_id}/return", {"reason": "  "}, token_from="/")
    # Back to the product's review (not the queue), the message beside the reason field.
    assert response.status_code == 302 and response.headers["Location"] == f"/catalog/products/{product_id}"
    html = office.get(f"/catalog/products/{product_id}").get_data(as_text=True)
    assert "请填写退回理由" in html and 'id="reason-error"' in html
    assert _product(app, db, product_id).status.value == "submitted"
    post_form(office, f"/catalog/products/{product_id}/return", {"reason": "缺少扶贫产品认定证书"}, token_from="/")
    assert _product(app, db, product_id).status.value == "returned"
    login("supplier_qingyuan")
    assert "缺少扶贫产品认定证书" in client.get("/catalog/mine").get_data(as_text=True)


def test_a_too_long_return_reason_is_told_and_changes_nothing(app, db, people, login):
    product_id = make_product(app, db, people, publish=False)
    with app.app_context():
        from market.catalog import operations as ops
        from market.catalog.models import Product

        ops.submit_product(db.session.get(Product, product_id))
        db.session.commit()
    office = login("county_qingyuan", app.test_client())
    response = post_form(office, f"/catalog/products/{product_id}/return", {"reason": "缺" * 1001},
                         token_from="/", follow_redirects=True)
    assert response.status_code == 200 and "1000" in response.get_data(as_text=True)
    assert _product(app, db, product_id).status.value == "submitted"


def test_another_county_office_cannot_review(app, db, people, login):
    product_id = make_product(app, db, people, publish=False)
    with app.app_context():
        from market.catalog import operations as ops
        from market.catalog.models import Product

        ops.submit_product(db.session.get(Product, product_id))
        db.session.commit()
    office = login("county_xinbin", app.test_client())
    response = post_form(office, f"/catalog/products/{product_id}/approve", {"reason": ""}, token_from="/")
    assert response.status_code == 404
    assert _product(app, db, product_id).status.value == "submitted"


def test_a_new_price_sends_a_published_product_back_to_review(app, db, people, client, login):
    product_id = make_product(app, db, people)
    login("supplier_qingyuan")
    form = {"name": "黑木耳", "category": "edible_fungi", "unit": "kg", "price": "68.00",
            "min_order_quantity": "1", "households_linked": "10", "description": "新描述"}
    post_form(client, f"/catalog/products/{product_id}/edit", form)
    assert _product(app, db, product_id).status.value == "published"  # no price change: stays published
    post_form(client, f"/catalog/products/{product_id}/edit", dict(form, price="72.50"))
    product = _product(app, db, product_id)
    assert product.status.value == "submitted" and product.price == Decimal("72.50")
    assert "黑木耳" not in app.test_client().get("/catalog/qingyuan").get_data(as_text=True)


def test_a_refused_edit_comes_back_with_what_was_typed_and_changes_nothing(app, db, people, client, login):
    product_id = make_product(app, db, people)
    login("supplier_qingyuan")
    url = f"/catalog/products/{product_id}/edit"
    form = {"name": "秋木耳", "category": "edible_fungi", "unit": "kg", "price": "0", "min_order_quantity": "1",
            "households_linked": "10", "description": "新描述"}
    response = post_form(client, url, form)
    assert response.status_code == 302 and response.headers["Location"] == url
    html = client.get(url).get_data(as_text=True)
    assert 'id="price-error"' in html and "必须大于零" in html
    assert 'value="秋木耳"' in html and "新描述" in html and 'value="0"' in html
    product = _product(app, db, product_id)
    assert product.name == "黑木耳" and product.price == Decimal("68.00") and product.status.value == "published"
    # Opened again later, the form shows the product as it is.
    assert 'value="黑木耳"' in client.get(url).get_data(as_text=True)


def test_zero_stock_or_an_expired_identification_takes_a_product_off_sale(app, db, people):
    from market.catalog.models import Product
    from market.i18n import local_today

    sold_out = make_product(app, db, people, stock="0", name="售罄产品")
    expired = make_product(app, db, people, name="过期认定", identification_number="辽扶认001",
                           identification_valid_until=local_today() - timedelta(days=1))
    fine = make_product(app, db, people, name="正常产品")
    with app.app_context():
        on_sale = {p.id for p in db.session.scalars(select(Product).where(Product.on_sale_clause(local_today())))}
        assert on_sale == {fine}
        assert not db.session.get(Product, sold_out).on_sale and not db.session.get(Product, expired).on_sale
    client = app.test_client()
    everything = client.get("/catalog/qingyuan").get_data(as_text=True)
    assert "售罄产品" in everything and "过期认定" in everything  # still listed, not lost
    assert "暂停销售" in everything
    in_stock = client.get("/catalog/qingyuan?in_stock=1").get_data(as_text=True)
    assert "正常产品" in in_stock and "售罄产品" not in in_stock and "过期认定" not in in_stock


def test_another_supplier_cannot_edit(app, db, people, login):
    draft = make_product(app, db, people, publish=False)
    published = make_product(app, db, people)
    other = login("supplier_xinbin", app.test_client())
    assert other.get(f"/catalog/products/{draft}/edit").status_code == 404
    assert other.get(f"/catalog/products/{published}/edit").status_code == 403
    assert post_form(other, f"/catalog/products/{published}/withdraw", token_from="/").status_code == 403


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"price": "-1"}, "price", "必须大于零"),
        ({"price": "0"}, "price", "必须大于零"),
        ({"price": "1.234"}, "price", "最多两位小数"),
        ({"price": "99999999"}, "price", "大得不合理"),
        ({"price": "十元"}, "price", "必须是数字"),
        ({"min_order_quantity": "0"}, "min_order_quantity", "必须大于零"),
        ({"opening_stock": "-3"}, "opening_stock", "不能为负数"),
        ({"opening_stock": "1.0001"}, "opening_stock", "最多三位小数"),
        ({"opening_stock": "1000000000"}, "opening_stock", "大得不合理"),
        ({"unit": "litre"}, "unit", "不是有效的选择"),
        ({"available_from": "2020-03-10", "best_before": "2020-03-01"}, "best_before", "保质期不能早于"),
        ({"stranded_since": ""}, "stranded_since", "请说明从何时开始滞销"),
        ({"households_linked": "2.5"}, "households_linked", "必须是零或正整数"),
        ({"name": ""}, "name", "请输入产品名称"),
        ({"shelf_life_days": "3651"}, "shelf_life_days", "须在1至3650天之间"),
        ({"shelf_life_days": "0"}, "shelf_life_days", "须在1至3650天之间"),
    ],
)
def test_bad_product_input_gets_a_message_and_saves_nothing(app, db, people, client, login, changes, field, message):
    """The operation reads every field (the form only parses them): a refusal sends the browser back to the
    form, with the message beside the field and what was typed still in the form."""
    from market.catalog.models import Product

    login("supplier_qingyuan")
    typed = dict(PRODUCT, **changes)
    response = post_form(client, "/catalog/mine/new", typed, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'id="{field}-error"' in html, html[:3000]
    assert message in html
    assert f'value="{typed["variety"]}"' in html and f'value="{typed["stranded_cause"]}"' in html
    if typed["name"]:
        assert f'value="{typed["name"]}"' in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Product)) == 0


def test_html_in_a_product_name_is_shown_escaped(app, db, people):
    product_id = make_product(app, db, people, name="<script>alert(1)</script>木耳")
    html = app.test_client().get(f"/catalog/products/{product_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;木耳" in html


# --- photos ---------------------------------------------------------------------------------------------------


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (3000, 2000), (120, 60, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (41.0, 52.0, 0.0), 3: "E", 4: (123.0, 53.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_photo_is_stored_without_its_location_and_with_a_thumbnail(app, db, people, client, login):
    from market.catalog.models import ProductPhoto

    product_id = make_product(app, db, people)
    login("supplier_qingyuan")
    data = _jpeg_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the upload has GPS
    response = post_form(client, f"/catalog/products/{product_id}/photos",
                         {"photo": (io.BytesIO(data), "farm.jpg")}, token_from=f"/catalog/products/{product_id}",
                         content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        photo_id = db.session.scalar(select(ProductPhoto.id).where(ProductPhoto.product_id == product_id))
    full = app.test_client().get(f"/catalog/photos/{photo_id}.full")
    assert full.status_code == 200 and full.mimetype == "image/jpeg"
    stored = Image.open(io.BytesIO(full.data))
    assert not stored.getexif() and "exif" not in stored.info
    assert max(stored.size) <= 2000
    thumb = Image.open(io.BytesIO(app.test_client().get(f"/catalog/photos/{photo_id}.thumb").data))
    assert max(thumb.size) <= 400
    etag = full.headers["ETag"]
    assert app.test_client().get(f"/catalog/photos/{photo_id}.full", headers={"If-None-Match": etag}).status_code == 304


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_png_and_webp_photos_are_accepted(app, db, people, client, login, fmt):
    product_id = make_product(app, db, people)
    login("supplier_qingyuan")
    out = io.BytesIO()
    Image.new("RGB", (50, 40), (0, 128, 0)).save(out, fmt)
    response = post_form(client, f"/catalog/products/{product_id}/photos",
                         {"photo": (io.BytesIO(out.getvalue()), "x.bin")}, token_from="/",
                         content_type="multipart/form-data", follow_redirects=True)
    assert "照片已添加" in response.get_data(as_text=True)


@pytest.mark.parametrize("payload", [b"just text, not a picture", b"GIF89a" + b"\x00" * 50,
                                     b"\xff\xd8\xff\xe0 truncated jpeg"])
def test_a_file_that_is_not_a_picture_is_refused_whatever_its_name(app, db, people, client, login, payload):
    from market.catalog.models import ProductPhoto

    product_id = make_product(app, db, people)
    login("supplier_qingyuan")
    response = post_form(client, f"/catalog/products/{product_id}/photos",
                         {"photo": (io.BytesIO(payload), "photo.jpg")}, token_from="/",
                         content_type="multipart/form-data", follow_redirects=True)
    assert "不是 JPEG、PNG 或 WebP 图片" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProductPhoto)) == 0


def test_an_oversized_photo_gets_413_with_a_clear_page(app, db, people, client, login):
    product_id = make_product(app, db, people)
    login("supplier_qingyuan")
    from tests.conftest import csrf_token

    # The body is built by hand: the test client would spool a large file to a temp file it never closes.
    boundary = "x-boundary"
    token = csrf_token(client, "/")
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"big.jpg\"\r\n"
            "Content-Type: image/jpeg\r\n\r\n").encode() + b"0" * (app.config["PHOTO_MAX_BYTES"] + 10) + (
        f"\r\n--{boundary}--\r\n").encode()
    response = client.post(f"/catalog/products/{product_id}/photos", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 413
    assert "上传的文件过大" in response.get_data(as_text=True)


def test_photos_of_a_draft_are_not_public(app, db, people, client, login):
    from market.catalog.models import ProductPhoto

    product_id = make_product(app, db, people, publish=False)
    with app.app_context():
        from market.catalog import operations as ops
        from market.catalog.models import Product

        out = io.BytesIO()
        Image.new("RGB", (20, 20)).save(out, "PNG")
        ops.add_photo(db.session.get(Product, product_id), out.getvalue())
        db.session.commit()
        photo_id = db.session.scalar(select(ProductPhoto.id))
    assert app.test_client().get(f"/catalog/photos/{photo_id}.thumb").status_code == 404
    login("supplier_qingyuan")
    assert client.get(f"/catalog/photos/{photo_id}.thumb").status_code == 200


# --- the public catalog ------------------------------------------------------------------------------------


def test_search_on_chinese_text_finds_substrings(app, db, people):
    make_product(app, db, people, name="黑木耳", variety="秋耳")
    make_product(app, db, people, name="榛蘑")
    client = app.test_client()
    html = client.get("/catalog/qingyuan?q=木耳").get_data(as_text=True)
    assert "黑木耳" in html and "榛蘑" not in html
    assert "黑木耳" in client.get("/catalog/qingyuan?q=秋耳").get_data(as_text=True)
    html = client.get("/catalog/qingyuan?q=supplier_qingyuan").get_data(as_text=True)  # supplier name
    assert "黑木耳" in html and "榛蘑" in html
    assert "黑木耳" not in client.get("/catalog/qingyuan?q=%25").get_data(as_text=True)  # % is literal


def test_filters_and_most_urgent_first(app, db, people):
    from market.i18n import local_today

    today = local_today()
    make_product(app, db, people, name="不滞销产品")
    make_product(app, db, people, name="新近滞销", stranded=True, stranded_since=today - timedelta(days=3))
    make_product(app, db, people, name="长期滞销", stranded=True, stranded_since=today - timedelta(days=60))
    make_product(app, db, people, name="蔬菜产品", category=__import__("market.catalog.models", fromlist=["x"]).Category.VEGETABLES)
    client = app.test_client()
    html = client.get("/catalog/qingyuan").get_data(as_text=True)
    assert html.index("长期滞销") < html.index("新近滞销") < html.index("不滞销产品")
    stranded = client.get("/catalog/qingyuan?stranded=1").get_data(as_text=True)
    assert "长期滞销" in stranded and "不滞销产品" not in stranded
    vegetables = client.get("/catalog/qingyuan?category=vegetables").get_data(as_text=True)
    assert "蔬菜产品" in vegetables and "长期滞销" not in vegetables
    assert client.get("/catalog/qingyuan?category=nonsense&sort=nonsense&page=-3").status_code == 200


def test_sort_by_price_and_pagination(app, db, people):
    for i in range(23):
        make_product(app, db, people, name=f"产品{i:02d}", price=Decimal(f"{10 + i}.00"))
    client = app.test_client()
    first = client.get("/catalog/qingyuan?sort=price").get_data(as_text=True)
    assert "产品00" in first and "产品22" not in first and "第 1 页，共 2 页" in first
    second = client.get("/catalog/qingyuan?sort=price&page=2").get_data(as_text=True)
    assert "产品22" in second and "产品00" not in second
    desc = client.get("/catalog/qingyuan?sort=price_desc").get_data(as_text=True)
    assert desc.index("产品22") < desc.index("产品21")


def test_a_visitor_chooses_how_many_products_a_page_shows(app, db, people):
    for i in range(55):
        make_product(app, db, people, name=f"产品{i:02d}", price=Decimal(f"{10 + i}.00"))
    client = app.test_client()
    count = lambda html: html.count('class="product-card')  # noqa: E731
    assert count(client.get("/catalog/qingyuan").get_data(as_text=True)) == 20
    fifty = client.get("/catalog/qingyuan?sort=price&per_page=50").get_data(as_text=True)
    assert count(fifty) == 50 and "第 1 页，共 2 页" in fifty and "per_page=50" in fifty  # the pager keeps it
    assert count(client.get("/catalog/qingyuan?per_page=100").get_data(as_text=True)) == 55
    assert count(client.get("/catalog/qingyuan?per_page=100000").get_data(as_text=True)) == 20  # not offered


def test_a_catalog_page_runs_the_same_statements_whatever_the_number_of_products(app, db, people, count_queries):
    client = app.test_client()
    make_product(app, db, people, name="一")
    with count_queries() as few:
        client.get("/catalog/qingyuan")
    for i in range(15):
        make_product(app, db, people, name=f"多{i}")
    with count_queries() as many:
        client.get("/catalog/qingyuan")
    assert few.n == many.n == 4, many.statements


def test_an_unchanged_catalog_list_is_rendered_once_and_shared(app, db, people, count_queries):
    product_id = make_product(app, db, people, name="木耳", stock="10")
    first = app.test_client().get("/catalog/qingyuan").get_data(as_text=True)
    with count_queries() as again:
        second = app.test_client().get("/catalog/qingyuan").get_data(as_text=True)  # another visitor
    assert again.n == 1, again.statements  # the county with the catalog's version; no product is read
    strip = lambda html: re.sub(r'name="csrf_token"[^>]*>', "", html)  # noqa: E731 (each visitor's own token)
    unsold = lambda html: re.findall(r'class="unsold">[^<]*<strong>([^<]*)</strong>', html)  # noqa: E731
    assert strip(first) == strip(second) and unsold(second) == ["10"]
    english = app.test_client().get("/catalog/qingyuan", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Most urgent" in english and "Most urgent" not in second
    with app.app_context():
        from market.catalog import operations as ops
        from market.catalog.models import Product, StockReason

        ops.move_stock(db.session.get(Product, product_id), Decimal("-3"), StockReason.SPOILAGE)
        db.session.commit()
    with count_queries() as changed:
        after = app.test_client().get("/catalog/qingyuan").get_data(as_text=True)
    assert changed.n > 1 and unsold(after) == ["7"]


def test_the_catalog_is_served_when_its_cache_fails(app, db, people, monkeypatch):
    from market.extensions import cache

    make_product(app, db, people, name="木耳")

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "set", down)
    response = app.test_client().get("/catalog/qingyuan")
    assert response.status_code == 200 and "木耳" in response.get_data(as_text=True)


def test_catalog_pages_answer_conditional_requests(app, db, people):
    product_id = make_product(app, db, people, stock="10")
    client = app.test_client()
    first = client.get("/catalog/qingyuan")
    etag = first.headers["ETag"]
    again = client.get("/catalog/qingyuan", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    with app.app_context():
        from market.catalog import operations as ops
        from market.catalog.models import Product, StockReason

        ops.move_stock(db.session.get(Product, product_id), Decimal("-1"), StockReason.SPOILAGE)
        db.session.commit()
    assert client.get("/catalog/qingyuan", headers={"If-None-Match": etag}).status_code == 200
    product_page = client.get(f"/catalog/products/{product_id}")
    assert client.get(f"/catalog/products/{product_id}",
                      headers={"If-None-Match": product_page.headers["ETag"]}).status_code == 304


def test_city_view_shows_each_county_with_its_stranded_totals(app, db, people):
    from market.i18n import local_today

    make_product(app, db, people, stock="100", price=Decimal("2.50"), stranded=True,
                 stranded_since=local_today() - timedelta(days=5), households_linked=7)
    make_product(app, db, people, "supplier_xinbin", stock="3", price=Decimal("10.00"))
    html = app.test_client().get("/catalog/").get_data(as_text=True)
    assert "清原满族自治县" in html and "望花区" in html
    assert "¥250.00" in html
    with app.app_context(), app.test_request_context("/"):
        from market.catalog.queries import county_totals

        rows = {r["county"].code: r for r in county_totals(local_today())}
        assert rows["qingyuan"]["stranded"] == 1 and rows["qingyuan"]["stranded_value"] == Decimal("250.00")
        assert rows["qingyuan"]["households"] == 7
        assert rows["xinbin"]["published"] == 1 and rows["xinbin"]["stranded"] == 0


@pytest.mark.parametrize("fmt, mimetype", [("csv", "text/csv"), ("pdf", "application/pdf"),
                                           ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")])
def test_catalog_downloads(app, db, people, fmt, mimetype):
    make_product(app, db, people, name="=HYPERLINK(\"http://evil\")")
    response = app.test_client().get(f"/catalog/qingyuan/catalog.{fmt}")
    assert response.status_code == 200 and response.mimetype == mimetype
    assert "attachment" in response.headers["Content-Disposition"]
    if fmt == "csv":
        assert "'=HYPERLINK" in response.data.decode("utf-8-sig")


def test_unknown_county_is_404(client):
    assert client.get("/catalog/atlantis").status_code == 404
    assert client.get("/catalog/atlantis/catalog.csv").status_code == 404
