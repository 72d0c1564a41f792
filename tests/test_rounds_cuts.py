"""Sharing a product's last units among a round's sign-up lines, and splitting an order line's amount among the
people it serves: pure functions, no database (market/rounds/cuts.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal as D

import pytest

from market.rounds.cuts import Asked, grant, split_amount, step_of
from market.rounds.models import Fairness

T0 = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)
BOTH = [Fairness.FIRST_COME, Fairness.PRO_RATA]


def lines(*quantities, times=None):
    """Lines 1, 2, 3… asking these quantities, queued a minute apart (or at `times`, minutes after T0)."""
    times = times or range(len(quantities))
    return [Asked(n, D(str(q)), T0 + timedelta(minutes=t)) for n, (q, t) in enumerate(zip(quantities, times), 1)]


def check_invariants(available, asked, granted):
    assert set(granted) == {line.line_id for line in asked}
    assert all(D(0) <= granted[line.line_id] <= line.quantity for line in asked)
    assert sum(granted.values()) == min(max(D(available), D(0)), sum(line.quantity for line in asked))


@pytest.mark.parametrize("fairness", BOTH)
def test_enough_stock_grants_everyone_what_they_asked(fairness):
    asked = lines(5, 3, 2)
    assert grant(D(10), asked, fairness) == {1: D(5), 2: D(3), 3: D(2)}  # exactly enough
    assert grant(D(100), asked, fairness) == {1: D(5), 2: D(3), 3: D(2)}


@pytest.mark.parametrize("fairness", BOTH)
def test_nothing_left_grants_nothing(fairness):
    asked = lines(5, 3)
    assert grant(D(0), asked, fairness) == {1: D(0), 2: D(0)}
    assert grant(D(-1), asked, fairness) == {1: D(0), 2: D(0)}  # never below zero


@pytest.mark.parametrize("fairness", BOTH)
def test_one_line_gets_what_is_left(fairness):
    assert grant(D(3), lines(5), fairness) == {1: D(3)}


@pytest.mark.parametrize("fairness", BOTH)
def test_no_lines(fairness):
    assert grant(D(3), [], fairness) == {}


def test_first_come_serves_the_queue_in_order():
    asked = lines(4, 4, 4, times=[2, 0, 1])  # line 2 came first, then 3, then 1
    assert grant(D(6), asked, Fairness.FIRST_COME) == {2: D(4), 3: D(2), 1: D(0)}


def test_first_come_ties_go_to_the_smaller_line_id():
    asked = lines(4, 4, times=[0, 0])
    assert grant(D(5), asked, Fairness.FIRST_COME) == {1: D(4), 2: D(1)}


def test_pro_rata_shares_in_proportion_rounded_down_to_whole_units():
    # 10 for 20 asked: each half of what they asked, rounded down to whole bags; the bag left to the queue's first.
    asked = lines(9, 7, 4)
    granted = grant(D(10), asked, Fairness.PRO_RATA)
    assert granted == {1: D(5), 2: D(3), 3: D(2)}  # 4.5→4 +1, 3.5→3, 2
    check_invariants(10, asked, granted)


def test_pro_rata_leftover_steps_go_in_queue_order():
    asked = lines(3, 3, 3, times=[2, 1, 0])  # line 3 queued first, then 2
    granted = grant(D(5), asked, Fairness.PRO_RATA)  # 1.67 each → 1 each, 2 left: to 3 then 2
    assert granted == {3: D(2), 2: D(2), 1: D(1)}


def test_pro_rata_in_thousandths_when_an_asked_quantity_is_not_whole():
    asked = lines("2.5", "1", "1")
    assert step_of(asked) == D("0.001")
    granted = grant(D(2), asked, Fairness.PRO_RATA)
    assert granted == {1: D("1.112"), 2: D("0.444"), 3: D("0.444")}  # 1.1111…, 0.4444…; 0.001 to the first
    check_invariants(2, asked, granted)


def test_pro_rata_a_part_smaller_than_a_step_still_goes_to_someone():
    asked = lines(4, 4)  # whole kilos asked, 5.5 kg left: the half kilo is not lost
    granted = grant(D("5.5"), asked, Fairness.PRO_RATA)
    assert granted == {1: D("3"), 2: D("2.5")}  # 2 each, a step to the first, the half to the next
    check_invariants("5.5", asked, granted)


@pytest.mark.parametrize("fairness", BOTH)
@pytest.mark.parametrize("available", ["0", "1", "7", "7.5", "13", "19.999", "20", "25"])
def test_never_more_than_asked_nor_available_and_all_that_can_be(fairness, available):
    asked = lines(1, "2.25", 5, 3, "8.75", times=[3, 0, 0, 4, 1])
    check_invariants(available, asked, grant(D(available), asked, fairness))


def test_split_amount_adds_up_to_the_order_line_to_the_fen():
    # ¥3.33 × 0.5 each: 1.665 apiece; the order line is 3.33 × 1.5 = 4.995 → ¥5.00 (half-even to the fen).
    amounts = split_amount(D("3.33"), {1: D("0.5"), 2: D("0.5"), 3: D("0.5")})
    assert sum(amounts.values()) == (D("3.33") * D("1.5")).quantize(D("0.01"))
    assert sorted(amounts.values()) == [D("1.66"), D("1.67"), D("1.67")]
    assert split_amount(D("45.00"), {1: D(2), 2: D(0)}) == {1: D("90.00"), 2: D("0.00")}
    assert split_amount(D("45.00"), {}) == {}
