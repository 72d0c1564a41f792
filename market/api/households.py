"""The poor households register for the county offices' and the city office's own systems (issue 19): full
names, since only the household's county office and the city office may read them; everyone else 403, another
county's household 404. Linkages and attributed income come with the linkage work (issue 19, second part)."""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _

from market.accounts.models import OrgKind
from market.api import bp
from market.api.auth import only_for, signed_in, visible
from market.api.parsing import paging
from market.households import queries
from market.problems import ApiProblem
from market.regions.queries import county_by_code

_OFFICES = (OrgKind.COUNTY_OFFICE, OrgKind.CITY_OFFICE)


def _office():
    return only_for(_OFFICES, _("The register of poor households is for county offices and the city office."))


def household_json(household) -> dict:
    return {"id": household.id, "household_number": household.household_number, "head_name": household.head_name,
            "village": {"id": household.village.id, "code": household.village.code,
                        "name": household.village.name_zh, "township": household.village.township_zh},
            "county": household.county.code, "status": household.status.value, "members": household.members,
            "year_lifted": household.year_lifted, "phone": household.phone}


def _filters(org) -> tuple[int | None, int | None]:
    """(county id, village id) from `county` (a code) and `village` (an id or a code); a county office reads its
    own county only (another county is not theirs to see: 404)."""
    county_id = org.county_id if org.kind == OrgKind.COUNTY_OFFICE else None
    code = request.args.get("county")
    if code:
        county = county_by_code(code[:40])
        if county is None:
            raise ApiProblem(422, errors={"county": _("No county has this code.")})
        if county_id is not None and county.id != county_id:
            raise ApiProblem(404)
        county_id = county.id
    village_id = None
    raw = request.args.get("village")
    if raw:
        village = queries.village_by_id_or_code(county_id, raw.strip()[:60])
        if village is None:
            raise ApiProblem(422, errors={"village": _("No village of the county has this id or code.")})
        village_id = village.id
    return county_id, village_id


@bp.route("/households")
@signed_in
def households():
    page, per_page = paging()
    org = _office()
    county_id, village_id = _filters(org)
    pagination = queries.households(county_id, village_id=village_id, page=page, per_page=per_page)
    response = jsonify(items=[household_json(h) for h in pagination.items], total=pagination.total, page=page,
                       per_page=per_page)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/households/<int:household_id>")
@signed_in
def household(household_id: int):
    _office()
    response = jsonify(household_json(visible(queries.household(household_id))))
    response.headers["Cache-Control"] = "no-store"
    return response
