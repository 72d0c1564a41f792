"""No number from outside causes a 5xx: ids in paths, pages and years in query strings, numbers in every form and
JSON body. Every route of `app.url_map` is walked as anonymous and as a person of each kind; every form with a
number field that a person of each kind can reach by following links is posted with hostile numbers.

Numbers are read in one place each: whole numbers in `market.numbers` (path converter, query parser, ids in
forms and JSON), decimals in `market.rules.read_decimal`."""

from __future__ import annotations

import re
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import pytest
from flask_babel import force_locale

from market.numbers import MAX_ID  # 2^31-1: ids are `integer` columns, 32-bit on PostgreSQL
from tests.conftest import bearer_headers, csrf_token

#: Past a 32-bit id column, past a 64-bit integer, past anything.
HUGE_IDS = [str(2**31), str(2**63), "9" * 25]
HUGE = str(2**63)
#: Query arguments any list may read, all far too large.
HUGE_QUERY = {name: HUGE for name in ("page", "per_page", "year", "month", "object_id", "counterpart", "demand",
                                      "product", "county", "status")}
HOSTILE_NUMBERS = ["1E+1000000000", "1E-1000000000", "NaN", "-0", "12.3456", HUGE, "9" * 25]
DEMO_PASSWORD = "demo-pass-2020"
#: One person of each kind in the demo city.
DEMO_PEOPLE = {
    "city": "city@demo.local",
    "federation": "federation@demo.local",
    "county": "county-qingyuan@demo.local",
    "supplier": "coop-qingyuan@demo.local",
    "buyer": "party@demo.local",
    "firm": "firm@demo.local",
}


def _status(client, method: str, url: str, **kwargs) -> int | str:
    """The answer's status, or the exception a request raised (the test app propagates them: a 500)."""
    try:
        return client.open(url, method=method, **kwargs).status_code
    except Exception as exc:  # noqa: BLE001 - the failure being looked for
        return f"{type(exc).__name__}: {exc}"[:300]


def _server_error(status) -> bool:
    return not isinstance(status, int) or status >= 500


def _signed_in(app, role: str | None):
    client = app.test_client()
    if role:
        response = client.post("/login", data={"email": DEMO_PEOPLE[role], "password": DEMO_PASSWORD,
                                               "csrf_token": csrf_token(client)})
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


# --- the parsers on their own -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1E+1000000000", "1e3", "1e-3", "1E-1000000000", "NaN", "nan", "Infinity",
                                   "-inf", "12.3456", "0x10", "1_000", "12.5.1", "--1", "1" * 40, "0." + "0" * 40 + "1",
                                   float("inf"), float("nan"), 1e300, 10**40, Decimal("1E+1000000000"),
                                   Decimal("1E-1000000000"), Decimal("NaN"), "", None, True])
@pytest.mark.parametrize("rule", ["quantity", "price", "amount", "stock_delta"])
def test_the_decimal_parser_refuses_exponents_non_numbers_places_and_size(app, rule, value):
    from market import rules
    from market.catalog import rules as product_rules

    reader = getattr(rules, rule, None) or getattr(product_rules, rule)
    with app.test_request_context(), force_locale("en"), pytest.raises(rules.RuleError) as refused:
        reader(value)
    assert refused.value.message  # a sentence for the person, not a traceback


@pytest.mark.parametrize("value, expected", [
    ("12.5", Decimal("12.5")), ("１２．５", Decimal("12.5")), ("1,234.5", Decimal("1234.5")),
    (" 7 ", Decimal("7")), ("12.50000", Decimal("12.5")), (12.5, Decimal("12.5")), (3, Decimal("3")), (".5", Decimal("0.5")),
])
def test_the_decimal_parser_reads_plain_numbers(app, value, expected):
    from market import rules

    with app.test_request_context():
        assert rules.quantity(value) == expected
        assert rules.price(value) == expected


def test_the_decimal_parser_names_the_exponent_and_the_tiny_amount_is_not_zero(app):
    from market import rules

    with app.test_request_context(), force_locale("en"):
        for value in ("1e3", "1E-1000000000"):
            with pytest.raises(rules.RuleError, match="exponent"):
                rules.amount(value)
        with pytest.raises(rules.RuleError, match="implausibly large"):
            rules.quantity("1E+1000000000")
        with pytest.raises(rules.RuleError, match="two decimals"):
            rules.price(Decimal("1E-1000000000"))  # 0.00 when rounded: never saved as zero
        assert rules.quantity("-0", allow_zero=True) == 0 and not rules.quantity("-0", allow_zero=True).is_signed()
    with app.test_request_context(), force_locale("zh_Hans_CN"):
        with pytest.raises(rules.RuleError, match="科学计数法"):
            rules.price("1e2")


def test_every_bound_fits_the_storage():
    """Quantities are integer thousandths and money integer fen in 64-bit columns; a line's value in fen times
    thousandths (as the catalog totals compute it in SQL) fits too."""
    from market import rules

    assert rules.MAX_QUANTITY < 10**9 and rules.MAX_PRICE < 10**9 and rules.MAX_AMOUNT < 10**9
    assert rules.MAX_QUANTITY * 1000 < 2**63 and rules.MAX_AMOUNT * 100 < 2**63
    assert (rules.MAX_PRICE * 100) * (rules.MAX_QUANTITY * 1000) < 2**63


@pytest.mark.parametrize("value, expected", [
    ("1", 1), ("007", 7), (" 5 ", 5), (5, 5), (str(MAX_ID), MAX_ID), (str(2**31), None), (str(2**63), None),
    ("9" * 25, None),
    ("0" * 5000 + "1", 1), ("1e3", None), ("１２", None), ("1_000", None), ("3.0", None), (3.0, None), (True, None),
    ("", None), ("-1", None), ("abc", None), (2**63, None),
])
def test_the_whole_number_parser(value, expected):
    from market.numbers import whole_number

    assert whole_number(value) == expected


def test_the_query_parser_ignores_nonsense_and_refuses_a_page_that_cannot_exist(app):
    from werkzeug.exceptions import NotFound

    from market.numbers import query_int

    for query, expected in (("", 1), ("page=abc", 1), ("page=-3", 1), ("page=0", 1), ("page=7", 7)):
        with app.test_request_context("/?" + query):
            assert query_int("page", 1) == expected
    for huge in (str(2**63), "9" * 25, "9" * 5000, "100001"):
        with app.test_request_context("/?page=" + huge), pytest.raises(NotFound):
            query_int("page", 1)


def test_the_path_converter_is_bounded(app, client):
    from market.numbers import BoundedIntConverter

    assert app.url_map.converters["int"] is BoundedIntConverter
    for path in ("/catalog/products/9223372036854775808", "/api/v1/products/9223372036854775808",
                 "/catalog/products/2147483648", "/api/v1/orders/2147483648",
                 "/catalog/products/" + "9" * 25, "/catalog/products/" + "0" * 5000 + "1"):
        assert client.get(path).status_code == 404
    for method in ("PATCH", "POST"):  # no route matches at all: not a 405 for the other methods of the rule
        assert client.open("/api/v1/products/2147483648", method=method, json={}).status_code == 404
        assert client.open("/api/v1/products/" + "0" * 50 + "1", method=method, json={}).status_code == 404


# --- every route, anonymous and signed in ------------------------------------------------------------------------

_ARGUMENT = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


def _paths(rule, hostile_id: str) -> str:
    """The rule's path with hostile ids for its integers and a plausible value for anything else."""

    def fill(match):
        converter, arguments, name = match.group(1) or "default", match.group(2), match.group(3)
        if converter == "int":
            return hostile_id
        if converter == "any":
            return re.findall(r"\w+", arguments)[0]
        if "county" in name or name == "code":
            return "qingyuan"
        return "x"

    return _ARGUMENT.sub(fill, rule.rule)


@pytest.mark.parametrize("role", [None, *DEMO_PEOPLE])
def test_no_path_id_or_query_number_causes_a_server_error(app, demo, role):
    client = _signed_in(app, role)
    failures = []
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    assert len(rules) > 60
    for rule in rules:
        if "logout" in rule.rule:
            continue
        with_ids = "int:" in rule.rule
        urls = [_paths(rule, hostile) for hostile in HUGE_IDS] if with_ids else [_paths(rule, "1")]
        urls.append(_paths(rule, "1") + "?" + urlencode(HUGE_QUERY))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for url in urls:
                kwargs = {"json": {"id": 2**63}} if url.startswith("/api/") and method != "GET" else {}
                status = _status(client, method, url, **kwargs)
                if _server_error(status):
                    failures.append(f"{method} {url}: {status}")
                elif with_ids and "?" not in url and method == "GET" and status not in (301, 302, 308, 401, 403, 404):
                    failures.append(f"{method} {url}: {status}, expected 404 for an id no row can have")
                elif with_ids and "?" not in url and url.startswith("/api/") and status != 404:
                    failures.append(f"{method} {url}: {status}, expected 404 for an id no row can have")
    assert not failures, "\n".join(failures)


# --- every form with a number, as a person of each kind --------------------------------------------------------


class _Page(HTMLParser):
    """Links and forms of a page: each form as its action and [(name, value, kind)] (kind: number or other)."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.forms: list[tuple[str, list]] = []
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = (a.get("action") or "", [])
            self.forms.append(self._form)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if value.isdigit():
                self._select[2] = "number"
            if "selected" in a or not self._select[1]:
                self._select[1] = value
        elif self._form is None or not a.get("name"):
            return
        elif tag in ("input", "textarea"):
            kind = "number" if (a.get("inputmode") in ("decimal", "numeric") or a.get("type") == "number"
                                or (a.get("type") == "hidden" and (a.get("value") or "").isdigit())) else "other"
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                kind = "number" if (a.get("value") or "").isdigit() else "skip"
            if a.get("type") in ("submit", "button", "file"):
                kind = "skip"
            self._form[1].append([a["name"], a.get("value") or "", kind])
        elif tag == "select":
            self._select = [a["name"], "", "other"]
            self._form[1].append(self._select)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _pattern(path: str) -> str:
    return re.sub(r"\d+", "N", urlsplit(path).path)


def _crawl(client, start: list[str], limit: int = 120) -> dict[str, tuple[str, str, list]]:
    """Follow the site's links from `start`; every post form with a number field, one per (action pattern, fields)."""
    seen_patterns: dict[str, int] = {}
    queue, visited, forms = list(start), set(), {}
    while queue and len(visited) < limit:
        url = queue.pop(0)
        path = urlsplit(url)
        if path.netloc or not url.startswith("/") or url in visited or "logout" in url or "/static/" in url:
            continue
        pattern = _pattern(url)
        if seen_patterns.get(pattern, 0) >= 2:
            continue
        seen_patterns[pattern] = seen_patterns.get(pattern, 0) + 1
        visited.add(url)
        response = client.get(url)
        if response.status_code != 200 or not response.content_type.startswith("text/html"):
            continue
        page = _Page()
        page.feed(response.get_data(as_text=True))
        queue.extend(link.split("#")[0] for link in page.links if link.split("#")[0])
        for action, fields in page.forms:
            action = action or url
            if "logout" in action or not any(kind == "number" for _, _, kind in fields):
                continue
            key = (_pattern(action), tuple(sorted(name for name, _, _ in fields)))
            forms.setdefault(key, (url, action, fields))
    return forms


@pytest.mark.parametrize("role", list(DEMO_PEOPLE))
def test_no_number_in_any_form_causes_a_server_error(app, demo, role):
    client = _signed_in(app, role)
    forms = _crawl(client, ["/", "/catalog/", "/orders/", "/orders/cart", "/orders/reserved-share", "/agreements/",
                            "/agreements/new", "/pledges/", "/pairing/demands", "/catalog/survey", "/catalog/mine",
                            "/payments/", "/reports/", "/admin/"])
    assert forms or role == "federation", "no form with a number was reached"  # the federation reviews only
    failures = []
    for page, action, fields in forms.values():
        for hostile in HOSTILE_NUMBERS:
            data = {name: (hostile if kind == "number" else value) for name, value, kind in fields if kind != "skip"}
            data["csrf_token"] = csrf_token(client, page)
            status = _status(client, "POST", action, data=data)
            if _server_error(status):
                failures.append(f"POST {action} (from {page}) with {hostile}: {status}")
    assert not failures, "\n".join(failures)


def test_the_agreement_form_with_a_product_id_that_is_not_one_says_so(app, demo):
    client = _signed_in(app, "buyer")
    html = client.get("/agreements/new").get_data(as_text=True)
    supplier = re.search(r'<option value="(\d+)"', html).group(1)
    url = f"/agreements/new?counterpart={supplier}"
    for product_id in ("abc", HUGE, "9" * 25, "-1", "1e3"):
        response = client.post(url, data={"lines-0-product_id": product_id, "lines-0-quantity": "10",
                                          "lines-0-unit_price": "5", "schedule_kind": "weekly", "weekdays": "0",
                                          "start_date": "2026-01-01", "end_date": "2026-12-31",
                                          "delivery_place": "食堂", "csrf_token": csrf_token(client, url)})
        assert response.status_code in (200, 422), product_id
        assert "请从列表中选择产品" in response.get_data(as_text=True) or "供应商自己的产品" in response.get_data(
            as_text=True), product_id


# --- JSON bodies ------------------------------------------------------------------------------------------------


def _token(app, role: str) -> dict:
    return {**bearer_headers(app, DEMO_PEOPLE[role], DEMO_PASSWORD), "Accept-Language": "en"}


def _raw(body: str) -> dict:
    return {"data": body, "content_type": "application/json"}


def test_no_number_in_a_json_body_causes_a_server_error(app, demo):
    client = app.test_client()
    supplier, buyer = _token(app, "supplier"), _token(app, "buyer")
    product = client.get("/api/v1/products?per_page=100", headers=supplier).json["items"]
    mine = next(p for p in product if p["supplier"]["name"].startswith("清原满族自治县红透山镇"))
    base = {"name": "测试", "category": "vegetable", "unit": "kg", "price": "5", "unsold_quantity": "10"}
    failures = []
    for hostile in HOSTILE_NUMBERS:
        literal = hostile if re.fullmatch(r"[-0-9.Ee+]+", hostile) else f'"{hostile}"'
        calls = []
        for field in ("price", "min_order_quantity", "unsold_quantity", "households_linked", "shelf_life_days"):
            calls.append(("POST", "/api/v1/products", supplier, {"json": {**base, field: hostile}}))
            calls.append(("POST", "/api/v1/products", supplier,
                          _raw('{"name": "x", "category": "vegetable", "unit": "kg", "price": "5", "%s": %s}'
                               % (field, literal))))
            calls.append(("PATCH", f"/api/v1/products/{mine['id']}", supplier, {"json": {field: hostile}}))
        calls.append(("POST", f"/api/v1/products/{mine['id']}/stock", supplier,
                      {"json": {"reason": "restock", "delta": hostile}}))
        calls.append(("POST", f"/api/v1/products/{mine['id']}/stock", supplier,
                      _raw('{"reason": "restock", "delta": %s}' % literal)))
        calls.append(("POST", "/api/v1/orders", buyer,
                      {"json": {"client_token": f"t-{hostile}", "lines": [{"product_id": mine["id"],
                                                                           "quantity": hostile}]}}))
        calls.append(("POST", "/api/v1/orders", buyer,
                      _raw('{"client_token": "r-%s", "lines": [{"product_id": %s, "quantity": "1"}]}'
                           % (hostile, literal))))
        calls.append(("GET", f"/api/v1/products?page={hostile}&per_page={hostile}", buyer, {}))
        calls.append(("GET", f"/api/v1/reserved-shares?year={hostile}", buyer, {}))
        for method, url, headers, kwargs in calls:
            status = _status(client, method, url, headers=headers, **kwargs)
            if _server_error(status):
                failures.append(f"{method} {url} {kwargs}: {status}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("product_id", [2**31, 2**63, 10**25, -1, 0, "1", 1.0, True])
def test_an_order_line_with_an_id_that_is_not_one_is_a_422(app, demo, product_id):
    response = app.test_client().post("/api/v1/orders", headers=_token(app, "buyer"),
                                      json={"client_token": "x1", "lines": [{"product_id": product_id,
                                                                             "quantity": "1"}]})
    assert response.status_code == 422
    assert "lines[0].product_id" in response.json["errors"]


def test_a_nul_character_anywhere_in_the_request_is_refused_before_it_reaches_the_database(app, client, login,
                                                                                           people):
    """PostgreSQL cannot store NUL in text: a NUL in the path, the query, a form or a JSON body is a 400."""
    from tests.conftest import post_form

    assert client.get("/catalog/qing%00yuan").status_code == 400
    assert client.get("/catalog/qingyuan?q=%E6%9C%A8%00").status_code == 400
    token = client.post("/api/v1/tokens", json={"email": people["buyer_party"], "password": "correct-horse-battery"})
    headers = {"Authorization": "Bearer " + token.json["token"]}
    answer = client.post("/api/v1/orders", json={"lines": [{"product_id": 1, "quantity": "1"}],
                                                 "client_token": "abc\x00def"}, headers=headers)
    assert answer.status_code == 400 and answer.mimetype == "application/problem+json"
    assert "NUL" in answer.json["detail"]
    login("buyer_party")
    assert post_form(client, "/account", {"name": "x\x00y"}, token_from="/account").status_code == 400
