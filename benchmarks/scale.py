"""How much data the benchmark seeds and how long each load test runs: the full scale and `--quick`."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    suppliers: int
    products: int
    #: Order lines seeded before the first round of measurements (the totals pages are timed here first)...
    first_order_lines: int
    #: ...and the order lines seeded in all before the totals pages are timed again.
    order_lines: int
    #: Budget units with a canteen (every system) and private firms that buy.
    buyers: int
    firms: int
    #: Seconds of each wrk run, and of the concurrent ordering test.
    load_seconds: int
    ordering_seconds: int
    #: Units of stock of each hot product in the ordering test: less than the buyers take in the time on this
    #: machine (15-55 orders/s of two units on average), so the race for the last units is part of the test.
    hot_stock_units: int
    #: Units of stock of each of the ten products of the raw-SQL ceiling and the API ordering run: more than
    #: both take in their time (one unit an order), so neither is cut short by selling out.
    api_hot_stock_units: int
    #: Demands and products of the matching benchmark (pure Python, no database).
    matching_demands: int = 10_000
    matching_products: int = 100_000

    def as_dict(self) -> dict:
        return asdict(self)


FULL = Scale(
    name="full", suppliers=2_000, products=100_000, first_order_lines=100_000, order_lines=1_000_000,
    buyers=400, firms=100, load_seconds=10, ordering_seconds=15, hot_stock_units=50,
    api_hot_stock_units=20_000,
)

QUICK = Scale(
    name="quick", suppliers=200, products=10_000, first_order_lines=10_000, order_lines=100_000,
    buyers=60, firms=20, load_seconds=3, ordering_seconds=6, hot_stock_units=15,
    api_hot_stock_units=10_000,
)

#: The SQLite row is always seeded at the quick scale (the brief: one file database, a few seconds to seed).
SQLITE = QUICK
