from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from market.accounts.models import OrgKind
from market.catalog.models import Product
from market.demands import bp, operations, queries
from market.demands.forms import DemandForm
from market.demands.matching import Reason
from market.demands.models import Demand, DemandStatus
from market.confirm import Confirmation, confirmation_page, unavailable
from market.extensions import db
from market.forms import ConfirmForm
from market.i18n import local_date, local_today, quantity
from market.labels import label
from market.permissions import Action, authorize, kind_required
from market.transaction import return_to

#: The words for each matching reason code (`matching` stays free of translations).
_REASONS = {
    "paired_county": lambda p: _("your paired county"),
    "stranded": lambda p: _("stranded for %(days)s days", days=p.get("days")),
    "spoils_in": lambda p: _("spoils in %(days)s days", days=p.get("days")),
    "covers_quantity": lambda p: _("covers the whole quantity"),
    "partial_quantity": lambda p: _("covers %(percent)s%% of the quantity", percent=p.get("percent")),
    "below_min_order": lambda p: _("your quantity is below its minimum order of %(min)s", min=p.get("min")),
    "price_within": lambda p: _("within your price"),
    "price_above": lambda p: _("%(percent)s%% above your price", percent=p.get("percent")),
    "available_now": lambda p: _("available now"),
    "available_from": lambda p: _("available from %(date)s", date=p.get("date")),
}


def reason_text(reason: Reason) -> str:
    words = _REASONS.get(reason.code)
    return words(dict(reason.params)) if words else reason.code


@bp.route("/", methods=["GET", "POST"])
@kind_required(OrgKind.BUYER, OrgKind.FIRM, OrgKind.SUPPLIER, OrgKind.CITY_OFFICE, active=False)
def index():
    org = current_user.organisation
    form = None
    if org.kind in (OrgKind.BUYER, OrgKind.FIRM):  # the others read the demands; they have nothing to post
        form = DemandForm(data={"wanted_by": local_today()} if request.method == "GET" else None)
    if request.method == "POST":
        if form is None:
            abort(403)
        if form.validate_on_submit():
            demand = operations.post_demand(current_user, **form.arguments())
            flash(_("Your demand for %(name)s is posted; suitable suppliers see it.",
                    name=demand.product_name or label(demand.category)), "success")
            return redirect(url_for("demands.detail", demand_id=demand.id))
    return render_template("demands/index.html", form=form, demands=queries.demands_for(org)), \
        (422 if request.method == "POST" else 200)


@bp.route("/<int:demand_id>")
@login_required
def detail(demand_id: int):
    demand = authorize(Action.VIEW, db.session.get(Demand, demand_id))
    own = demand.buyer_id == current_user.organisation_id
    suggestions = queries.suggestions_for(demand, local_today()) if own and demand.status == DemandStatus.OPEN else []
    return render_template("demands/detail.html", demand=demand, own=own, suggestions=suggestions,
                           reason_text=reason_text)


@bp.route("/<int:demand_id>/order/<int:product_id>", methods=["POST"])
@login_required
def order(demand_id: int, product_id: int):
    """One step from a suggestion to an order; the supplier sees it answers the demand."""
    demand = authorize(Action.EDIT, db.session.get(Demand, demand_id))
    authorize(Action.VIEW, db.session.get(Product, product_id))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return_to(url_for("demands.detail", demand_id=demand.id))
    # The price the suggestion showed: placing refuses one that changed since (orders.check_prices_seen).
    bulk = operations.order_from_demand(current_user, demand, product_id, quantity=request.form.get("quantity"),
                                        seen_price=request.form.get("seen_price"),
                                        client_token=request.form.get("client_token"))
    flash(_("Ordered from the suggestion: %(refs)s.", refs=", ".join(o.reference for o in bulk.orders)),
          "success")
    return redirect(url_for("orders.placed", bulk_id=bulk.id))


@bp.route("/<int:demand_id>/close", methods=["POST"])
@login_required
def close(demand_id: int):
    demand = authorize(Action.EDIT, db.session.get(Demand, demand_id))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return_to(url_for("demands.detail", demand_id=demand.id))
    operations.close_demand(current_user, demand)
    flash(_("Your demand for %(name)s is closed.", name=demand.product_name or label(demand.category)), "success")
    return redirect(url_for("demands.index"))


@bp.route("/<int:demand_id>/close")
@login_required
def confirm_close(demand_id: int):
    """The confirmation page of closing a demand (it posts to `close`)."""
    demand = authorize(Action.EDIT, db.session.get(Demand, demand_id))
    back = url_for("demands.detail", demand_id=demand.id)
    if demand.buyer_id != current_user.organisation_id or demand.status != DemandStatus.OPEN:
        return unavailable(back, _("This demand is already closed."))
    return confirmation_page(Confirmation(
        title=_("Close demand #%(id)s?", id=demand.id), button=_("Close the demand"), back=back,
        action=url_for("demands.close", demand_id=demand.id),
        facts=[(_("Wanted"), demand.product_name or label(demand.category)),
               (_("Quantity"), f"{quantity(demand.quantity)} {label(demand.unit)}"),
               (_("Wanted by"), local_date(demand.wanted_by))],
        consequences=[_("Suppliers no longer see it, and you can no longer order from its suggestions."),
                      _("It cannot be opened again: post a new demand if you still need the produce.")]))
