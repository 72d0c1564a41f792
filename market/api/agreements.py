"""Supply agreements, with the terms in force."""

from __future__ import annotations

from flask import jsonify
from flask_babel import gettext as _

from market.accounts.models import OrgKind
from market.agreements.queries import agreements_for
from market.api import bp
from market.api.auth import only_for, signed_in
from market.api.serializers import agreement_json


@bp.route("/agreements")
@signed_in
def agreements():
    org = only_for((OrgKind.BUYER, OrgKind.SUPPLIER, OrgKind.CITY_OFFICE),
                   _("Only canteens, suppliers and the city office have agreements."))
    items = [agreement_json(agreement) for agreement in agreements_for(org)]
    return jsonify(items=items, total=len(items))
