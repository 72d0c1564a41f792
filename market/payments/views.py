from __future__ import annotations

import json
import logging

from flask import abort, current_app, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from market import after_commit
from market.accounts.models import OrgKind
from market.rules import RuleError
from market.extensions import csrf, db, limiter
from market.forms import BaseForm, flash_form_errors
from market.i18n import local_today, money
from market.numbers import query_int
from market.orders import queries as order_queries
from market.orders.models import Order
from market.orders.operations import party_of
from market.payments import bp
from market.payments import operations as ops
from market.payments.client import PaymentApiError, PaymentApiUnavailable, SignatureError, verify_signature
from market.payments.forms import CardPaymentForm, OfflinePaymentForm, RefundForm
from market.payments.messages import failure_reason
from market.payments.models import Payment, PaymentMethod, PaymentState
from market.permissions import Action, authorize, kind_required

log = logging.getLogger("market.payments")


def order_payment_context(order: Order) -> dict:
    """What the order page shows and offers about paying (used by orders.views)."""
    payments = list(db.session.scalars(select(Payment).where(Payment.order_id == order.id).order_by(Payment.id)))
    party = party_of(current_user, order) if current_user.is_authenticated else None
    active = current_user.is_authenticated and current_user.organisation.is_active
    refund_form = RefundForm()
    # While a card payment is pending (being confirmed, or waiting for the buyer's bank) no second one is offered:
    # "check again" asks the service about it instead.
    pending = next((p for p in reversed(payments)
                    if p.method == PaymentMethod.CARD and p.state == PaymentState.PENDING), None)
    return {
        "payments": payments,
        "can_pay_online": bool(active and party == "buyer" and ops.payable(order) and ops.online_payments_enabled()
                               and pending is None),
        "pending": pending if active and (party in ("buyer", "supplier")
                                          or current_user.organisation.kind == OrgKind.CITY_OFFICE) else None,
        "check_form": BaseForm() if pending is not None else None,
        "can_finish": bool(active and party == "buyer" and pending is not None and ops.payable(order)),
        "offline_form": OfflinePaymentForm(received_on=local_today())
        if active and party == "supplier" and ops.payable(order) else None,
        "refund_form": refund_form,
        "can_refund": bool(active and (party == "supplier" or current_user.organisation.kind == OrgKind.CITY_OFFICE)),
    }


def _order_or_404(order_id: int) -> Order:
    return authorize(Action.VIEW, order_queries.order_detail(order_id))


def _api_problem_message() -> str:
    return _("The payment service did not answer. Your payment is pending; it will be settled as soon as the "
             "service answers, and you will not be charged twice.")


@bp.route("/orders/<int:order_id>/pay", methods=["GET", "POST"])
@login_required
def pay(order_id: int):
    order = _order_or_404(order_id)
    form = CardPaymentForm()
    offline_mode = not ops.api_client().is_real_stripe
    form.test_card.choices = [SelectChoice(number, label) for number, label in ops.TEST_CARDS.items()]
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            payment = ops.begin_card_payment(order, current_user)
            db.session.commit()  # the idempotency keys are stored before anything is sent
        except ops.PaymentInProgress as error:
            # A double click, or another tab: the first request's payment is the one; the order page shows it.
            db.session.rollback()
            flash(error.message, "info")
            return redirect(url_for("orders.detail", order_id=order.id))
        except RuleError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for("payments.pay", order_id=order.id))
        try:
            ops.create_intent(payment, payment_method_id=None if offline_mode else form.payment_method.data,
                              test_card=form.test_card.data if offline_mode else None)
            db.session.commit()
            state = ops.confirm_intent(payment)
            db.session.commit()
        except RuleError as error:
            db.session.rollback()
            ops.abandon_card_payment(payment, error.message)  # no intent was made: the buyer may try again
            db.session.commit()
            flash(error.message, "error")
            return redirect(url_for("payments.pay", order_id=order.id))
        except (PaymentApiUnavailable, PaymentApiError) as error:
            db.session.rollback()
            if isinstance(error, PaymentApiError):
                ops.abandon_card_payment(payment, str(error))  # refused outright: no intent was made
                db.session.commit()
            log.warning("order %s: payment could not start: %s", order.reference, error)
            flash(_api_problem_message() if isinstance(error, PaymentApiUnavailable)
                  else _("The payment was refused: %(reason)s.", reason=failure_reason(error.code)), "error")
            return redirect(url_for("orders.detail", order_id=order.id))
        if state == PaymentState.SUCCEEDED:
            flash(_("Paid: %(amount)s. Thank you.", amount=money(payment.amount)), "success")
        elif state == PaymentState.FAILED:
            flash(_("The payment did not go through: %(reason)s. The order is still unpaid; you can try again.",
                    reason=payment.failure_reason or failure_reason(None)), "error")
        elif ops.intent_awaiting_action(payment) is not None:
            # 3-D Secure: the pay page (GET) finishes it with Stripe.js.
            return redirect(url_for("payments.pay", order_id=order.id))
        else:
            flash(_api_problem_message(), "info")
        return redirect(url_for("orders.detail", order_id=order.id))
    if party_of(current_user, order) != "buyer" or not ops.payable(order):
        abort(403)
    pending = ops.current_card_payment(order)
    intent = ops.intent_awaiting_action(pending) if pending is not None else None
    response = make_response(render_template(
        "payments/pay.html", order=order, form=form, offline_mode=offline_mode,
        publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY"), enabled=ops.online_payments_enabled(),
        pending=pending, client_secret=intent.get("client_secret") if intent else None,
        check_form=BaseForm()))
    if not offline_mode:
        # Stripe.js runs its card field in a frame from js.stripe.com; only this page allows it.
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data: https://*.stripe.com; style-src 'self' 'unsafe-inline'; "
            "script-src 'self' https://js.stripe.com; frame-src https://js.stripe.com https://hooks.stripe.com; "
            "connect-src 'self' https://api.stripe.com; form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
        )
    return response


@bp.route("/orders/<int:order_id>/offline", methods=["POST"])
@login_required
def offline(order_id: int):
    order = _order_or_404(order_id)
    form = OfflinePaymentForm()
    if not form.validate_on_submit():
        flash(_("Enter the day the money arrived."), "error")
        return redirect(url_for("orders.detail", order_id=order.id))
    try:
        ops.record_offline_payment(order, current_user, method=form.method.data, reference=form.reference.data,
                                   received_on=form.received_on.data)
    except ops.PaymentInProgress as error:
        db.session.rollback()
        flash(error.message, "info")
        return redirect(url_for("orders.detail", order_id=order.id))
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("orders.detail", order_id=order.id))
    db.session.commit()
    flash(_("The payment is recorded; the order is paid."), "success")
    return redirect(url_for("orders.detail", order_id=order.id))


@bp.route("/<int:payment_id>/refund", methods=["POST"])
@login_required
def refund(payment_id: int):
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        abort(404)
    order = _order_or_404(payment.order_id)
    form = RefundForm()
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("orders.detail", order_id=order.id))
    try:
        refund = ops.begin_refund(payment, current_user, form.amount.data, form.reason.data)
        db.session.commit()  # reserved, with its idempotency key, before anything is sent
        state = ops.submit_refund(refund)
        db.session.commit()
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("orders.detail", order_id=order.id))
    messages = {
        "succeeded": _("%(amount)s refunded.", amount=money(refund.amount)),
        "failed": _("The payment service refused the refund; nothing was refunded."),
        "cancelled": _("The payment service cancelled the refund; nothing was refunded."),
        "pending": _("The payment service did not answer; the refund will be sent again by reconciliation."),
    }
    if state.value == "pending" and refund.provider_refund_id:
        # Accepted but not finished (Stripe's `pending`): its event or reconciliation brings the outcome.
        flash(_("The refund of %(amount)s is on its way; the order shows when it is done.",
                amount=money(refund.amount)), "info")
    else:
        flash(messages[state.value], "success" if state.value == "succeeded" else "error")
    return redirect(url_for("orders.detail", order_id=order.id))


@bp.route("/<int:payment_id>/check", methods=["POST"])
@login_required
def check(payment_id: int):
    """Ask the payment service again about a pending card payment ("check again", and the pay page's return
    after the buyer's bank confirmed it), then show the order with the outcome."""
    payment = db.session.get(Payment, payment_id)
    if payment is None:
        abort(404)
    order = _order_or_404(payment.order_id)
    form = BaseForm()  # only its CSRF token
    if not form.validate_on_submit():
        flash_form_errors(form)
        return redirect(url_for("orders.detail", order_id=order.id))
    try:
        state = ops.check_payment(payment, current_user)
        db.session.commit()
    except RuleError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("orders.detail", order_id=order.id))
    except (PaymentApiUnavailable, PaymentApiError) as error:
        db.session.rollback()
        log.warning("payment %s: check failed: %s", payment.id, error)
        flash(_api_problem_message(), "info")
        return redirect(url_for("orders.detail", order_id=order.id))
    if state == PaymentState.SUCCEEDED:
        flash(_("Paid: %(amount)s. Thank you.", amount=money(payment.amount)), "success")
    elif state == PaymentState.FAILED:
        flash(_("The card was declined: %(reason)s. The order is still unpaid; you can try again.",
                reason=payment.failure_message or "—"), "error")
    elif state == PaymentState.CANCELLED:
        flash(_("The payment was cancelled; nothing was charged."), "info")
    else:
        flash(_("The payment is still being confirmed (or waits for the buyer's bank). Check again in a moment; "
                "nothing is charged twice."), "info")
    return redirect(url_for("orders.detail", order_id=order.id))


#: Fields of an event's object that the provider sends as integer amounts in fen.
WEBHOOK_AMOUNT_FIELDS = ("amount", "amount_capturable", "amount_received", "amount_refunded")
#: Longest event id and type stored (the columns of WebhookEvent); longer ones would be cut and could collide.
WEBHOOK_TEXT_MAX = 80


def webhook_event_problem(event: dict) -> str | None:
    """What is wrong with the shape of a signed event, or None. Checked before anything is written, so a
    malformed event (even one signed with our secret) gets 400 and changes nothing instead of failing halfway."""
    for key in ("id", "type"):
        value = event.get(key)
        if not isinstance(value, str) or not value.strip():
            return f"{key} is not a non-empty string"
        if len(value) > WEBHOOK_TEXT_MAX:
            return f"{key} is longer than {WEBHOOK_TEXT_MAX} characters"
    data = event.get("data")
    if not isinstance(data, dict):
        return "data is not an object"
    obj = data.get("object")
    if not isinstance(obj, dict):
        return "data.object is not an object"
    for key in ("id", "status"):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            return f"data.object.{key} is not a string"
    for key in WEBHOOK_AMOUNT_FIELDS:
        value = obj.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 10**15):
            return f"data.object.{key} is not a whole number of fen"
    error = obj.get("last_payment_error")
    if error is not None and (not isinstance(error, dict) or not isinstance(error.get("message") or "", str)):
        return "data.object.last_payment_error is not an object with a text message"
    return None


@bp.route("/stripe/webhook", methods=["POST"])
@csrf.exempt
@limiter.exempt
def webhook():
    payload = request.get_data(cache=False)
    try:
        verify_signature(payload, request.headers.get("Stripe-Signature"), current_app.config["STRIPE_WEBHOOK_SECRET"])
    except SignatureError as error:
        log.warning("webhook refused: %s", error)
        return jsonify(error=str(error)), 400
    try:
        event = json.loads(payload)
        if not isinstance(event, dict):
            raise ValueError("not an object")
    except (ValueError, RecursionError):
        return jsonify(error="body is not a JSON object"), 400
    if (problem := webhook_event_problem(event)) is not None:
        log.warning("webhook refused: %s", problem)
        return jsonify(error=problem), 400
    try:
        outcome = ops.handle_event(event)
    except ops.DuplicateEvent:
        db.session.rollback()
        return jsonify(received=True, duplicate=True), 200
    except ValueError as error:
        db.session.rollback()
        return jsonify(error=str(error)), 400
    db.session.commit()
    log.info("webhook %s %s: %s", event.get("id"), event.get("type"), outcome)
    return jsonify(received=True), 200


@bp.route("/")
@kind_required(OrgKind.CITY_OFFICE)
def index():
    """Every payment, online and offline, in one list for the city office."""
    method = request.args.get("method") or None
    if method not in (None, *PaymentMethod):
        method = None
    page = query_int("page", 1)
    from market.payments.queries import payments_list, totals_by_method

    return render_template("payments/index.html", pagination=payments_list(method=method, page=page),
                           method=method, methods=list(PaymentMethod), totals=totals_by_method())



@bp.after_app_request
def send_started_refunds(response):
    """Refunds that a request's committed change started (a paid order cancelled or rejected, money arriving for
    an ended order) are sent now, after its commit; any left unsent are sent by `payments reconcile`."""
    if after_commit.committed(ops.COMMITTED_REFUNDS):
        ops.send_committed_refunds()
    return response
