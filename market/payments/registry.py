"""Card payments of things other than orders (a staff member's share of a purchase round): the packages above
payments register here what settles an intent whose `metadata[kind]` names theirs (the webhook) and how their
pending payments are reconciled (`payments reconcile`), so payments never imports them."""

from __future__ import annotations

from collections.abc import Callable

#: kind → handler of a `payment_intent.*` event's object; returns a short outcome for the webhook log.
_SETTLED: dict[str, Callable[[dict], str]] = {}
#: kind → reconciler of its pending payments (commits as it goes); returns a line for the command's output.
_RECONCILERS: dict[str, Callable[[], str]] = {}


def on_intent_settled(kind: str, fn: Callable[[dict], str]) -> None:
    _SETTLED[kind] = fn


def intent_handler(intent: dict) -> Callable[[dict], str] | None:
    """The handler registered for the intent's `metadata[kind]`, or None (an order payment's intent)."""
    metadata = intent.get("metadata")
    kind = metadata.get("kind") if isinstance(metadata, dict) else None
    return _SETTLED.get(kind) if isinstance(kind, str) else None


def on_reconcile(kind: str, fn: Callable[[], str]) -> None:
    _RECONCILERS[kind] = fn


def reconcilers() -> list[Callable[[], str]]:
    return list(_RECONCILERS.values())
