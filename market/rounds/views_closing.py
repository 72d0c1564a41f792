"""The organisers' pages of a round's closing and hand-out: review the cuts and place the order (managers), the
hand-out list with its ticks, as a page and a PDF, and what staff still owe (managers and members). Not for staff:
none is opened to them."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from market.forms import ConfirmForm
from market.orders.models import OrderSource
from market.orders.panels import order_panel
from market.permissions import Action, authorize, can
from market.rounds import bp, closing, handout as handouts, queries_closing as queries
from market.rounds.forms_closing import PlaceRoundForm
from market.rounds.handout_document import handout_pdf
from market.rounds.models import Fairness, RoundStatus
from market.rounds.operations import RUNNING_KINDS
from market.rounds.permissions import ORGANISERS
from market.transaction import return_to


def _round(round_id: int, action: Action):
    return authorize(action, queries.round_of(round_id))


@bp.route("/<int:round_id>/close", methods=["POST"])
@login_required
def close(round_id: int):
    purchase_round = _round(round_id, Action.EDIT)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return_to(url_for("rounds.closing", round_id=round_id))
    if closing.close_round(current_user, purchase_round):
        flash(_("Sign-ups are closed. Check the plan below and place the order."), "success")
    else:
        flash(_("Sign-ups were already closed."), "info")
    return redirect(url_for("rounds.closing", round_id=round_id))


@bp.route("/<int:round_id>/closing", endpoint="closing")
@login_required
def closing_page(round_id: int):
    """The plan of the order: who gets what, who is cut, with the fairness chosen (?fairness=)."""
    purchase_round = _round(round_id, Action.EDIT)
    closing.close_if_due(purchase_round)
    if purchase_round.status == RoundStatus.ORDERED:
        return redirect(url_for("rounds.handout", round_id=round_id))
    fairness = closing.read_fairness(request.args.get("fairness")) or purchase_round.fairness
    the_plan = closing.plan(purchase_round, fairness)
    form = PlaceRoundForm()
    form.fairness.data, form.seen.data = fairness.value, the_plan.digest()  # this plan's, never a refused form's
    return render_template("rounds/closing.html", round=purchase_round, plan=the_plan, confirm=ConfirmForm(),
                           form=form, fairnesses=list(Fairness))


@bp.route("/<int:round_id>/order", methods=["POST"])
@login_required
def place(round_id: int):
    purchase_round = _round(round_id, Action.EDIT)
    form = PlaceRoundForm()
    if not form.validate_on_submit():
        abort(400)
    return_to(url_for("rounds.closing", round_id=round_id, fairness=form.fairness.data or None))
    bulk = closing.place_round_order(current_user, purchase_round, fairness=form.fairness.data,
                                     accept_cuts=form.accept_cuts.data, seen=form.seen.data)
    flash(ngettext("The order is placed (%(num)d order); everyone who signed up is told what they get.",
                   "The order is placed (%(num)d orders, one per supplier); everyone who signed up is told what they "
                   "get.", len(bulk.orders)), "success")
    return redirect(url_for("rounds.handout", round_id=round_id))


@bp.route("/<int:round_id>/reprice", methods=["POST"])
@login_required
def reprice(round_id: int):
    purchase_round = _round(round_id, Action.EDIT)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return_to(url_for("rounds.closing", round_id=round_id))
    changed = closing.reprice_round(current_user, purchase_round)
    flash(_("The round now has the new prices of %(n)s products; staff owe those.", n=changed), "success")
    return redirect(url_for("rounds.closing", round_id=round_id))


@bp.route("/<int:round_id>/handout")
@login_required
def handout(round_id: int):
    purchase_round = _round(round_id, Action.HAND_OUT)
    return render_template("rounds/handout.html", h=handouts.handout(purchase_round), form=ConfirmForm(),
                           ordered=purchase_round.status == RoundStatus.ORDERED)


@bp.route("/<int:round_id>/handout.pdf")
@login_required
def handout_document(round_id: int):
    purchase_round = _round(round_id, Action.HAND_OUT)
    return Response(handout_pdf(handouts.handout(purchase_round)), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="handout-round-{purchase_round.id}.pdf"'})


@bp.route("/<int:round_id>/handout/<int:signup_id>/<any(paid, unpaid, handed, 'not-handed'):what>",
          methods=["POST"])
@login_required
def mark(round_id: int, signup_id: int, what: str):
    purchase_round = _round(round_id, Action.HAND_OUT)
    signup = authorize(Action.HAND_OUT, handouts.signup_of(purchase_round, signup_id))
    if not ConfirmForm().validate_on_submit():
        abort(400)
    back = url_for("rounds.handout", round_id=round_id, _anchor=f"signup-{signup.id}")
    return_to(back)
    if not handouts.mark(current_user, signup, what):
        flash(_("This was already recorded."), "info")
    return redirect(back)


@bp.route("/owed")
@login_required
def owed():
    """The treasurer's view: what staff still owe, per round and person, across the unit's rounds."""
    if current_user.role not in ORGANISERS or current_user.organisation.kind not in RUNNING_KINDS:
        abort(403)
    return render_template("rounds/owed.html", rounds=handouts.owed_by_round(current_user.organisation_id))


@order_panel("rounds/_order_round.html")
def order_round_panel(order) -> dict:
    """An order placed from a staff purchase round names its round (and, for the unit's organisers, links to the
    hand-out list)."""
    purchase_round = queries.round_of_order(order) if order.source == OrderSource.STAFF_ROUND else None
    return {"round": purchase_round,
            "hand_out": purchase_round is not None and can(current_user, Action.HAND_OUT, purchase_round)}
