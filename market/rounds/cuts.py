"""The arithmetic of closing a round, pure (no database; tests/test_rounds_cuts.py): sharing a product's last units
among its sign-up lines when stock ran short, and splitting an order line's amount among the people it serves so
that their amounts add up to the order's to the fen."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from market.rounds.models import Fairness

WHOLE = Decimal("1")
THOUSANDTH = Decimal("0.001")
FEN = Decimal("0.01")


@dataclass(frozen=True)
class Asked:
    """One sign-up line of one product: its id, the quantity asked, its place in the queue."""

    line_id: int
    quantity: Decimal
    queued_at: datetime


def step_of(lines: list[Asked]) -> Decimal:
    """Whole units when every asked quantity is whole (bags, boxes), else thousandths (kg as weighed)."""
    return WHOLE if all(line.quantity == line.quantity.to_integral_value() for line in lines) else THOUSANDTH


def _queue(lines: list[Asked]) -> list[Asked]:
    return sorted(lines, key=lambda line: (line.queued_at, line.line_id))


def _down(value: Decimal, step: Decimal) -> Decimal:
    return (value / step).to_integral_value(rounding=ROUND_DOWN) * step


def grant(available: Decimal, lines: list[Asked], fairness: Fairness) -> dict[int, Decimal]:
    """The quantity each line (by id) is granted from `available`: never more than asked, never more in total
    than available, and in total exactly min(available, asked total).

    FIRST_COME serves the queue in order (queued_at, then line id). PRO_RATA gives each its share of what is
    available in proportion to what it asked, rounded down to the step (`step_of`), then what is left one step at a
    time in queue order, round and round (a last part smaller than a step goes to the next in turn)."""
    available = max(Decimal(0), available)
    asked_total = sum((line.quantity for line in lines), Decimal(0))
    if asked_total <= available:
        return {line.line_id: line.quantity for line in lines}
    if fairness == Fairness.PRO_RATA:
        return _pro_rata(available, lines, asked_total)
    granted, left = {}, available
    for line in _queue(lines):
        granted[line.line_id] = min(line.quantity, left)
        left -= granted[line.line_id]
    return granted


def _pro_rata(available: Decimal, lines: list[Asked], asked_total: Decimal) -> dict[int, Decimal]:
    step = step_of(lines)
    granted = {line.line_id: min(line.quantity, _down(available * line.quantity / asked_total, step))
               for line in lines}
    left = available - sum(granted.values(), Decimal(0))
    queue = _queue(lines)
    turn = 0  # whose turn it is in the queue: one step each, round and round
    while left > 0 and any(granted[line.line_id] < line.quantity for line in queue):
        line = queue[turn % len(queue)]
        more = min(step, left, line.quantity - granted[line.line_id])
        granted[line.line_id] += more
        left -= more
        turn += 1
    return granted


def split_amount(price: Decimal, quantities: dict[int, Decimal]) -> dict[int, Decimal]:
    """Each one's amount (by key) of an order line of `price` × the sum of `quantities`, in fen, adding up to the
    line's total as the order computes it ((price × quantity) rounded to the fen): each is rounded down, and the
    fen left go one each to the largest remainders (ties: the smaller key)."""
    total = (price * sum(quantities.values(), Decimal(0))).quantize(FEN)
    exact = {key: price * qty for key, qty in quantities.items()}
    amounts = {key: value.quantize(FEN, rounding=ROUND_DOWN) for key, value in exact.items()}
    left = int((total - sum(amounts.values(), Decimal(0))) / FEN)
    for key in sorted(exact, key=lambda key: (-(exact[key] - amounts[key]), key))[:max(left, 0)]:
        amounts[key] += FEN
    return amounts
