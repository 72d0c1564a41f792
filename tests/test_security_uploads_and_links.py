"""What an attacker sends and cannot abuse: hostile survey spreadsheets, photo bombs, malformed signed webhooks,
control characters in `next=`, and a forged Host header in absolute links."""

from __future__ import annotations

import io
import json
import re
import struct
import time
import zipfile
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.conftest import WEBHOOK_SECRET, post_form, sign_in, upload_survey as _upload
from tests.factories import SURVEY_HEADERS as CHINESE, SURVEY_ROW as GOOD, get_order as _order, make_product
from tests.factories import orders_of_bulk as _orders_of_bulk, place_order as _place
from tests.factories import stranded_product as _stranded, survey_row_count as _rows

ROOT = Path(__file__).resolve().parent.parent


# --- survey spreadsheets -----------------------------------------------------------------------------------------

SHEET = "xl/worksheets/sheet1.xml"
STRINGS = "xl/sharedStrings.xml"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _base_xlsx() -> bytes:
    """A real workbook (from openpyxl) whose sheet and shared strings the hostile files replace."""
    workbook = Workbook()
    workbook.active.append(["x"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _row(number: int, values: list, *, start_column: int = 1) -> str:
    cells = []
    for offset, value in enumerate(values):
        ref = f"{_letters(start_column + offset)}{number}"
        if isinstance(value, tuple):  # ("s", index): a shared string
            cells.append(f'<c r="{ref}" t="s"><v>{value[1]}</v></c>')
        elif value not in (None, ""):
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def _xlsx(rows: list[str], *, dimension: str = "A1:L2", strings: list[str] | None = None,
          huge_strings: int | None = None) -> bytes:
    """The base workbook with the sheet written here as XML; `strings` as its shared strings, or one shared
    string of `huge_strings` characters, written to the zip in pieces (a few KB compressed)."""
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/>'
             f'<sheetData>{"".join(rows)}</sheetData></worksheet>')
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(_base_xlsx())) as base, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in base.infolist():
            content = base.read(info.filename)
            if info.filename == SHEET:
                content = sheet.encode()
            elif info.filename == "[Content_Types].xml" and (strings or huge_strings):
                content = content.replace(b"</Types>", f'<Override PartName="/{STRINGS}" ContentType="application/'
                                          f'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                                          f"</Types>".encode())
            archive.writestr(info.filename, content)
        if huge_strings:
            with archive.open(STRINGS, "w", force_zip64=True) as stream:
                stream.write(f'<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>'.encode())
                for _ in range(huge_strings // 1_000_000):
                    stream.write(b"a" * 1_000_000)
                stream.write(b"</t></si></sst>")
        elif strings:
            items = "".join(f"<si><t>{text}</t></si>" for text in strings)
            archive.writestr(STRINGS, f'<sst xmlns="{MAIN}">{items}</sst>')
    return out.getvalue()


def _good_rows() -> list[str]:
    return [_row(1, CHINESE), _row(2, GOOD)]


def _hostile(case: str) -> bytes:
    if case == "row numbered a billion":
        return _xlsx([*_good_rows(), _row(1_000_000_000, GOOD)])
    if case == "dimension to row a million":
        return _xlsx(_good_rows(), dimension="A1:L1000000")
    if case == "cell in column XFD":
        return _xlsx([*_good_rows(), _row(3, ["x"], start_column=16384)])
    if case == "cell of 3,000 characters":
        return _xlsx([_row(1, CHINESE), _row(2, GOOD[:1] + ["木" * 3000] + GOOD[2:])])
    if case == "shared string of 3,000 characters":
        return _xlsx([_row(1, CHINESE), _row(2, GOOD[:1] + [("s", 0)] + GOOD[2:])], strings=["木" * 3000])
    if case == "shared strings of 50 MB":
        return _xlsx([_row(1, CHINESE), _row(2, GOOD[:1] + [("s", 0)] + GOOD[2:])], huge_strings=50_000_000)
    if case == "20,001 rows":
        return _xlsx([_row(1, CHINESE)] + [_row(n, GOOD[:1]) for n in range(2, 20_003)], dimension="A1:L20002")
    raise AssertionError(case)


#: Each hostile file, with what the refusal says in English and in Chinese.
HOSTILE = {
    "row numbered a billion": ("reaches row 1000000000; rows past 100000 are not allowed", "第 1000000000 行"),
    "dimension to row a million": ("reaches row 1000000; rows past 100000 are not allowed", "第 1000000 行"),
    "cell in column XFD": ("reaches column 16384; columns past 100 are not allowed", "第 16384 列"),
    "cell of 3,000 characters": ("more than 2000 characters", "超过 2000 个字符"),
    "shared string of 3,000 characters": ("more than 2000 characters", "超过 2000 个字符"),
    "shared strings of 50 MB": ("(xl/sharedStrings.xml) unpacks to 48 MB; at most 16 MB", "最多允许 16 MB"),
    "20,001 rows": ("more than 20000 rows", "超过 20000 行"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_xlsx_is_refused_before_it_is_read_saying_which_limit(ctx, case):
    from flask_babel import force_locale

    from market.catalog.survey.reading import read_survey_file

    data = _hostile(case)
    assert len(data) < 500_000  # small uploads that used to cost minutes of CPU or gigabytes
    with force_locale("en"):
        rows, errors = read_survey_file("survey.xlsx", data)
    assert rows == [] and len(errors) == 1
    assert (errors[0].row, errors[0].column) == (None, None)
    assert HOSTILE[case][0] in errors[0].message


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_xlsx_imports_nothing_and_the_page_says_why(app, db, people, client, login, case):
    login("county_qingyuan")
    response = _upload(client, _hostile(case), "survey.xlsx")
    assert response.status_code == 422
    assert HOSTILE[case][1] in response.get_data(as_text=True)
    assert _rows(app, db) == 0


def test_the_limits_leave_ordinary_files_alone(ctx):
    from market.catalog.survey.reading import read_survey_file
    from market.catalog.survey.template import template_xlsx

    rows, errors = read_survey_file("survey.xlsx", _xlsx([*_good_rows(), _row(40, GOOD)], dimension="A1:L40"))
    assert errors == [] and len(rows) == 2
    shared = _xlsx([_row(1, CHINESE), _row(2, GOOD[:1] + [("s", 0)] + GOOD[2:])], strings=["黑木耳"])
    rows, errors = read_survey_file("survey.xlsx", shared)
    assert errors == [] and rows[0]["product_name"] == "黑木耳"
    assert read_survey_file("t.xlsx", template_xlsx())[1] == []


def test_a_file_over_the_size_limit_and_a_long_csv_cell_are_refused(ctx):
    from flask_babel import force_locale

    from market.catalog.survey.columns import MAX_FILE_BYTES
    from market.catalog.survey.reading import read_survey_file

    header = ",".join(CHINESE).encode()
    with force_locale("en"):
        _, errors = read_survey_file("big.csv", header + b"\r\n" + b"x" * MAX_FILE_BYTES)
        assert [e.message for e in errors] == ["The file is larger than 10 MB. Split it into smaller files."]
        long_cell = ",".join([GOOD[0], "木" * 2001, *GOOD[2:]])
        _, errors = read_survey_file("long.csv", (",".join(CHINESE) + "\r\n" + long_cell).encode())
        assert len(errors) == 1 and "more than 2000 characters" in errors[0].message


# --- photos ------------------------------------------------------------------------------------------------------


def _png_header_of(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of the given size, all black: a few KB of zlib for tens of millions of pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte and the packed bits of one row
    squeezer = zlib.compressobj(9)
    pixels = b"".join(squeezer.compress(row) for _ in range(height)) + squeezer.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


@pytest.mark.parametrize("size", [(9400, 9400), (12_000, 8_000), (20_000, 20_000)],
                         ids=["88MP-under-pillow-limit", "96MP-pillow-warning", "400MP-pillow-error"])
def test_a_photo_above_40_megapixels_is_refused_before_decoding(app, db, people, monkeypatch, size):
    from flask_babel import force_locale
    from PIL import ImageFile

    from market.catalog import operations as ops
    from market.catalog.models import Product

    data = _png_header_of(*size)
    assert len(data) < 400_000
    product_id = make_product(app, db, people)

    def no_decoding(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    with app.app_context(), app.test_request_context("/"), force_locale("en"):
        with pytest.raises(ops.RuleError, match="40 megapixels") as refused:
            ops.add_photo(db.session.get(Product, product_id), data)
        if size == (9400, 9400):
            assert "9400 × 9400 pixels" in refused.value.message


def test_the_photo_page_says_the_picture_is_too_large_and_keeps_nothing(app, db, people, client, login):
    from market.catalog.models import ProductPhoto

    product_id = make_product(app, db, people)
    login("supplier_qingyuan")
    response = post_form(client, f"/catalog/products/{product_id}/photos",
                         {"photo": (io.BytesIO(_png_header_of(9400, 9400)), "big.png")}, token_from="/",
                         content_type="multipart/form-data", follow_redirects=True)
    assert "超过 40 百万像素" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProductPhoto)) == 0


# --- webhooks ----------------------------------------------------------------------------------------------------


@pytest.fixture()
def pending_order(app, db, people):
    from market.orders.models import Order
    from market.payments.models import Payment, PaymentMethod

    product = make_product(app, db, people, stock="100", price=Decimal("68.00"))
    bulk, _ = _place(app, db, people["buyer_party"], [(product, "2.5")])
    order_id = _orders_of_bulk(app, db, bulk)[0]
    with app.app_context():
        order = db.session.get(Order, order_id)
        db.session.add(Payment(order=order, method=PaymentMethod.CARD, amount=order.total_amount,
                               intent_id="pi_shape", create_key="c-shape", confirm_key="f-shape"))
        db.session.commit()
    return order_id


def _signed(client, body: bytes):
    from market.payments.client import sign

    return client.post("/payments/stripe/webhook", data=body, content_type="application/json",
                       headers={"Stripe-Signature": sign(body, WEBHOOK_SECRET, int(time.time()))})


def _event(**changes) -> dict:
    obj = {"id": "pi_shape", "object": "payment_intent", "status": "succeeded", "amount": 17000}
    event = {"id": "evt_shape", "type": "payment_intent.succeeded", "data": {"object": obj}}
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = event
        for key in parents:
            target = target[key]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value
    return event


BAD_EVENTS = {
    "data is a list": _event(data=[1, 2]),
    "data is text": _event(data="object"),
    "data is missing": _event(data=KeyError),
    "object is a list": _event(data__object=["pi_shape"]),
    "object is null": _event(data__object=None),
    "id is missing": _event(id=KeyError),
    "id is a number": _event(id=12),
    "id is too long": _event(id="evt_" + "x" * 200),
    "type is a list": _event(type=["payment_intent.succeeded"]),
    "object id is a number": _event(data__object__id=5),
    "status is an object": _event(data__object__status={"x": 1}),
    "amount is text": _event(data__object__amount="17000"),
    "amount is a fraction": _event(data__object__amount=17000.0),
    "amount is true": _event(data__object__amount=True),
    "amount is negative": _event(data__object__amount=-1),
    "error is text": _event(data__object__status="requires_payment_method", data__object__last_payment_error="x"),
}


@pytest.mark.parametrize("name", list(BAD_EVENTS))
def test_a_signed_webhook_of_the_wrong_shape_gets_400_and_changes_nothing(webhook_app, db, people, pending_order,
                                                                          name):
    from market.payments.models import WebhookEvent

    app = webhook_app
    response = _signed(app.test_client(), json.dumps(BAD_EVENTS[name]).encode())
    assert response.status_code == 400 and response.json["error"]
    assert _order(app, db, pending_order).payment_status.value == "unpaid"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(WebhookEvent)) == 0


def test_a_signed_webhook_nested_past_the_parser_gets_400(webhook_app, db, people):
    response = _signed(webhook_app.test_client(), b'{"id": "evt_deep", "data": ' + b"[" * 100_000 + b"]" * 100_000
                       + b"}")
    assert response.status_code == 400


def test_a_well_formed_webhook_still_pays(webhook_app, db, people, pending_order):
    assert _signed(webhook_app.test_client(), json.dumps(_event()).encode()).status_code == 200
    assert _order(webhook_app, db, pending_order).payment_status.value == "paid"


# --- next= --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["/orders\r\nSet-Cookie: x=1", "\r\nSet-Cookie:x", "/\t/evil.example",
                                    "/orders\x00", "/orders\x7f", "/orders\x0b", "/orders\n"])
def test_safe_next_ignores_control_characters(target):
    from market.security import safe_next

    assert safe_next(target, "/home") == "/home"
    assert safe_next("/orders?page=2", "/home") == "/orders?page=2"


@pytest.mark.parametrize("query", ["%0d%0aSet-Cookie:x", "/orders%0d%0aSet-Cookie:%20x=1", "/%09/evil.example",
                                   "/orders%00"])
def test_login_with_control_characters_in_next_goes_home(client, people, query):
    response = post_form(client, f"/login?next={query}", {"email": people["buyer_party"],
                                                          "password": "correct-horse-battery"}, token_from="/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert all("x=1" not in cookie and not cookie.startswith("x") for cookie in response.headers.getlist("Set-Cookie"))


@pytest.mark.parametrize("signed_in", [False, True])
def test_language_with_control_characters_in_next_goes_home(client, people, signed_in):
    if signed_in:
        sign_in(client, people["buyer_party"])
    response = post_form(client, "/language", {"locale": "en", "next": "/orders\r\nSet-Cookie: x=1"},
                         token_from="/")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert post_form(client, "/language", {"locale": "en", "next": "/bulletins/"},
                     token_from="/").headers["Location"] == "/bulletins/"


# --- absolute links -----------------------------------------------------------------------------------------------


FORGED = {"Host": "evil.example", "X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}


def _published_issue(app, db, people, client, login):
    from market.i18n import local_today

    _stranded(app, db, people, "黑木耳", days=40, stock="850")
    login("county_qingyuan")
    response = post_form(client, "/bulletins/qingyuan/publish", {"issue_date": local_today().isoformat()},
                         token_from="/bulletins/qingyuan/")
    assert response.status_code == 302


@pytest.mark.parametrize("path", ["/bulletins/feed.xml", "/bulletins/qingyuan/feed.xml"])
def test_feed_links_come_from_configuration_not_from_the_host_header(app, db, people, client, login, path):
    _published_issue(app, db, people, client, login)
    feed = app.test_client().get(path, headers=FORGED).get_data(as_text=True)
    assert "evil.example" not in feed
    links = re.findall(r'(?:href="|<id>)([^"<]+)', feed)
    assert len(links) >= 5 and all(link.startswith("http://localhost/bulletins/") for link in links)


def test_feed_links_follow_public_url_behind_a_proxy(app, db, people, client, login):
    _published_issue(app, db, people, client, login)
    saved = app.config["PUBLIC_URL"]
    app.config["PUBLIC_URL"] = "https://market.example.org/fushun"
    try:
        feed = app.test_client().get("/bulletins/feed.xml", headers=FORGED).get_data(as_text=True)
    finally:
        app.config["PUBLIC_URL"] = saved
    assert "evil.example" not in feed and "https://market.example.org/fushun/bulletins/feed.xml" in feed


def test_the_order_email_links_to_the_configured_site(app, db, people, caplog):
    """The e-mails go out from the outbox (`notifications deliver`), away from any request: their links are built
    from PUBLIC_URL, never from a request's Host."""
    import logging

    product = make_product(app, db, people)
    bulk, _ = _place(app, db, people["buyer_party"], [(product, "3")])
    order_id = _orders_of_bulk(app, db, bulk)[0]
    with app.app_context(), app.test_request_context("/orders/place", base_url="https://evil.example/",
                                                     headers=FORGED):
        from market.notifications.delivery import deliver_pending

        with caplog.at_level(logging.INFO, logger="market.mail"):
            deliver_pending()
    mails = [r.getMessage() for r in caplog.records if r.name == "market.mail"]
    assert mails and all("evil.example" not in mail for mail in mails)
    assert any(f"http://localhost/orders/{order_id}" in mail for mail in mails)


@pytest.mark.parametrize("value", ["localhost:5000", "ftp://market.example.org", "https://", "https://a.org/?x=1",
                                   "https://user:pw@a.org"])
def test_a_public_url_that_is_not_a_site_address_stops_the_app(value):
    from config import public_url

    with pytest.raises(RuntimeError, match="PUBLIC_URL"):
        public_url(value)
    assert public_url(" https://market.example.org/ ") == "https://market.example.org"


def test_no_link_is_built_from_the_request_host():
    """Absolute links go through market.links.external_url; the request's own URL and host are not echoed."""
    pattern = re.compile(r"_external\s*=\s*True|request\.(?:url|host_url|host|url_root|base_url)\b")
    offenders = [f"{path.relative_to(ROOT)}:{n}" for folder in ("market", "templates")
                 for path in (ROOT / folder).rglob("*")
                 if path.suffix in (".py", ".html", ".xml", ".txt") and path.name != "links.py"
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if pattern.search(line)]
    assert offenders == []



def test_server_name_and_scheme_give_the_public_address_when_public_url_is_not_set(monkeypatch):
    from config import CONFIGS

    monkeypatch.delenv("PUBLIC_URL", raising=False)
    monkeypatch.setenv("SERVER_NAME", "market.example.org")
    monkeypatch.setenv("PREFERRED_URL_SCHEME", "https")
    assert CONFIGS["development"]().PUBLIC_URL == "https://market.example.org"
    monkeypatch.setenv("PUBLIC_URL", "https://shop.example.org/market")
    assert CONFIGS["development"]().PUBLIC_URL == "https://shop.example.org/market"
