"""Reading the list's filters from the query string, bounded (market.numbers) and limited to what the person may
see: a county office its own county only, the city office any county or all."""

from __future__ import annotations

from flask import request

from market.accounts.models import Organisation, OrgKind
from market.households import queries
from market.households.models import HouseholdStatus
from market.numbers import MAX_ID, query_int


def list_filters(org: Organisation) -> dict:
    county_id = org.county_id if org.kind == OrgKind.COUNTY_OFFICE else None
    counties = queries.counties() if org.kind == OrgKind.CITY_OFFICE else []
    county_code = request.args.get("county") or ""
    if counties and county_code:
        county_id = next((c.id for c in counties if c.code == county_code), -1)
    villages = queries.villages_of(county_id) if county_id else []
    village_id = query_int("village", maximum=MAX_ID)
    if village_id is not None and village_id not in {v.id for v in villages}:
        village_id = None
    status_text = request.args.get("status") or ""
    status = HouseholdStatus(status_text) if status_text in HouseholdStatus._value2member_map_ else None
    return {"county_id": county_id, "county_code": county_code if counties else "", "counties": counties,
            "villages": villages, "village_id": village_id, "status": status, "page": query_int("page", 1),
            "args": {k: v for k, v in (("county", county_code if counties else ""), ("village", village_id),
                                       ("status", status.value if status else "")) if v}}
