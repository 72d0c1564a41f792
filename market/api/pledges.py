"""Firms' pledges to buy, with what their counted orders fulfilled."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _
from flask_login import current_user

from market.accounts.models import OrgKind
from market.api import bp
from market.api.auth import signed_in
from market.api.serializers import pledge_json
from market.i18n import local_today
from market.pledges.queries import pledges_with_progress
from market.problems import ApiProblem


@bp.route("/pledges")
@signed_in
def pledges():
    """The pledges the caller may see: a firm its own, the federation and the city office all."""
    org = current_user.organisation
    if org.kind == OrgKind.FIRM:
        rows = pledges_with_progress(firm_id=org.id)
    elif org.kind in (OrgKind.FEDERATION, OrgKind.CITY_OFFICE):
        rows = pledges_with_progress()
    else:
        raise ApiProblem(403, _("Pledges are for firms, the commerce federation and the city office."))
    today = local_today()
    items = [pledge_json(row, today) for row in rows]
    return jsonify(items=items, total=len(items))
