"""The poor households part of the OpenAPI document (market/api/openapi.py merges it): the register, for county
offices (their own county) and the city office only."""

from __future__ import annotations

from market.households.models import HouseholdStatus
from market.numbers import MAX_PAGE

ABOUT = ("Personal data: the head's full name, the phone and the household number are given in full, since only "
         "the household's own county office and the city office may call this (it is the county's own system "
         "reading its own data); every other caller gets 403, another county's household 404. Linkages and "
         "attributed income are not part of this answer yet.")


def schemas() -> dict:
    return {"Household": {
        "type": "object",
        "required": ["id", "household_number", "head_name", "village", "county", "status", "members"],
        "properties": {
            "id": {"type": "integer"}, "household_number": {"type": "string", "maxLength": 30},
            "head_name": {"type": "string", "description": "In full (see the operation's description)."},
            "village": {"type": "object", "properties": {
                "id": {"type": "integer"}, "code": {"type": "string"}, "name": {"type": "string"},
                "township": {"type": "string"}}},
            "county": {"type": "string", "description": "The county's code."},
            "status": {"type": "string", "enum": [s.value for s in HouseholdStatus]},
            "members": {"type": "integer", "minimum": 1, "maximum": 30},
            "year_lifted": {"type": ["integer", "null"], "description": "Only for `lifted`."},
            "phone": {"type": ["string", "null"]}}}}


def paths(ref, responses, json, id_param, secured) -> dict:
    listing = {"type": "object", "required": ["items", "total"], "properties": {
        "items": {"type": "array", "items": ref("Household")}, "total": {"type": "integer"},
        "page": {"type": "integer"}, "per_page": {"type": "integer"}}}
    params = [
        {"name": "county", "in": "query", "schema": {"type": "string", "maxLength": 40},
         "description": "A county's code; a county office may name only its own (another is 404)."},
        {"name": "village", "in": "query", "schema": {"type": "string", "maxLength": 60},
         "description": "A village's id or code."},
        {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE,
                                                     "default": 1}},
        {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100,
                                                         "default": 20}}]
    return {
        "/api/v1/households": {"get": {
            "summary": "Poor households of the caller's county (a county office) or of every county (the city "
                       "office), by county, village and number.", "description": ABOUT,
            "operationId": "listHouseholds", "security": secured, "parameters": params,
            "responses": responses({"200": json(listing)}, 401, 403, 404, 422)}},
        "/api/v1/households/{household_id}": {"parameters": [id_param("household_id")], "get": {
            "summary": "One poor household.", "description": ABOUT, "operationId": "getHousehold",
            "security": secured, "responses": responses({"200": json(ref("Household"))}, 401, 403, 404)}},
    }
