"""E-mail to people, through SMTP when MAIL_SERVER is configured; otherwise the message goes to the log."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from decimal import Decimal
from email.message import EmailMessage

from flask import current_app
from flask_babel import gettext as _

from market.links import external_url

log = logging.getLogger("market.mail")


def send_mail(to: list[str], subject: str, body: str) -> bool:
    """Send (or log) a plain-text message; returns True when handed to an SMTP server. Never raises: a mail
    server that is down must not undo the order that triggered the message."""
    recipients = [address for address in to if address]
    if not recipients:
        return False
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        log.info("mail (no MAIL_SERVER set) to=%s subject=%s\n%s", ", ".join(recipients), subject, body)
        return False
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)
        return True
    except (OSError, smtplib.SMTPException):
        log.exception("mail to %s failed", recipients)
        return False


@dataclass(frozen=True)
class NewOrder:
    """What a supplier is told of a new order, taken from the placement while it is still in memory (sending it
    after the commit then reads only who the supplier's people are)."""

    order_id: int
    supplier_id: int
    reference: str
    buyer: str
    total: Decimal
    #: (product name, quantity, unit price) of each line.
    lines: tuple[tuple[str, Decimal, Decimal], ...]
    #: Where, to whom and when, in words (the order's copy of its delivery); empty when it has none.
    delivery: str = ""


def tell_suppliers(orders: list[NewOrder], recipients: dict[int, list[str]]) -> None:
    """A new-order message to every active person of each order's supplier (`recipients`, by supplier id), once
    the order is committed."""
    for order in orders:
        lines = "\n".join(f"- {name}: {quantity.normalize():f} × ¥{price}" for name, quantity, price in order.lines)
        body = _("New order %(reference)s from %(buyer)s, total ¥%(total)s:",
                 reference=order.reference, buyer=order.buyer, total=order.total) + "\n" + lines + \
            ("\n\n" + order.delivery if order.delivery else "") + "\n\n" + external_url("orders.detail", order_id=order.order_id)
        send_mail(recipients.get(order.supplier_id, []), _("New order %(reference)s", reference=order.reference),
                  body)
