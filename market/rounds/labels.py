"""Human names of the enum values of purchase rounds, and what the audit log says of them (imported by the app
factory and by this feature's forms)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from market.audit.labels import ACTIONS, register_kind
from market.labels import register_labels
from market.payments.models import PaymentState
from market.rounds.models import Fairness, NameDisplay, PaymentMode, PurchaseRound, RoundStatus, SharePayment

register_labels(RoundStatus, {
    RoundStatus.OPEN: _l("Open for sign-ups"),
    RoundStatus.CLOSED: _l("Sign-ups closed"),
    RoundStatus.ORDERED: _l("Ordered"),
    RoundStatus.DELIVERED: _l("Delivered"),
})

register_labels(PaymentMode, {
    PaymentMode.IN_PERSON: _l("Paid in person to the unit"),
    PaymentMode.ONLINE: _l("Each pays their share online"),
})

register_labels(NameDisplay, {
    NameDisplay.FULL: _l("Full names"),
    NameDisplay.SURNAME: _l("Surnames only"),
    NameDisplay.HIDDEN: _l("No names"),
})

register_labels(Fairness, {
    Fairness.FIRST_COME: _l("First come, first served"),
    Fairness.PRO_RATA: _l("In proportion to what each asked"),
})

# No link from the audit log: a round is seen by the people of its unit only, not by the city office that reads
# the log.
register_kind(
    PurchaseRound, _l("Staff purchase round"), name=lambda purchase_round: purchase_round.title,
    actions={"create": _l("opened a staff purchase round"), "update": _l("changed a staff purchase round")},
    fields={"status": (_l("Status"), RoundStatus), "closes_at": (_l("Closes at"), "datetime"),
            "title": (_l("Title"), "text")})

register_kind(
    SharePayment, _l("Online payment of a staff member's share"), name=lambda payment: payment.signup.round.title,
    actions={"create": _l("started paying a share online"), "update": _l("changed an online payment of a share")},
    fields={"state": (_l("State"), PaymentState), "amount": (_l("Amount"), "money")})
ACTIONS["purchase_rounds.paid_online"] = _l("recorded a staff member's online payment of their share")


def time_left(closes_at, now) -> str:
    """The closing countdown in words: the largest whole unit left (days, hours, minutes)."""
    from flask_babel import gettext, ngettext

    seconds = int((closes_at - now).total_seconds())
    if seconds <= 0:
        return gettext("Sign-ups have closed.")
    if seconds >= 86400:
        return ngettext("%(num)d day left to sign up", "%(num)d days left to sign up", seconds // 86400)
    if seconds >= 3600:
        return ngettext("%(num)d hour left to sign up", "%(num)d hours left to sign up", seconds // 3600)
    minutes = max(1, seconds // 60)
    return ngettext("%(num)d minute left to sign up", "%(num)d minutes left to sign up", minutes)
