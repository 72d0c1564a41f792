"""A staff member's own share of an online-payment round, paid by card: the pay page (test cards against a fake
server, Stripe.js in production, as order payments), paying, and "check again". Only the sign-up's person: anyone
else gets 404."""

from __future__ import annotations

from flask import abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from market.forms import BaseForm
from market.i18n import money
from market.payments.client import PaymentApiUnavailable
from market.payments.forms import CardPaymentForm
from market.payments.messages import failure_reason
from market.payments.models import PaymentState
from market.payments.online import intent_awaiting_action
from market.payments.service import TEST_CARDS, api_client, online_payments_enabled
from market.payments.views import STRIPE_PAGE_POLICY
from market.permissions import open_to_staff
from market.rounds import bp, queries
from market.rounds.handout import share_amount
from market.rounds import share_payments as shares
from market.payments.online import CardOutcome
from market.rounds.share_payments import pending_share_payment, share_refusal
from market.rounds.share_settle import check_share_payment
from market.transaction import return_to

open_to_staff("rounds.pay_share", "rounds.pay_share_by_card", "rounds.check_share")


def _own(signup_id: int):
    signup = queries.signup_by_id(signup_id)
    if signup is None or signup.user_id != current_user.id:
        abort(404)
    return signup


def _card_form() -> CardPaymentForm:
    form = CardPaymentForm()
    form.test_card.choices = [SelectChoice(number, label) for number, label in TEST_CARDS.items()]
    return form


def share_panel(signup) -> dict:
    """What the round page says and offers about paying the person's share online."""
    paid = next((p for p in queries.share_payments_of(signup) if p.state == PaymentState.SUCCEEDED), None)
    pending = pending_share_payment(signup) if paid is None else None
    offer = paid is None and pending is None and share_refusal(current_user, signup) is None
    return {"paid": paid, "pending": pending, "offer": offer, "amount": share_amount(signup) if offer else None}


bp.add_app_template_global(share_panel, "round_share_payment")


@bp.route("/signups/<int:signup_id>/pay")
@login_required
def pay_share(signup_id: int):
    signup, test_mode = _own(signup_id), not api_client().is_real_stripe
    pending = pending_share_payment(signup)
    intent = intent_awaiting_action(pending) if pending is not None else None
    response = make_response(render_template(
        "rounds/pay_share.html", signup=signup, r=signup.round, amount=share_amount(signup), form=_card_form(),
        refusal=share_refusal(current_user, signup), pending=pending, offline_mode=test_mode,
        enabled=online_payments_enabled(), publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY"),
        client_secret=intent.get("client_secret") if intent else None, check_form=BaseForm()))
    if not test_mode:
        response.headers["Content-Security-Policy"] = STRIPE_PAGE_POLICY
    return response


@bp.route("/signups/<int:signup_id>/pay", methods=["POST"], endpoint="pay_share_by_card")
@login_required
def pay_share_by_card(signup_id: int):
    signup, test_mode = _own(signup_id), not api_client().is_real_stripe
    form = _card_form()
    if not form.validate_on_submit():
        abort(400)
    return_to(url_for("rounds.pay_share", signup_id=signup.id))
    outcome = shares.pay_share(signup, current_user,
                               payment_method_id=None if test_mode else form.payment_method.data,
                               test_card=form.test_card.data if test_mode else None)
    if outcome.state == PaymentState.PENDING and outcome.problem is None \
            and intent_awaiting_action(outcome.payment) is not None:
        return redirect(url_for("rounds.pay_share", signup_id=signup.id))  # 3-D Secure: the pay page finishes it
    flash(*_message(outcome))
    return redirect(url_for("rounds.detail", round_id=signup.round_id))


@bp.route("/signups/<int:signup_id>/check", methods=["POST"], endpoint="check_share")
@login_required
def check_share(signup_id: int):
    signup = _own(signup_id)
    payment = pending_share_payment(signup) or next(iter(queries.share_payments_of(signup)), None)
    if payment is None:
        abort(404)
    if not BaseForm().validate_on_submit():
        abort(400)
    return_to(url_for("rounds.detail", round_id=signup.round_id))
    state = check_share_payment(payment, current_user)
    flash(*_message(CardOutcome(payment, state, problem=None if state else PaymentApiUnavailable()), checked=True))
    return redirect(url_for("rounds.detail", round_id=signup.round_id))


def _message(outcome: CardOutcome, *, checked: bool = False) -> tuple[str, str]:
    """What the person reads after paying or checking again."""
    if outcome.in_progress:
        return outcome.in_progress, "info"
    if isinstance(outcome.problem, PaymentApiUnavailable) or (outcome.state == PaymentState.PENDING and not checked):
        return _("The payment service did not answer. Your payment is pending; it will be settled as soon as the "
                 "service answers, and you will not be charged twice."), "info"
    if outcome.state == PaymentState.SUCCEEDED:
        amount = money(outcome.payment.amount) if outcome.payment else ""
        return _("Your share is paid: %(amount)s. Thank you.", amount=amount), "success"
    if outcome.state in (PaymentState.FAILED, PaymentState.CANCELLED):
        reason = outcome.payment.failure_reason if outcome.payment else None
        return _("The payment did not go through: %(reason)s. Your share is still unpaid; you can try again.",
                 reason=reason or failure_reason(None)), "error"
    return _("The payment is still being confirmed (or waits for your bank). Check again in a moment; nothing is "
             "charged twice."), "info"
