"""Demand posts: what buyers want to buy."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

from market.accounts.models import OrgKind
from market.api import bp
from market.api.auth import only_for, signed_in
from market.api.serializers import demand_json
from market.demands.queries import demands_for


@bp.route("/demands")
@signed_in
def demands():
    org = only_for((OrgKind.BUYER, OrgKind.FIRM, OrgKind.SUPPLIER, OrgKind.CITY_OFFICE),
                   _("Demands are for buyers, suppliers and the city office."))
    items = [demand_json(d) for d in demands_for(org)]
    return jsonify(items=items, total=len(items))
