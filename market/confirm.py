"""Confirmation pages for actions that cannot simply be taken back (cancel, reject, terminate, suspend, refund,
withdraw, revoke, remove).

The object's page links (GET) to the action's own URL; GET shows this page, which names the object, says what
will happen and asks for a reason where the action needs one; its "Confirm" button POSTs to the same URL with
the same fields as before, so the action's view, the API and the rules are unchanged. A refusal on that POST
comes back to this page with the message and what was typed (`market.transaction`: the form was posted from the
action's own URL). Each feature supplies its texts; the page is shown only to who may act, and only while the
action is possible (`unavailable` otherwise)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import flash, redirect, render_template
from flask_babel import gettext as _

from market.forms import BaseForm, ConfirmForm


@dataclass
class Confirmation:
    #: The question, naming the object ("Cancel order FS-…?").
    title: str
    #: The existing POST URL the "Confirm" button posts to (the page's own URL).
    action: str
    #: The object's page ("Back").
    back: str
    #: The words on the danger button ("Cancel the order").
    button: str
    #: (label, value) pairs that name the object: its reference, who it concerns, its amount.
    facts: list[tuple[str, str]] = field(default_factory=list)
    #: A picture of the object (the photo to be removed), by URL.
    image: str | None = None
    #: What will happen, in words, one sentence each.
    consequences: list[str] = field(default_factory=list)
    #: The form whose fields `fields` are asked for (a reason); a bare CSRF form when None.
    form: BaseForm | None = None
    fields: tuple[str, ...] = ()
    #: A hint under a field, by field name (e.g. "required because the order is paid").
    hints: dict[str, str] = field(default_factory=dict)
    #: Fields carried as they are (name -> value), e.g. the refund's amount, the list to return to.
    hidden: dict[str, str] = field(default_factory=dict)


def confirmation_page(confirmation: Confirmation) -> str:
    if confirmation.form is None:
        confirmation.form = ConfirmForm()
    return render_template("confirm.html", c=confirmation)


def unavailable(back: str, message: str | None = None):
    """The action is not possible in the object's current state (or not for this person): back to the object,
    saying so, instead of a page offering a button that would be refused."""
    flash(message or _("This can no longer be done."), "error")
    return redirect(back)
