"""The staff purchase rounds part of the OpenAPI document (market/api/openapi.py merges it): the rounds of the
caller's unit, one round with the caller's sign-up, and signing up."""

from __future__ import annotations

from market.numbers import MAX_ID
from market.rounds.models import PaymentMode, RoundStatus
from market.rounds.operations import MAX_PRODUCTS


def schemas(decimal: dict, decimal_in: dict) -> dict:
    return {
        "Round": {
            "type": "object",
            "required": ["id", "title", "status", "closes_at", "pickup_day", "pickup_places", "payment_mode",
                         "products", "orders"],
            "properties": {
                "id": {"type": "integer"}, "title": {"type": "string"},
                "status": {"type": "string", "enum": [s.value for s in RoundStatus],
                           "description": "As the unit's people see it: an open round past its closing time is "
                                          "`closed`; an ordered one whose orders all arrived is `delivered`."},
                "closes_at": {"type": "string", "format": "date-time"},
                "pickup_day": {"type": "string", "format": "date"},
                "pickup_places": {"type": "array", "items": {"type": "string"}},
                "payment_mode": {"type": "string", "enum": [m.value for m in PaymentMode]},
                "products": {"type": "array", "items": {"type": "object", "properties": {
                    "product_id": {"type": "integer"}, "name": {"type": "string"}, "unit": {"type": "string"},
                    "price": decimal, "per_person_limit": decimal,
                    "signed_quantity": {**decimal, "description": "What all sign-ups ask together."}}}},
                "orders": {"type": "array", "items": {"type": "string"},
                           "description": "References of the orders the closed round was placed as."}}},
        "RoundSignup": {
            "type": "object", "required": ["round_id", "pickup_place", "lines", "amount"],
            "properties": {
                "round_id": {"type": "integer"}, "pickup_place": {"type": ["string", "null"]},
                "lines": {"type": "array", "items": {"type": "object", "properties": {
                    "product_id": {"type": "integer"}, "quantity": decimal,
                    "granted_quantity": {**decimal, "type": ["string", "null"],
                                         "description": "What the order gave (set at closing)."},
                    "amount": decimal}}},
                "amount": decimal}},
        "RoundWithSignup": {"allOf": [{"$ref": "#/components/schemas/Round"}, {
            "type": "object", "required": ["my_signup"],
            "properties": {"my_signup": {"$ref": "#/components/schemas/RoundSignup"}}}]},
        "RoundSignupInput": {
            "type": "object", "additionalProperties": False, "required": ["lines"],
            "properties": {
                "lines": {"type": "array", "maxItems": MAX_PRODUCTS,
                          "description": "Replaces the caller's sign-up; a quantity of 0 drops the line; an empty "
                                         "list withdraws.",
                          "items": {"type": "object", "additionalProperties": False,
                                    "required": ["product_id", "quantity"],
                                    "properties": {"product_id": {"type": "integer", "minimum": 1,
                                                                  "maximum": MAX_ID},
                                                   "quantity": decimal_in}}},
                "pickup_place": {"type": ["string", "null"], "maxLength": 300,
                                 "description": "One of the round's `pickup_places` (default: the first)."}}},
    }


def _link(operation_id: str, pointer: str) -> dict:
    """The round id at `pointer` leads to the operation (stateful tests follow links)."""
    return {"operationId": operation_id, "parameters": {"round_id": f"$response.body#{pointer}"}}


def paths(ref, responses, json, id_param, secured) -> dict:
    one = [id_param("round_id")]
    return {
        "/api/v1/rounds": {"get": {
            "summary": "The staff purchase rounds of the caller's unit (staff members included), open ones first.",
            "operationId": "listRounds", "security": secured,
            "responses": responses({"200": {**json({"type": "object", "required": ["items", "total"], "properties": {
                "items": {"type": "array", "items": ref("Round")}, "total": {"type": "integer"}}}), "links": {
                "GetRound": _link("getRound", "/items/0/id"),
                "SignUpToRound": _link("signUpToRound", "/items/0/id")}}}, 401, 403)}},
        "/api/v1/rounds/{round_id}": {"parameters": one, "get": {
            "summary": "One round of the caller's unit, with the caller's own sign-up.", "operationId": "getRound",
            "security": secured, "responses": responses({"200": json(ref("RoundWithSignup"))}, 401, 403, 404)}},
        "/api/v1/rounds/{round_id}/signups": {"parameters": one, "post": {
            "summary": "Sign up, change or withdraw (replaces the caller's sign-up) while the round is open.",
            "operationId": "signUpToRound", "security": secured,
            "requestBody": {"required": True, "content": {"application/json": {"schema": ref("RoundSignupInput")}}},
            "responses": responses({"201": json(ref("RoundSignup"), "Signed up"),
                                    "200": json(ref("RoundSignup"), "Changed or withdrawn")},
                                   401, 403, 404, 409, 415, 422)}},
    }
