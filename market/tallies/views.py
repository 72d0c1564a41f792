from __future__ import annotations

from flask import render_template
from flask_login import current_user

from market.accounts.models import OrgKind
from market.numbers import MAX_YEAR, MIN_YEAR, query_int
from market.pairing.queries import county_for_buyer, paired_village
from market.permissions import kind_required
from market.regions import queries as regions
from market.tallies import bp, queries


@bp.route("/tallies")
@kind_required(OrgKind.CITY_OFFICE, OrgKind.BUYER, active=False)
def index():
    """A buyer sees its own purchases by channel (all, from its paired county, from its assisted village) and month
    by month from its paired county; the city office every unit's and each system's."""
    org = current_user.organisation
    year = query_int("year", minimum=MIN_YEAR, maximum=MAX_YEAR)
    is_city = org.kind == OrgKind.CITY_OFFICE
    rows = queries.pair_tallies(buyer_id=None if is_city else org.id, year=year)
    village = None if is_city else paired_village(org)
    return render_template("tallies/index.html", rows=rows, totals=queries.system_month_totals(rows),
                           orgs=queries.buyers_by_id(r["buyer_id"] for r in rows),
                           counties={c.id: c for c in regions.counties()}, year=year, is_city=is_city,
                           paired_county=None if is_city else county_for_buyer(org), village=village,
                           mine=None if is_city else queries.unit_channels(org.id, year=year,
                                                                          village_id=village and village.id),
                           channels=queries.UNIT_CHANNELS)
