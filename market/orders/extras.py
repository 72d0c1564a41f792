"""What a placement carries beyond its lines, for the packages above orders to keep (invoices: whether an
invoice is wanted, with which details). Orders does not read it: it hands it, with the new orders, to the
handler registered for it, in the same transaction, so a refused extra refuses the whole placement."""

from __future__ import annotations

from collections.abc import Callable

_ON_PLACED: dict[str, Callable] = {}


def on_placed(name: str):
    """Register `fn(orders, buyer, value)`, called once a placement made its orders, when it carried `name`."""

    def register(fn: Callable):
        _ON_PLACED[name] = fn
        return fn

    return register


def placed(orders: list, buyer, **extras) -> None:
    """Hand each extra given (not None) to its handler."""
    for name, value in extras.items():
        if value is not None:
            _ON_PLACED[name](orders, buyer, value)
