"""The part of the OpenAPI document (market/api/openapi.py merges it) for closing a staff purchase round:
`POST /api/v1/rounds/{round_id}/close`."""

from __future__ import annotations


def schemas(decimal: dict) -> dict:
    cut = {"type": "object", "required": ["user_name", "product_id", "asked", "granted", "amount"], "properties": {
        "user_name": {"type": "string"}, "product_id": {"type": "integer"}, "asked": decimal, "granted": decimal,
        "amount": {**decimal, "description": "What the person pays less for being cut."}}}
    return {
        "RoundCut": cut,
        "RoundCloseInput": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "fairness": {"type": ["string", "null"], "enum": ["first_come", "pro_rata", None],
                             "description": "How the last units are shared when stock ran short (the round's own "
                                            "choice when absent)."},
                "accept_cuts": {"type": "boolean", "description": "Place the order even though some people get "
                                                                  "less than they asked (see `cuts`)."},
                "accept_prices": {"type": "boolean", "description": "Take the products' prices of now into the "
                                                                    "round before placing (staff then owe them)."}}},
        "RoundClosed": {
            "type": "object", "required": ["id", "title", "status", "orders", "cuts"],
            "properties": {
                "id": {"type": "integer"}, "title": {"type": "string"},
                "status": {"type": "string", "enum": ["open", "closed", "ordered", "delivered"]},
                "closes_at": {"type": "string", "format": "date-time"},
                "pickup_day": {"type": "string", "format": "date"},
                "pickup_places": {"type": "array", "items": {"type": "string"}},
                "payment_mode": {"type": "string", "enum": ["in_person", "online"]},
                "products": {"type": "array", "items": {"type": "object", "properties": {
                    "product_id": {"type": "integer"}, "name": {"type": "string"}, "unit": {"type": "string"},
                    "price": decimal, "per_person_limit": decimal, "signed_quantity": decimal}}},
                "orders": {"type": "array", "items": {"type": "string"},
                           "description": "References of the orders (one per supplier) the round was placed as."},
                "cuts": {"type": "array", "items": {"$ref": "#/components/schemas/RoundCut"}}}},
    }


def paths(ref, responses, json, id_param, secured) -> dict:
    return {
        "/api/v1/rounds/{round_id}/close": {"parameters": [id_param("round_id")], "post": {
            "summary": "A manager of the unit closes the round's sign-ups (if still open) and places its order: one "
                       "bulk order in the unit's name, split per supplier.",
            "description": "409 answers: type `cuts-needed` with `cuts` when stock ran short (the round stays "
                           "closed; call again with `accept_cuts`), `round-prices-changed` with `lines` when a price "
                           "changed since the round opened (call again with `accept_prices`), `empty-round` when "
                           "nobody signed up, `insufficient-stock` with the `cuts` of now when stock was sold while "
                           "placing (nothing was ordered), `conflict` with `round` once it is ordered.",
            "operationId": "closeRound", "security": secured,
            "requestBody": {"required": False, "content": {"application/json": {"schema": ref("RoundCloseInput")}}},
            "responses": responses({"200": json(ref("RoundClosed"), "Ordered")}, 401, 403, 404, 409, 415, 422)}},
    }
