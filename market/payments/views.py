from __future__ import annotations

import logging

from flask import abort, current_app, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from market import after_commit
from market import rules as number_rules
from market.accounts.models import OrgKind
from market.confirm import Confirmation, confirmation_page, unavailable
from market.extensions import csrf, limiter
from market.forms import BaseForm, flash_form_errors, refuse
from market.i18n import local_today, money
from market.numbers import query_int
from market.orders import queries as order_queries
from market.orders.models import Order
from market.orders.panels import order_panel
from market.payments import bp, queries, rules
from market.payments import operations as ops
from market.payments.client import PaymentApiUnavailable
from market.payments.forms import CardPaymentForm, OfflinePaymentForm, RefundForm
from market.payments.messages import failure_reason
from market.labels import label
from market.payments.models import PaymentMethod, PaymentState
from market.permissions import Action, authorize, kind_required
from market.transaction import return_to

log = logging.getLogger("market.payments")

#: Stripe.js runs its card field in a frame from js.stripe.com; only the pay page allows it.
STRIPE_PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data: https://*.stripe.com; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' https://js.stripe.com; frame-src https://js.stripe.com https://hooks.stripe.com; "
    "connect-src 'self' https://api.stripe.com; form-action 'self'; frame-ancestors 'none'; base-uri 'self'"
)


@order_panel("payments/_order_payments.html")
def order_payment_panel(order: Order) -> dict:
    """What the order page shows and offers about paying: each offer only where `payments.rules` allows it."""
    user = current_user
    payments = queries.payments_of(order)
    # While a card payment is pending (being confirmed, or waiting for the buyer's bank) no second one is offered:
    # "check again" asks the service about it instead.
    pending = next((p for p in reversed(payments)
                    if p.method == PaymentMethod.CARD and p.state == PaymentState.PENDING), None)
    return {
        "payments": payments,
        "can_pay_online": pending is None and rules.pay_online_refusal(user, order) is None,
        "pending": pending if rules.check_refusal(user, order) is None else None,
        "check_form": BaseForm() if pending is not None else None,
        "can_finish": pending is not None and rules.may_open_payment(user, order),
        "offline_form": OfflinePaymentForm(received_on=local_today())
        if rules.offline_refusal(user, order) is None else None,
        "refund_form": RefundForm(),
        "can_refund": rules.refund_refusal(user, order) is None,
    }


def _order_or_404(order_id: int) -> Order:
    return authorize(Action.VIEW, order_queries.order_detail(order_id))


def _to_order(order: Order):
    return redirect(url_for("orders.detail", order_id=order.id))


def _unanswered() -> str:
    return _("The payment service did not answer. Your payment is pending; it will be settled as soon as the "
             "service answers, and you will not be charged twice.")


@bp.route("/orders/<int:order_id>/pay")
@login_required
def pay(order_id: int):
    order = _order_or_404(order_id)
    if not rules.may_open_payment(current_user, order):
        abort(403)
    test_mode = not ops.api_client().is_real_stripe
    form = CardPaymentForm()
    form.test_card.choices = [SelectChoice(number, label) for number, label in ops.TEST_CARDS.items()]
    pending = ops.current_card_payment(order)
    intent = ops.intent_awaiting_action(pending) if pending is not None else None
    response = make_response(render_template(
        "payments/pay.html", order=order, form=form, offline_mode=test_mode,
        publishable_key=current_app.config.get("STRIPE_PUBLISHABLE_KEY"), enabled=ops.online_payments_enabled(),
        pending=pending, client_secret=intent.get("client_secret") if intent else None, check_form=BaseForm()))
    if not test_mode:
        response.headers["Content-Security-Policy"] = STRIPE_PAGE_POLICY
    return response


@bp.route("/orders/<int:order_id>/pay", methods=["POST"])
@login_required
def pay_by_card(order_id: int):
    order = _order_or_404(order_id)
    form = CardPaymentForm()
    form.test_card.choices = [SelectChoice(number, label) for number, label in ops.TEST_CARDS.items()]
    if not form.validate_on_submit():
        abort(400)
    return_to(url_for("payments.pay", order_id=order.id))
    test_mode = not ops.api_client().is_real_stripe
    outcome = ops.pay_by_card(order, current_user, payment_method_id=None if test_mode else form.payment_method.data,
                              test_card=form.test_card.data if test_mode else None)
    if outcome.problem is None and outcome.in_progress is None and outcome.state == PaymentState.PENDING \
            and ops.intent_awaiting_action(outcome.payment) is not None:
        return redirect(url_for("payments.pay", order_id=order.id))  # 3-D Secure: the pay page finishes it
    flash(*_card_message(outcome))
    return _to_order(order)


def _card_message(outcome: ops.CardOutcome) -> tuple[str, str]:
    """What the buyer reads after paying by card, and how (success, error, info)."""
    if outcome.in_progress:  # a double click, or another tab: the first request's payment is the one
        return outcome.in_progress, "info"
    if isinstance(outcome.problem, PaymentApiUnavailable):
        return _unanswered(), "error"
    if outcome.problem is not None:
        return _("The payment was refused: %(reason)s.", reason=failure_reason(outcome.problem.code)), "error"
    if outcome.state == PaymentState.SUCCEEDED:
        return _("Order %(ref)s is paid: %(amount)s. Thank you.", ref=outcome.payment.order.reference,
                 amount=money(outcome.payment.amount)), "success"
    if outcome.state == PaymentState.FAILED:
        return _("The payment did not go through: %(reason)s. The order is still unpaid; you can try again.",
                 reason=outcome.payment.failure_reason or failure_reason(None)), "error"
    return _unanswered(), "info"


@bp.route("/orders/<int:order_id>/offline", methods=["POST"])
@login_required
def offline(order_id: int):
    order = _order_or_404(order_id)
    form = OfflinePaymentForm()
    return_to(url_for("orders.detail", order_id=order.id))
    if not form.validate_on_submit():
        refuse(form)  # back to the order, what was typed kept beside its field
    ops.record_offline_payment(order, current_user, method=form.method.data, reference=form.reference.data,
                               received_on=form.received_on.data)
    flash(_("The payment of order %(ref)s is recorded (%(method)s); the order is paid.", ref=order.reference,
            method=label(PaymentMethod(form.method.data))), "success")
    return _to_order(order)


@bp.route("/<int:payment_id>/refund", methods=["POST"])
@login_required
def refund(payment_id: int):
    payment = authorize(Action.VIEW, queries.payment(payment_id))
    order = _order_or_404(payment.order_id)
    form = RefundForm()
    return_to(url_for("orders.detail", order_id=order.id))
    if not form.validate_on_submit():
        refuse(form)  # back to the order, what was typed kept beside its field
    made = ops.refund_payment(payment, current_user, form.amount.data, form.reason.data)
    flash(*_refund_message(made))
    return _to_order(order)


@bp.route("/<int:payment_id>/refund")
@login_required
def confirm_refund(payment_id: int):
    """The confirmation page of refunding (part of) a card payment: the amount comes from the order page
    (all that is left when none is given); the button posts to `refund` with the same fields."""
    payment = authorize(Action.VIEW, queries.payment(payment_id))
    order = _order_or_404(payment.order_id)
    back = url_for("orders.detail", order_id=order.id)
    if (refusal := rules.refund_refusal(current_user, order)) is not None or not _refundable(payment):
        return unavailable(back, refusal or _("This payment cannot be refunded."))
    return_to(back)
    value = number_rules.amount(request.args.get("amount") or payment.refundable, _("the refund"))
    if value > payment.refundable:
        return unavailable(back, _("At most %(left)s can still be refunded.", left=money(payment.refundable)))
    return confirmation_page(Confirmation(
        title=_("Refund %(amount)s of order %(reference)s?", amount=money(value), reference=order.reference),
        action=url_for("payments.refund", payment_id=payment.id), back=back, button=_("Refund"),
        facts=[(_("Buyer"), order.buyer.name), (_("Paid by card"), money(payment.amount)),
               (_("Refunded so far"), money(payment.refunds_succeeded))],
        consequences=[_("%(amount)s is refunded to the card the buyer paid with.", amount=money(value)),
                      _("A refund sent cannot be taken back.")],
        form=RefundForm(), fields=("reason",), hidden={"amount": str(value)}))


def _refundable(payment) -> bool:
    return payment.method == PaymentMethod.CARD and payment.state == PaymentState.SUCCEEDED and payment.refundable > 0


def _refund_message(refund) -> tuple[str, str]:
    state = refund.state.value
    if state == "pending" and refund.provider_refund_id:
        # Accepted but not finished (Stripe's `pending`): its event or reconciliation brings the outcome.
        return _("The refund of %(amount)s is on its way; the order shows when it is done.",
                 amount=money(refund.amount)), "info"
    messages = {
        "succeeded": _("%(amount)s refunded on order %(ref)s.", amount=money(refund.amount),
                       ref=refund.payment.order.reference),
        "failed": _("The payment service refused the refund; nothing was refunded."),
        "cancelled": _("The payment service cancelled the refund; nothing was refunded."),
        "pending": _("The payment service did not answer; the refund will be sent again by reconciliation."),
    }
    return messages[state], "success" if state == "succeeded" else "error"


@bp.route("/<int:payment_id>/check", methods=["POST"])
@login_required
def check(payment_id: int):
    """Ask the payment service again about a pending card payment ("check again", and the pay page's return
    after the buyer's bank confirmed it), then show the order with the outcome."""
    payment = authorize(Action.VIEW, queries.payment(payment_id))
    order = _order_or_404(payment.order_id)
    form = BaseForm()  # only its CSRF token
    if not form.validate_on_submit():
        flash_form_errors(form)
        return _to_order(order)
    return_to(url_for("orders.detail", order_id=order.id))
    state = ops.check_payment(payment, current_user)
    flash(*_check_message(payment, state))
    return _to_order(order)


def _check_message(payment, state: PaymentState | None) -> tuple[str, str]:
    if state is None:
        return _unanswered(), "info"
    if state == PaymentState.SUCCEEDED:
        return _("Order %(ref)s is paid: %(amount)s. Thank you.", ref=payment.order.reference,
                 amount=money(payment.amount)), "success"
    if state == PaymentState.FAILED:
        return _("The card was declined: %(reason)s. The order is still unpaid; you can try again.",
                 reason=payment.failure_reason or failure_reason(None)), "error"
    if state == PaymentState.CANCELLED:
        return _("The payment was cancelled; nothing was charged."), "info"
    return _("The payment is still being confirmed (or waits for the buyer's bank). Check again in a moment; "
             "nothing is charged twice."), "info"


@bp.route("/stripe/webhook", methods=["POST"])
@csrf.exempt
@limiter.exempt
def webhook():
    """The payment service's events: a bad signature or shape is 400 (nothing written, the request's end rolls
    back), an event handled before is answered 200 all the same."""
    try:
        event = ops.read_event(request.get_data(cache=False), request.headers.get("Stripe-Signature"))
        outcome = ops.handle_event(event)
    except ValueError as error:  # BadEvent, or an event the handler could not read
        return jsonify(error=str(error)), 400
    except ops.DuplicateEvent:
        return jsonify(received=True, duplicate=True), 200
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
    return render_template("payments/index.html", pagination=queries.payments_list(method=method, page=page),
                           method=method, methods=list(PaymentMethod), totals=queries.totals_by_method())


@bp.after_app_request
def send_started_refunds(response):
    """Refunds that a request's committed change started (a paid order cancelled or rejected, money arriving for
    an ended order) are sent now, after its commit; any left unsent are sent by `payments reconcile`."""
    if after_commit.committed(ops.COMMITTED_REFUNDS):
        ops.send_committed_refunds()
    return response
