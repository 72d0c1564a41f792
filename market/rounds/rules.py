"""The errors of purchase rounds: what a page shows beside its form and the API answers with 422 (or 409 when the
round closed under the request)."""

from __future__ import annotations

from flask_babel import gettext as _

from market.rules import RuleError
from market.state import StateConflict


class RoundError(RuleError):
    """A rule of purchase rounds refused the request; nothing changed."""


class RoundClosed(RoundError, StateConflict):
    """The round no longer takes sign-ups (closed by hand, or past its closing time); nothing changed. A
    `StateConflict` too, so the API answers it 409."""

    def __init__(self, message: str | None = None, field: str | None = None):
        super().__init__(message or _("This round has closed: sign-ups can no longer be made, changed or "
                                      "withdrawn."), field)
