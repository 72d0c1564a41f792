"""What happens to a registration, told to the packages above accounts (the message centre listens), so accounts
imports none of them. Sent inside the operation's transaction: a listener writes with it or not at all."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: sender: the new Organisation (pending), after its first person was added.
organisation_registered = _signals.signal("organisation-registered")
#: sender: the reviewed Organisation; keyword `approved` (bool).
organisation_reviewed = _signals.signal("organisation-reviewed")
