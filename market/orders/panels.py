"""What packages above orders add to an order's page, without orders knowing them: each registers a panel (a
template and a function giving its context), as permission rules are registered. Payments shows its payments,
refunds and the ways to pay this way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from market.orders.models import Order


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[Order], dict]


_PANELS: list[Panel] = []


def order_panel(template: str):
    """Register `fn(order) -> dict`: the context of `template`, which the order page includes (in the order of
    registration) with that context as `panel`."""

    def register(fn: Callable[[Order], dict]):
        _PANELS.append(Panel(template, fn))
        return fn

    return register


def panels_for(order: Order) -> list[tuple[str, dict]]:
    """The (template, context) of every registered panel, for the order's page."""
    return [(panel.template, panel.context(order)) for panel in _PANELS]


#: What packages above orders add to the cart's place form (invoices: whether an invoice is wanted).
_CART_PANELS: list[tuple[str, Callable]] = []


def cart_panel(template: str):
    """Register `fn(user) -> dict`: the context of `template`, included inside the cart's place form."""

    def register(fn: Callable):
        _CART_PANELS.append((template, fn))
        return fn

    return register


def cart_panels_for(user) -> list[tuple[str, dict]]:
    return [(template, fn(user)) for template, fn in _CART_PANELS]
