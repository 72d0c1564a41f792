"""E-mail to people, through SMTP when MAIL_SERVER is configured; otherwise the message goes to the log."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

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
