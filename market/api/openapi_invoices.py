"""The invoices part of the OpenAPI document (market/api/openapi.py merges it): the `invoice` of an order, the
`invoice` a placement may carry, the caller's invoice details and recording an invoice."""

from __future__ import annotations

from market.invoices.details import DETAIL_LIMITS
from market.invoices.models import InvoiceKind, InvoiceState
from market.invoices.recording import NUMBER_LIMIT, REASON_LIMIT

KIND = {"type": "string", "enum": [k.value for k in InvoiceKind]}
DETAILS = {"title": {"type": "string", "maxLength": DETAIL_LIMITS["title"]},
           "taxpayer_number": {"type": "string", "maxLength": 24,
                               "description": "The unified social credit code (18 characters, check character "
                                              "verified)."},
           "address_phone": {"type": ["string", "null"], "maxLength": DETAIL_LIMITS["address_phone"]},
           "bank_account": {"type": ["string", "null"], "maxLength": DETAIL_LIMITS["bank_account"]},
           "kind": KIND}


def schemas(decimal: dict, decimal_in: dict, max_id: int) -> dict:
    recorded = {"number": {"type": "string", "minLength": 1, "maxLength": NUMBER_LIMIT},
                "issued_on": {"type": "string", "format": "date"}, "amount": decimal_in}
    return {
        "OrderInvoiceInput": {
            "description": "Optional: an invoice is wanted, with saved details (`details_id`, from "
                           "GET /api/v1/invoice-details) or with the details given here; copied into each order.",
            "type": ["object", "null"], "additionalProperties": False,
            "properties": {"details_id": {"type": "integer", "minimum": 1, "maximum": max_id}, **DETAILS}},
        "InvoiceDetails": {"type": "object", "required": ["id", "title", "taxpayer_number", "kind"],
                           "properties": {"id": {"type": "integer"}, **DETAILS}},
        "OrderInvoice": {
            "type": "object", "required": ["state", "details", "invoices"],
            "properties": {
                "state": {"type": "string", "enum": ["not_requested", *[s.value for s in InvoiceState]],
                          "description": "collective: to be issued by the county's collective invoicing point."},
                "details": {"type": ["object", "null"], "description": "The buyer's details as copied into the order."},
                "invoices": {"type": "array", "items": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "number": {"type": "string"}, "issued_on": {"type": "string"},
                    "amount": decimal, "kind": KIND, "red_letter": {"type": "boolean"},
                    "original_id": {"type": ["integer", "null"]}, "reason": {"type": ["string", "null"]},
                    "collective": {"type": "boolean"},
                    "pdf": {"type": ["string", "null"], "description": "Download path (the two parties only)."}}}}}},
        "InvoiceInput": {"type": "object", "additionalProperties": False, "required": ["number", "issued_on", "amount"],
                         "properties": {**recorded, "kind": KIND}},
        "RedLetterInput": {"type": "object", "additionalProperties": False,
                           "required": ["number", "issued_on", "amount", "reason"],
                           "properties": {**recorded, "reason": {"type": "string", "minLength": 1,
                                                                 "maxLength": REASON_LIMIT}}},
    }


def paths(ref, responses, json, id_param, secured) -> dict:
    def upload(schema: str) -> dict:
        return {"required": True, "content": {
            "application/json": {"schema": ref(schema)},
            "multipart/form-data": {"schema": {"allOf": [ref(schema), {"properties": {
                "pdf": {"type": "string", "contentMediaType": "application/pdf",
                        "description": "Optional: the invoice as a PDF (checked: a real PDF, within the size "
                                       "limit)."}}}]}}}}

    order = [id_param("order_id")]
    return {
        "/api/v1/invoice-details": {"get": {
            "summary": "The caller's saved invoice details (buyers and firms).", "operationId": "listInvoiceDetails",
            "security": secured, "responses": responses({"200": json({"type": "object", "properties": {
                "items": {"type": "array", "items": ref("InvoiceDetails")}}})}, 401, 403)}},
        "/api/v1/orders/{order_id}/invoice": {"parameters": order, "post": {
            "summary": "The supplier records the order's invoice, once (fixed from then on).",
            "operationId": "recordInvoice", "security": secured, "requestBody": upload("InvoiceInput"),
            "responses": responses({"201": json(ref("Order"), "Recorded")}, 401, 403, 404, 409, 415, 422)}},
        "/api/v1/orders/{order_id}/invoice/collective": {"parameters": order, "post": {
            "summary": "The supplier hands the invoice to the county's collective invoicing point (统一开票).",
            "operationId": "collectiveInvoice", "security": secured,
            "responses": responses({"200": json(ref("Order"))}, 401, 403, 404, 409, 422)}},
        "/api/v1/orders/{order_id}/invoice/red-letter": {"parameters": order, "post": {
            "summary": "A red-letter invoice (红字发票) against the order's invoice, for a refund or a shortfall.",
            "operationId": "recordRedLetterInvoice", "security": secured, "requestBody": upload("RedLetterInput"),
            "responses": responses({"201": json(ref("Order"), "Recorded")}, 401, 403, 404, 409, 415, 422)}},
    }
