from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from market.accounts.models import BuyerSystem, BuyerType, Organisation, OrgKind
from market.rules import RuleError
from market.extensions import db
from market.forms import show_error
from market.i18n import current_locale, local_today, localized_name
from market.numbers import MAX_YEAR, MIN_YEAR, query_int
from market.pairing import bp, operations, queries
from market.pairing.forms import SystemPairingForm, VillagePairingForm
from market.permissions import kind_required
from market.regions.models import Village
from market.regions import queries as regions


def _forms():
    system_form = SystemPairingForm(prefix="system")
    counties = regions.counties()
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
                    county = regions.county_by_code(form.county.data)
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
    year = query_int("year", minimum=MIN_YEAR, maximum=MAX_YEAR)
    if org.kind == OrgKind.BUYER:
        rows = queries.pair_tallies(buyer_id=org.id, year=year)
    else:
        rows = queries.pair_tallies(year=year)
    orgs = {o.id: o for o in db.session.scalars(
        select(Organisation).where(Organisation.id.in_({r["buyer_id"] for r in rows})))} if rows else {}
    counties = {c.id: c for c in regions.counties()}
    return render_template("pairing/tallies.html", rows=rows, totals=queries.system_month_totals(rows), orgs=orgs,
                           counties=counties, year=year, is_city=org.kind == OrgKind.CITY_OFFICE,
                           paired_county=queries.county_for_buyer(org) if org.kind == OrgKind.BUYER else None)


# --- demands and matching (产销对接) ------------------------------------------------------------------------------


def reason_text(reason) -> str:
    """The words for a matching reason code (matching.py stays free of translations)."""
    params = dict(reason.params) if not isinstance(reason.params, dict) else reason.params
    texts = {
        "paired_county": lambda: _("your paired county"),
        "stranded": lambda: _("stranded for %(days)s days", days=params.get("days")),
        "spoils_in": lambda: _("spoils in %(days)s days", days=params.get("days")),
        "covers_quantity": lambda: _("covers the whole quantity"),
        "partial_quantity": lambda: _("covers %(percent)s%% of the quantity", percent=params.get("percent")),
        "below_min_order": lambda: _("your quantity is below its minimum order of %(min)s", min=params.get("min")),
        "price_within": lambda: _("within your price"),
        "price_above": lambda: _("%(percent)s%% above your price", percent=params.get("percent")),
        "available_now": lambda: _("available now"),
        "available_from": lambda: _("available from %(date)s", date=params.get("date")),
    }
    return texts.get(reason.code, lambda: reason.code)()


def suggestions_for(demand, today, limit: int = 10):
    """(suggestion, product) pairs for a demand: the SQL filter first, then the pure ranking."""
    from market.pairing import matching

    paired, products = queries.candidates_for(demand, today)
    spec = matching.DemandSpec(id=demand.id, category=demand.category.value if demand.category else None,
                               name=demand.product_name, quantity=demand.quantity, unit=demand.unit.value,
                               wanted_by=demand.wanted_by, expected_price=demand.expected_price,
                               paired_county_id=paired.id if paired else None)
    by_id = {p.id: p for p in products}
    candidates = [matching.Candidate(product_id=p.id, county_id=p.county_id, category=p.category.value, name=p.name,
                                     unit=p.unit.value, price=p.price, unsold_quantity=p.unsold_quantity,
                                     min_order_quantity=p.min_order_quantity,
                                     stranded_since=p.stranded_since if p.stranded else None,
                                     best_before=p.best_before, available_from=p.available_from)
                  for p in products]
    return [(s, by_id[s.product_id]) for s in matching.rank(spec, candidates, today, limit=limit)]


@bp.route("/demands/", methods=["GET", "POST"])
@kind_required(OrgKind.BUYER, OrgKind.FIRM, OrgKind.SUPPLIER, OrgKind.CITY_OFFICE, active=False)
def demands():
    from market.pairing.forms import DemandForm

    org = current_user.organisation
    form = DemandForm() if org.kind in (OrgKind.BUYER, OrgKind.FIRM) else None
    if form is not None and request.method == "GET":
        form.wanted_by.data = local_today()
    if request.method == "POST":
        if form is None:
            abort(403)
        if form.validate_on_submit():
            try:
                demand = operations.post_demand(current_user, product_name=form.product_name.data,
                                                category=form.category.data or None, quantity=form.quantity.data,
                                                unit=form.unit.data, wanted_by=form.wanted_by.data,
                                                expected_price=form.expected_price.data,
                                                delivery_place=form.delivery_place.data, note=form.note.data)
            except RuleError as error:
                db.session.rollback()
                show_error(form, error)
            else:
                db.session.commit()
                flash(_("Your demand is posted; suitable suppliers see it."), "success")
                return redirect(url_for("pairing.demand", demand_id=demand.id))
    return render_template("pairing/demands.html", form=form, demands=queries.demands_for(org)), \
        (422 if request.method == "POST" else 200)


@bp.route("/demands/<int:demand_id>")
@login_required
def demand(demand_id: int):
    from market.pairing.models import Demand
    from market.permissions import Action, authorize

    demand = authorize(Action.VIEW, db.session.get(Demand, demand_id))
    own = demand.buyer_id == current_user.organisation_id
    suggestions = suggestions_for(demand, local_today()) if own and demand.status.value == "open" else []
    return render_template("pairing/demand.html", demand=demand, own=own, suggestions=suggestions,
                           reason_text=reason_text)


@bp.route("/demands/<int:demand_id>/order/<int:product_id>", methods=["POST"])
@login_required
def order_from_demand(demand_id: int, product_id: int):
    """One step from a suggestion to an order; the supplier sees it answers the demand."""
    from market import rules
    from market.catalog.models import Product
    from market.forms import ConfirmForm
    from market.orders import operations as orders
    from market.pairing.models import Demand
    from market.permissions import Action, authorize

    demand = authorize(Action.EDIT, db.session.get(Demand, demand_id))
    product = authorize(Action.VIEW, db.session.get(Product, product_id))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    quantity = request.form.get("quantity") or demand.quantity
    try:
        # The price the suggestion showed: placing refuses one that changed since (orders.check_prices_seen).
        seen = request.form.get("seen_price")
        seen = rules.price(seen) if seen is not None else None
        bulk, _created = orders.place_order_once(
            current_user.organisation, current_user,
            [orders.LineRequest(product.id, quantity, demand.unit, seen_price=seen)],
            request.form.get("client_token") or f"demand-{demand.id}-{product.id}", demand_id=demand.id)
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("pairing.demand", demand_id=demand.id))
    db.session.commit()
    flash(_("Ordered from the suggestion."), "success")
    return redirect(url_for("orders.placed", bulk_id=bulk.id))


@bp.route("/demands/<int:demand_id>/close", methods=["POST"])
@login_required
def close_demand(demand_id: int):
    from market.forms import ConfirmForm
    from market.pairing.models import Demand
    from market.permissions import Action, authorize

    demand = authorize(Action.EDIT, db.session.get(Demand, demand_id))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    operations.close_demand(demand)
    db.session.commit()
    return redirect(url_for("pairing.demands"))
