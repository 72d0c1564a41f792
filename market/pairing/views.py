from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from market.accounts.models import BuyerSystem, BuyerType, Organisation, OrgKind
from market.catalog.rules import RuleError
from market.extensions import db
from market.i18n import current_locale, local_today, localized_name
from market.pairing import bp, operations, queries
from market.pairing.forms import SystemPairingForm, VillagePairingForm
from market.permissions import kind_required
from market.regions.models import County, Village


def _forms():
    system_form = SystemPairingForm(prefix="system")
    counties = db.session.scalars(select(County).order_by(County.sort_order)).all()
    system_form.county.choices = [SelectChoice(c.code, localized_name(c)) for c in counties]
    village_form = VillagePairingForm(prefix="village")
    units = db.session.scalars(select(Organisation).where(Organisation.kind == OrgKind.BUYER,
                                                          Organisation.buyer_type == BuyerType.VILLAGE_UNIT)
                               .order_by(Organisation.name)).all()
    village_form.buyer.choices = [SelectChoice(u.id, u.name) for u in units]
    villages = db.session.scalars(select(Village).order_by(Village.county_id, Village.id)).all()
    village_form.village.choices = [SelectChoice(v.id, f"{localized_name(v.county)} {v.name(current_locale())}")
                                    for v in villages]
    return system_form, village_form


@bp.route("/pairing/", methods=["GET", "POST"])
@kind_required(OrgKind.CITY_OFFICE)
def manage():
    system_form, village_form = _forms()
    status = 200
    if request.method == "POST":
        which = request.form.get("which")
        form = system_form if which == "system" else village_form if which == "village" else None
        if form is None:
            abort(400)
        if form.validate_on_submit():
            try:
                if form is system_form:
                    county = db.session.scalar(select(County).where(County.code == form.county.data))
                    operations.add_system_pairing(BuyerSystem(form.system.data), county, form.valid_from.data,
                                                  form.note.data)
                else:
                    operations.add_village_pairing(db.session.get(Organisation, form.buyer.data),
                                                   db.session.get(Village, form.village.data),
                                                   form.valid_from.data, form.note.data)
            except RuleError as error:
                db.session.rollback()
                getattr(form, error.field or "valid_from").errors = [error.message]
            else:
                db.session.commit()
                flash(_("The pairing is saved; it holds from %(day)s.", day=form.valid_from.data.isoformat()),
                      "success")
                return redirect(url_for("pairing.manage"))
        status = 422
    return render_template("pairing/manage.html", system_form=system_form, village_form=village_form,
                           current=queries.current_system_pairings(), history=queries.system_pairing_history(),
                           villages=queries.village_pairing_history(), today=local_today()), status


@bp.route("/pairing/tallies")
@kind_required(OrgKind.CITY_OFFICE, OrgKind.BUYER, active=False)
def tallies():
    org = current_user.organisation
    year = request.args.get("year", type=int)
    if org.kind == OrgKind.BUYER:
        rows = queries.pair_tallies(buyer_id=org.id, year=year)
    else:
        rows = queries.pair_tallies(year=year)
    orgs = {o.id: o for o in db.session.scalars(
        select(Organisation).where(Organisation.id.in_({r["buyer_id"] for r in rows})))} if rows else {}
    counties = {c.id: c for c in db.session.scalars(select(County))}
    return render_template("pairing/tallies.html", rows=rows, totals=queries.system_month_totals(rows), orgs=orgs,
                           counties=counties, year=year, is_city=org.kind == OrgKind.CITY_OFFICE,
                           paired_county=queries.county_for_buyer(org) if org.kind == OrgKind.BUYER else None)
