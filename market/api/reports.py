"""Reserved shares and city-wide totals; both count an order only once it is paid and accepted."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from market.accounts.models import OrgKind
from market.api import bp
from market.api.auth import only_for, signed_in
from market.api.parsing import grouping, year
from market.api.serializers import reserved_share_json, totals_json
from market.shares import queries as share_queries
from market.problems import ApiProblem
from market.reports.queries import GROUPINGS, totals


@bp.route("/reserved-shares")
@signed_in
def reserved_shares():
    """The unit's own declaration of the year, or every unit's for the city office."""
    org = current_user.organisation
    declared_year = year()
    if org.kind == OrgKind.CITY_OFFICE:
        declarations = share_queries.all_declarations(declared_year)
    elif org.kind == OrgKind.BUYER:
        own = share_queries.declaration(org, declared_year)
        declarations = [own] if own else []
    else:
        raise ApiProblem(403, _("Only budget units and the city office see reserved shares."))
    items = [reserved_share_json(decl, share_queries.share_progress(decl)) for decl in declarations]
    return jsonify(items=items, total=len(items))


@bp.route("/reports/totals")
@signed_in
def report_totals():
    only_for((OrgKind.CITY_OFFICE, OrgKind.FEDERATION),
             _("City-wide totals are for the city office and the commerce federation."))
    by = grouping(GROUPINGS)
    return jsonify(totals_json(totals(by), by))
