"""Pages of purchase rounds: the unit's rounds, opening one, a round with its sign-up form and running list, the
share link, and the organisers' list of sign-ups. Closing and the hand-out are `views_closing`."""

from __future__ import annotations

import secrets

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from market.confirm import Confirmation, confirmation_page, unavailable
from market.forms import refuse
from market.permissions import Action, authorize, can, open_to_staff
from market.rounds import bp, queries
from market.rounds import operations as ops
from market.rounds.forms import RoundForm, SignupForm
from market.rounds.labels import time_left
from market.rounds.operations import RUNNING_KINDS
from market.sharing import page_url, qr_data_uri
from market.transaction import return_to
from market.types import utcnow

open_to_staff("rounds.index", "rounds.detail", "rounds.join", "rounds.signup", "rounds.withdraw")


def _may_open_rounds() -> bool:
    return current_user.is_manager and current_user.organisation.kind in RUNNING_KINDS


def _round(round_id: int, action: Action = Action.VIEW):
    return authorize(action, queries.round_detail(round_id))


@bp.route("/")
@login_required
def index():
    now = utcnow()
    rounds = [r for r in queries.rounds_of(current_user.organisation_id, now) if can(current_user, Action.VIEW, r)]
    return render_template("rounds/index.html", rounds=rounds, now=now, may_open=_may_open_rounds(),
                           mine=queries.signups_of(current_user, [r.id for r in rounds]),
                           amount=queries.signup_amount)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if not _may_open_rounds():
        abort(403)
    form = RoundForm()
    form.once.data = form.once.data or secrets.token_urlsafe(16)
    search = request.values.get("q", "")[:60]
    if form.validate_on_submit():
        purchase_round = ops.open_round(current_user, **form.fields(), items=form.items(request.form))
        flash(_("The round “%(title)s” is open. Share its link in the staff chat.", title=purchase_round.title),
              "success")
        return redirect(url_for("rounds.detail", round_id=purchase_round.id))
    kept = dict(form.kept["data"]) if form.kept else {}
    return render_template("rounds/new.html", form=form, search=search, kept=kept, ticked=[
        v for k, v in (form.kept or {}).get("data", []) if k == "product"],
        candidates=queries.candidate_products(current_user.organisation, search))


@bp.route("/<int:round_id>")
@login_required
def detail(round_id: int):
    purchase_round, now = _round(round_id), utcnow()
    mine = queries.own_signup(purchase_round, current_user)
    form = SignupForm()
    form.pickup_place.choices = [(p, p) for p in purchase_round.places]
    if mine is not None and not form.kept:
        form.pickup_place.data = mine.pickup_place
    typed = dict(form.kept["data"]) if form.kept else {}
    return render_template("rounds/detail.html", r=purchase_round, now=now, mine=mine, form=form, typed=typed,
                           open=purchase_round.open_at(now), left=queries.left_of, amount=queries.signup_amount,
                           listed=queries.running_list(purchase_round, current_user),
                           countdown=time_left(purchase_round.closes_at, now),
                           organiser=can(current_user, Action.HAND_OUT, purchase_round),
                           may_sign_up=ops.may_sign_up(current_user, purchase_round))


@bp.route("/<int:round_id>/signup", methods=["POST"])
@login_required
def signup(round_id: int):
    purchase_round = _round(round_id)
    back = url_for("rounds.detail", round_id=round_id)
    return_to(back)
    form = SignupForm()
    if not form.validate_on_submit():
        refuse(form)
    lines = form.lines(request.form, [item.product_id for item in purchase_round.products])
    signup, created = ops.sign_up(current_user, purchase_round, lines, pickup_place=form.pickup_place.data)
    flash(_("You withdrew from this round.") if signup is None else _("You signed up.") if created else
          _("Your sign-up is changed."), "success")
    return redirect(back)


@bp.route("/<int:round_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(round_id: int):
    purchase_round, now = _round(round_id), utcnow()
    back = url_for("rounds.detail", round_id=round_id)
    mine = queries.own_signup(purchase_round, current_user)
    if request.method == "POST":
        return_to(back)
        ops.withdraw(current_user, purchase_round, now=now)
        flash(_("You withdrew from this round."), "success")
        return redirect(back)
    if mine is None or not purchase_round.open_at(now):
        return unavailable(back, _("You have no sign-up to withdraw in this round, or it has closed."))
    return confirmation_page(Confirmation(
        title=_("Withdraw from “%(title)s”?", title=purchase_round.title),
        action=url_for("rounds.withdraw", round_id=round_id), back=back, button=_("Withdraw"),
        facts=[(line.round_product.product_name, str(line.quantity.normalize())) for line in mine.lines],
        consequences=[_("Your quantities go back to what is left for colleagues."),
                      _("You can sign up again while the round is open.")]))


@bp.route("/join/<token>")
@login_required
def join(token: str):
    purchase_round = queries.round_by_token(token)
    if purchase_round is None or not can(current_user, Action.VIEW, purchase_round):
        abort(404)
    return redirect(url_for("rounds.detail", round_id=purchase_round.id))


@bp.route("/<int:round_id>/signups")
@login_required
def signups(round_id: int):
    """The organisers' list: every sign-up with the full name, department, place, lines and amount."""
    purchase_round = _round(round_id, Action.HAND_OUT)
    return render_template("rounds/signups.html", r=purchase_round, amount=queries.signup_amount,
                           totals=queries.product_totals(purchase_round))


def share_of(purchase_round) -> dict:
    """The share link of a round and its QR code (for the staff chat), for the templates."""
    url = page_url("rounds.join", token=purchase_round.share_token)
    return {"url": url, "qr": qr_data_uri(url)}


bp.add_app_template_global(share_of, "round_share")


from market.rounds import views_closing  # noqa: E402,F401  (closing and hand-out pages, on the same blueprint)
from market.rounds import views_share  # noqa: E402,F401  (paying one's own share online)
