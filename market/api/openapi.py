"""The OpenAPI 3.1 document of /api/v1. Written by hand next to the views; the contract tests and schemathesis
check that the two agree."""

from __future__ import annotations

from market.api import openapi_households, openapi_invoices, openapi_round_closing, openapi_rounds
from market.catalog.models import Category, LinkageMode, ListingStatus, Unit
from market.catalog.rules import MANUAL_STOCK_REASONS
from market.numbers import MAX_ID, MAX_PAGE
from market.orders.models import OrderStatus, PaymentStatus
from market.orders.rules import ORDER_TEXT_LIMITS
from market.shares.models import CanteenMode

DECIMAL = {"type": "string", "pattern": r"^-?\d+(\.\d+)?$", "examples": ["12.50"]}
DECIMAL_IN = {"oneOf": [{"type": "string", "maxLength": 40}, {"type": "number"}],
              "description": "A decimal as a string (\"12.50\") or a number."}
NULLABLE_TEXT = {"type": ["string", "null"]}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _problem(description: str) -> dict:
    return {"description": description, "content": {"application/problem+json": {"schema": _ref("Problem")}}}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


#: Any call with a token may also answer these two (market.api.auth.refusal_for), beyond the endpoints that list 403.
FORBIDDEN = ("Not allowed. Type /api/v1/problems/organisation-not-approved: the caller's organisation is pending, "
             "returned or suspended (only the public endpoints answer). Type /api/v1/problems/"
             "password-change-required: a temporary password must first be changed on the website (no token is "
             "issued for it, and tokens answer nothing until then).")


def _responses(ok: dict, *codes: int) -> dict:
    names = {400: "Bad request", 401: "Not signed in, or the token is not valid", 403: FORBIDDEN,
             404: "Not found, or not yours to see", 409: "Conflicts with the current state",
             415: "The body is not JSON", 422: "Invalid input, with `errors` per field", 429: "Too many attempts"}
    responses = dict(ok)
    # Any operation may answer 400: a NUL character in the query or body is refused before the view runs.
    for code in sorted({400, *codes}):
        responses[str(code)] = _problem(names[code])
    return responses


def _page_params() -> list[dict]:
    return [
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}},
        {"name": "per_page", "in": "query",
         "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
    ]


def _list(item: str) -> dict:
    return {"type": "object", "required": ["items", "total"],
            "properties": {"items": {"type": "array", "items": _ref(item)}, "total": {"type": "integer"},
                           "page": {"type": "integer"}, "per_page": {"type": "integer"}}}


def _id_param(name: str) -> dict:
    """Ids are 32-bit `integer` columns; a larger one in a path is a 404, as for an id no row has (market.numbers)."""
    return {"name": name, "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1,
                                                                     "maximum": MAX_ID}}


def _link(operation_id: str, pointer: str, parameter: str) -> dict:
    """An OpenAPI link: the id at `pointer` in this response is `parameter` of the operation (stateful tests
    follow them)."""
    return {"operationId": operation_id, "parameters": {parameter: f"$response.body#{pointer}"}}


def _product_links(pointer: str) -> dict:
    return {"links": {"GetProduct": _link("getProduct", pointer, "product_id"),
                      "UpdateProduct": _link("updateProduct", pointer, "product_id"),
                      "ChangeStock": _link("changeStock", pointer, "product_id")}}


def _order_links(pointer: str) -> dict:
    return {"links": {"GetOrder": _link("getOrder", pointer, "order_id"),
                      "OrderAction": _link("orderAction", pointer, "order_id")}}


SECURED = [{"bearerAuth": []}]


def spec() -> dict:
    product_fields = {
        "name": {"type": "string", "minLength": 1, "maxLength": 120},
        "category": {"type": "string", "enum": [c.value for c in Category]},
        "variety": {"type": ["string", "null"], "maxLength": 120},
        "specification": {"type": ["string", "null"], "maxLength": 200},
        "unit": {"type": "string", "enum": [u.value for u in Unit]},
        "price": DECIMAL_IN,
        "min_order_quantity": DECIMAL_IN,
        "available_from": NULLABLE_DATE,
        "best_before": NULLABLE_DATE,
        "shelf_life_days": {"type": ["integer", "null"], "minimum": 1, "maximum": 3650},
        "storage_note": {"type": ["string", "null"], "maxLength": 300},
        "description": {"type": ["string", "null"], "maxLength": 4000},
        "households_linked": {"oneOf": [{"type": "integer", "minimum": 0}, {"type": "string"}]},
        "linkage_mode": {"type": ["string", "null"], "enum": [m.value for m in LinkageMode] + [None]},
        "identification_number": {"type": ["string", "null"], "maxLength": 60},
        "identification_valid_until": NULLABLE_DATE,
        "stranded": {"type": "boolean"},
        "stranded_since": NULLABLE_DATE,
        "stranded_cause": {"type": ["string", "null"], "maxLength": 300},
    }
    schemas = {
        "Problem": {
            "type": "object", "required": ["type", "title", "status"],
            "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                           "detail": {"type": "string"},
                           "errors": {"type": "object", "additionalProperties": {"type": "string"}}},
        },
        "TokenRequest": {"type": "object", "required": ["email", "password"], "additionalProperties": False,
                         "properties": {"email": {"type": "string"}, "password": {"type": "string"}}},
        "Token": {"type": "object", "required": ["token", "expires_at", "user"],
                  "properties": {"token": {"type": "string"}, "expires_at": {"type": "string", "format": "date-time"},
                                 "user": {"type": "object"}}},
        "County": {"type": "object", "required": ["code", "name_zh", "name_en", "paired_systems"],
                   "properties": {"code": {"type": "string"}, "name_zh": {"type": "string"},
                                  "name_en": {"type": "string"}, "kind": {"type": "string"},
                                  "paired_systems": {"type": "array", "items": {"type": "string"}}}},
        "Product": {
            "type": "object",
            "required": ["id", "name", "county", "supplier", "category", "unit", "price", "min_order_quantity",
                         "unsold_quantity", "households_linked", "stranded"],
            "properties": {
                "id": {"type": "integer"}, "name": {"type": "string"}, "county": {"type": "string"},
                "supplier": {"type": "object", "required": ["id", "name"],
                             "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
                "category": {"type": "string", "enum": [c.value for c in Category]},
                "variety": NULLABLE_TEXT, "specification": NULLABLE_TEXT,
                "unit": {"type": "string", "enum": [u.value for u in Unit]},
                "price": DECIMAL, "min_order_quantity": DECIMAL, "unsold_quantity": DECIMAL,
                "households_linked": {"type": "integer"},
                "linkage_mode": {"type": ["string", "null"]},
                "stranded": {"type": "boolean"}, "stranded_since": NULLABLE_DATE, "stranded_cause": NULLABLE_TEXT,
                "available_from": NULLABLE_DATE, "best_before": NULLABLE_DATE,
                "shelf_life_days": {"type": ["integer", "null"]}, "storage_note": NULLABLE_TEXT,
                "identification_number": NULLABLE_TEXT, "identification_valid_until": NULLABLE_DATE,
                "status": {"type": "string", "enum": [s.value for s in ListingStatus]},
                "on_sale": {"type": "boolean"}, "updated_at": {"type": "string"},
            },
        },
        "ProductInput": {"type": "object", "additionalProperties": False,
                         "required": ["name", "category", "unit", "price"],
                         "properties": dict(product_fields, unsold_quantity=DECIMAL_IN)},
        "ProductPatch": {"type": "object", "additionalProperties": False, "properties": product_fields},
        "StockChange": {"type": "object", "required": ["delta", "reason"], "additionalProperties": False,
                        "properties": {"delta": DECIMAL_IN, "reason": {"type": "string", "enum": list(MANUAL_STOCK_REASONS)},
                                       "note": {"type": ["string", "null"], "maxLength": 300}}},
        "StockEntry": {"type": "object", "required": ["id", "product_id", "delta", "reason", "unsold_quantity"],
                       "properties": {"id": {"type": "integer"}, "product_id": {"type": "integer"}, "delta": DECIMAL,
                                      "reason": {"type": "string"}, "note": NULLABLE_TEXT,
                                      "balance_after": DECIMAL, "unsold_quantity": DECIMAL}},
        "OrderInput": {
            "type": "object", "required": ["lines", "client_token"], "additionalProperties": False,
            "properties": {
                "client_token": {"type": "string", "minLength": 1, "maxLength": 64,
                                 "description": "New for each order; the same token again returns the same orders."},
                "lines": {"type": "array", "minItems": 1, "maxItems": 200, "items": {
                    "type": "object", "required": ["product_id", "quantity"], "additionalProperties": False,
                    "properties": {"product_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                                   "quantity": DECIMAL_IN,
                                   "unit": {"type": "string", "enum": [u.value for u in Unit]},
                                   "expected_unit_price": dict(DECIMAL_IN, description=(
                                       "The price the buyer was shown; if today's differs, nothing is ordered "
                                       "and the answer is 409 price-changed listing the lines."))}}},
                "delivery_address_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID, "description": (
                    "One of the caller's addresses (GET /api/v1/delivery-addresses); required when the organisation "
                    "keeps any. Another organisation's id is 422 \"not one of your addresses\".")},
                "requested_delivery_date": {"type": "string", "format": "date", "description": (
                    "YYYY-MM-DD; not in the past, not before any product's available_from.")},
                "note": {"type": "string", "maxLength": 1000, "description": "A note to the supplier."},
                "invoice": _ref("OrderInvoiceInput"),
            },
        },
        "Delivery": {"type": "object", "description": "Copied from the address when the order was placed.",
                     "properties": {"address": NULLABLE_TEXT, "recipient": NULLABLE_TEXT, "phone": NULLABLE_TEXT,
                                    "instructions": NULLABLE_TEXT, "requested_delivery_date": NULLABLE_DATE,
                                    "note": NULLABLE_TEXT, "proposed_delivery_date": NULLABLE_DATE}},
        "DeliveryAddress": {"type": "object", "required": ["id", "place", "recipient", "phone"],
                            "properties": {"id": {"type": "integer"}, "place": {"type": "string"},
                                           "recipient": {"type": "string"}, "phone": {"type": "string"},
                                           "notes": NULLABLE_TEXT}},
        "Order": {
            "type": "object",
            "required": ["id", "reference", "status", "payment_status", "buyer", "supplier", "total_amount", "lines"],
            "properties": {
                "id": {"type": "integer"}, "reference": {"type": "string"},
                "status": {"type": "string", "enum": [s.value for s in OrderStatus]},
                "payment_status": {"type": "string", "enum": [s.value for s in PaymentStatus]},
                "counted": {"type": "boolean", "description": "Paid and accepted: it counts toward totals."},
                "buyer": {"type": "object"}, "supplier": {"type": "object"}, "county": {"type": "string"},
                "paired": {"type": "boolean"}, "total_amount": DECIMAL, "placed_at": {"type": "string"},
                "carrier": NULLABLE_TEXT, "tracking_number": NULLABLE_TEXT, "reject_reason": NULLABLE_TEXT,
                "cancel_reason": NULLABLE_TEXT, "acceptance_note": NULLABLE_TEXT,
                "rating": {"type": ["integer", "null"]}, "rating_comment": NULLABLE_TEXT,
                "delivery": _ref("Delivery"),
                "invoice": _ref("OrderInvoice"),
                "lines": {"type": "array", "items": {"type": "object", "properties": {
                    "product_id": {"type": "integer"}, "product_name": {"type": "string"},
                    "unit": {"type": "string"}, "unit_price": DECIMAL, "quantity": DECIMAL, "line_total": DECIMAL,
                    "received_quantity": {"oneOf": [DECIMAL, {"type": "null"}]}}}},
            },
        },
        "Orders": {"type": "object", "required": ["orders"],
                   "properties": {"orders": {"type": "array", "items": _ref("Order")},
                                  "bulk_order_id": {"type": "integer"}}},
        "OrderAction": {
            "type": "object", "additionalProperties": False,
            "properties": {**{name: {"type": "string", "maxLength": limit} for name, limit in ORDER_TEXT_LIMITS.items()},
                           "received": {"type": "object", "additionalProperties": DECIMAL_IN,
                                        "description": "Accept: product id → quantity received (default: all)."},
                           "rating": {"type": "integer", "minimum": 1, "maximum": 5},
                           "proposed_delivery_date": {"type": "string", "format": "date", "description": (
                               "Confirm: another delivery day than the buyer's (YYYY-MM-DD, not in the past).")}},
        },
        "ReservedShare": {"type": "object", "properties": {
            "buyer": {"type": "object"}, "year": {"type": "integer"},
            "canteen_mode": {"type": "string", "enum": [m.value for m in CanteenMode]},
            "canteen_spending": DECIMAL, "share_percent": DECIMAL, "reserved_amount": DECIMAL,
            "counted_amount": DECIMAL,
            "staff_purchases_amount": dict(DECIMAL, description="Counted staff purchase rounds of the unit and the "
                                           "units covered: not part of counted_amount (not the canteen's buying)."),
            "covered_units": {"type": "array", "items": {"type": "integer"}}}},
        "Agreement": {"type": "object", "required": ["id", "status", "buyer", "supplier", "lines"], "properties": {
            "id": {"type": "integer"}, "status": {"type": "string"}, "buyer": {"type": "object"},
            "supplier": {"type": "object"}, "version": {"type": "integer"}, "schedule_kind": {"type": "string"},
            "weekdays": {"type": "array", "items": {"type": "integer"}}, "month_day": {"type": ["integer", "null"]},
            "start_date": {"type": "string", "format": "date"}, "end_date": {"type": "string", "format": "date"},
            "delivery_place": {"type": "string"},
            "lines": {"type": "array", "items": {"type": "object", "properties": {
                "product_id": {"type": "integer"}, "product_name": {"type": "string"}, "unit": {"type": "string"},
                "quantity": DECIMAL, "unit_price": DECIMAL}}}}},
        "Demand": {"type": "object", "required": ["id", "quantity", "unit", "wanted_by", "status"], "properties": {
            "id": {"type": "integer"}, "buyer": {"type": "object"}, "product_name": NULLABLE_TEXT,
            "category": NULLABLE_TEXT, "quantity": DECIMAL, "unit": {"type": "string"},
            "wanted_by": {"type": "string", "format": "date"}, "expected_price": {"oneOf": [DECIMAL, {"type": "null"}]},
            "delivery_place": {"type": "string"}, "status": {"type": "string", "enum": ["open", "closed"]}}},
        "Notification": {"type": "object", "required": ["id", "kind", "text", "link", "read"],
                         "properties": {"id": {"type": "integer"}, "kind": {"type": "string"},
                                        "text": {"type": "string", "description": "In the caller's language."},
                                        "link": NULLABLE_TEXT, "read": {"type": "boolean"},
                                        "needs_action": {"type": "boolean"},
                                        "created_at": {"type": "string", "format": "date-time"}}},
        "Notifications": {"allOf": [_list("Notification"), {"type": "object", "required": ["unread"],
                                                             "properties": {"unread": {"type": "integer"}}}]},
        "Pledge": {"type": "object", "required": ["id", "firm", "amount", "status", "fulfilled", "percent"],
                   "properties": {"id": {"type": "integer"}, "firm": {"type": "object"}, "amount": DECIMAL,
                                  "mode": {"type": "string"}, "status": {"type": "string"},
                                  "start_date": {"type": "string", "format": "date"},
                                  "end_date": {"type": "string", "format": "date"}, "county": NULLABLE_TEXT,
                                  "category": NULLABLE_TEXT, "fulfilled": DECIMAL, "percent": DECIMAL,
                                  "overdue": {"type": "boolean"}}},
        "Totals": {"type": "object", "required": ["items", "total_amount"], "properties": {
            "items": {"type": "array", "items": {"type": "object", "required": ["key", "label", "amount", "orders"],
                                                 "properties": {"key": {"type": "string"}, "label": {"type": "string"},
                                                                "amount": DECIMAL, "orders": {"type": "integer"}}}},
            "total_amount": DECIMAL, "by": {"type": "string"}, "note": {"type": "string"}}},
    }
    body = lambda name: {"required": True, "content": {"application/json": {"schema": _ref(name)}}}  # noqa: E731
    paths = {
        "/api/v1/tokens": {"post": {
            "summary": "Sign in: a token for the Authorization: Bearer header (failed attempts are rate-limited).",
            "operationId": "createToken", "requestBody": body("TokenRequest"),
            "responses": _responses({"201": _json(_ref("Token"), "Signed in")}, 400, 401, 403, 415, 422, 429)}},
        "/api/v1/counties": {"get": {
            "summary": "Counties and districts with the systems paired with each.", "operationId": "listCounties",
            "responses": _responses({"200": _json(_list("County"))}, 401)}},
        "/api/v1/products": {
            "get": {"summary": "Published products (a county's catalog), most urgent first.",
                    "operationId": "listProducts",
                    "parameters": [
                        {"name": "county", "in": "query", "schema": {"type": "string", "maxLength": 40}},
                        {"name": "category", "in": "query", "description": "Empty: every category.",
                         "schema": {"type": "string", "enum": [c.value for c in Category] + [""]}},
                        {"name": "stranded", "in": "query", "schema": {"type": "string", "enum": ["true", "false"]}},
                        {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 50}},
                        *_page_params()],
                    "responses": _responses({"200": {**_json(_list("Product")), **_product_links("/items/0/id")}},
                                            401, 422)},
            "post": {"summary": "A supplier lists a product (as a draft; submit it for review on the site).",
                     "operationId": "createProduct", "security": SECURED, "requestBody": body("ProductInput"),
                     "responses": _responses({"201": {**_json(_ref("Product"), "Created"), **_product_links("/id")}},
                                             400, 401, 403, 415, 422)}},
        "/api/v1/products/{product_id}": {
            "parameters": [_id_param("product_id")],
            "get": {"summary": "One product.", "operationId": "getProduct",
                    "responses": _responses({"200": _json(_ref("Product"))}, 401, 403, 404)},
            "patch": {"summary": "Change a product (a new price on a published one goes back to review).",
                      "operationId": "updateProduct", "security": SECURED, "requestBody": body("ProductPatch"),
                      "responses": _responses({"200": _json(_ref("Product"))}, 400, 401, 403, 404, 415, 422)}},
        "/api/v1/products/{product_id}/stock": {
            "parameters": [_id_param("product_id")],
            "post": {"summary": "A stock ledger entry: restock (+), spoilage (−) or correction (with a note).",
                     "operationId": "changeStock", "security": SECURED, "requestBody": body("StockChange"),
                     "responses": _responses({"201": _json(_ref("StockEntry"), "Recorded")},
                                             400, 401, 403, 404, 409, 415, 422)}},
        "/api/v1/orders": {
            "post": {"summary": "Place lines as one bulk order, split into one order per supplier, all or none.",
                     "operationId": "placeOrder", "security": SECURED, "requestBody": body("OrderInput"),
                     "responses": _responses({"201": {**_json(_ref("Orders"), "Placed"),
                                                     **_order_links("/orders/0/id")},
                                              "200": {**_json(_ref("Orders"), "Placed before with this client_token"),
                                                      **_order_links("/orders/0/id")}},
                                             400, 401, 403, 409, 415, 422)},
            "get": {"summary": "Orders the caller's organisation placed or received.", "operationId": "listOrders",
                    "security": SECURED,
                    "parameters": [{"name": "status", "in": "query",
                                    "schema": {"type": "string", "enum": [s.value for s in OrderStatus]}},
                                   *_page_params()],
                    "responses": _responses({"200": {**_json(_list("Order")), **_order_links("/items/0/id")}},
                                            401, 403, 422)}},
        "/api/v1/delivery-addresses": {"get": {
            "summary": "The caller's organisation's delivery addresses (buyers and firms).",
            "operationId": "listDeliveryAddresses", "security": SECURED,
            "responses": _responses({"200": _json(_list("DeliveryAddress"))}, 401, 403)}},
        "/api/v1/orders/{order_id}": {
            "parameters": [_id_param("order_id")],
            "get": {"summary": "One order.", "operationId": "getOrder", "security": SECURED,
                    "responses": _responses({"200": _json(_ref("Order"))}, 401, 403, 404)}},
        "/api/v1/orders/{order_id}/{action}": {
            "parameters": [_id_param("order_id"),
                           {"name": "action", "in": "path", "required": True, "schema": {
                               "type": "string",
                               "enum": ["confirm", "reject", "ship", "deliver", "accept", "rate", "cancel"]}}],
            "post": {"summary": "Move an order on; only the right party, only from the right state.",
                     "operationId": "orderAction", "security": SECURED,
                     "requestBody": {"required": False, "content": {"application/json": {"schema": _ref("OrderAction")}}},
                     "responses": _responses({"200": _json(_ref("Order"))}, 400, 401, 403, 404, 409, 415, 422)}},
        "/api/v1/agreements": {"get": {
            "summary": "Supply agreements of the caller's organisation (all for the city office), terms in force.",
            "operationId": "listAgreements", "security": SECURED,
            "responses": _responses({"200": _json(_list("Agreement"))}, 401, 403)}},
        "/api/v1/demands": {"get": {
            "summary": "Demand posts: a buyer's own, the open ones that fit a supplier's products, all for the city.",
            "operationId": "listDemands", "security": SECURED,
            "responses": _responses({"200": _json(_list("Demand"))}, 401, 403)}},
        "/api/v1/pledges": {"get": {
            "summary": "Pledges the caller may see (a firm its own; the federation and the city office all), "
                       "with what counted orders have fulfilled.",
            "operationId": "listPledges", "security": SECURED,
            "responses": _responses({"200": _json(_list("Pledge"))}, 401, 403)}},
        "/api/v1/notifications": {"get": {
            "summary": "The caller's messages, newest first, and how many are unread.",
            "operationId": "listNotifications", "security": SECURED, "parameters": _page_params(),
            "responses": _responses({"200": _json(_ref("Notifications"))}, 401, 422)}},
        "/api/v1/notifications/{notification_id}/read": {
            "parameters": [_id_param("notification_id")],
            "post": {"summary": "Mark one of the caller's messages read.", "operationId": "readNotification",
                     "security": SECURED, "responses": _responses({"200": _json(_ref("Notification"))}, 401, 404)}},
        "/api/v1/reserved-shares": {"get": {
            "summary": "Reserved-share declarations with counted progress (own unit, or all for the city office).",
            "operationId": "listReservedShares", "security": SECURED,
            "parameters": [{"name": "year", "in": "query", "schema": {"type": "integer", "minimum": 2000,
                                                                       "maximum": 2100}}],
            "responses": _responses({"200": _json(_list("ReservedShare"))}, 401, 403, 422)}},
        "/api/v1/reports/totals": {"get": {
            "summary": "Totals of counted orders (paid and accepted), every group at once.",
            "description": "by=channel gives the four channels, each present even when zero, in this order: "
                           "canteen (a budget unit's own buying), staff_round (its staff purchase rounds), "
                           "agreement (supply agreements' deliveries), firm (private firms, whatever the source). "
                           "Every grouping but firm adds up to the same total_amount.",
            "operationId": "reportTotals", "security": SECURED,
            "parameters": [{"name": "by", "in": "query", "schema": {
                "type": "string", "enum": ["county", "system", "firm", "month", "category", "channel"]}}],
            "responses": _responses({"200": _json(_ref("Totals"))}, 401, 403, 422)}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Fushun poverty-alleviation produce market API", "version": "1.0.0",
                 "description": "Money and quantities are decimal strings (\"12.50\"); inputs take a string or a "
                                "number. Errors are application/problem+json (RFC 9457) in the language of "
                                "Accept-Language. Totals count an order only once it is paid and accepted."},
        "paths": {**paths, **openapi_invoices.paths(_ref, _responses, _json, _id_param, SECURED),
                  **openapi_rounds.paths(_ref, _responses, _json, _id_param, SECURED),
                  **openapi_round_closing.paths(_ref, _responses, _json, _id_param, SECURED),
                  **openapi_households.paths(_ref, _responses, _json, _id_param, SECURED)},
        "components": {"schemas": {**schemas, **openapi_invoices.schemas(DECIMAL, DECIMAL_IN, MAX_ID),
                                   **openapi_rounds.schemas(DECIMAL, DECIMAL_IN),
                                   **openapi_round_closing.schemas(DECIMAL),
                                   **openapi_households.schemas()},
                       "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    }
