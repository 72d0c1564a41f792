"""Orders per second: concurrent buyers, each signed in with its own session, compete for ten hot products.

Each buyer repeats what a person does in the browser: POST /orders/cart/add (one hot product, 1-3 units),
GET /orders/cart for the form's one-time client_token and the prices it shows, POST /orders/place. The run ends after its time, after a
bounded number of orders per buyer, or when every hot product has been refused as sold out. Then the database
is asked: for every hot product the units sold during the run plus the units left must equal the stock it
started with, nothing may be oversold, the stock ledger must add up to the unsold quantity, and the orders in
the database must be the orders the buyers were told were placed.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import psycopg
import requests

from benchmarks.seed import MILLI
from benchmarks.web import (
    HTTP_TIMEOUT,
    cart_remove_paths,
    csrf_token,
    place_form,
    sign_in,
)

#: A bound on each buyer's loop besides the time.
MAX_ORDERS_PER_BUYER = 5_000
UNITS_PER_ORDER = (1, 2, 3)
#: Extra seconds the buyers' threads may take to finish their last order after the time is up.
FINISH_GRACE_SECONDS = 60


@dataclass
class Board:
    """What the buyers share: which hot products were refused as sold out, and the counts."""

    product_ids: list[int]
    lock: threading.Lock = field(default_factory=threading.Lock)
    sold_out: set[int] = field(default_factory=set)
    placed: int = 0
    refused_at_cart: int = 0  # the cart refused the product: sold out, or fewer units left than asked
    refused_at_place: int = 0  # another buyer took the stock between the cart and the placement
    errors: int = 0

    def pick(self, rng: random.Random) -> int | None:
        with self.lock:
            left = [p for p in self.product_ids if p not in self.sold_out]
        return rng.choice(left) if left else None

    def count(self, what: str, product_id: int | None = None) -> None:
        with self.lock:
            setattr(self, what, getattr(self, what) + 1)
            if what == "refused_at_cart" and product_id is not None:
                self.sold_out.add(product_id)


@dataclass
class StockCheck:
    """One hot product after the run, in thousandths of its unit (as stored)."""

    product_id: int
    start: int
    sold: int  # during the run
    left: int
    ledger: int  # the sum of its stock entries

    @property
    def balanced(self) -> bool:
        return self.sold + self.left == self.start and self.ledger == self.left

    @property
    def oversold(self) -> int:
        return max(self.sold - self.start, 0)

    def in_units(self) -> dict:
        return {"product_id": self.product_id, "start_units": self.start / MILLI, "sold_units": self.sold / MILLI,
                "left_units": self.left / MILLI, "ledger_units": self.ledger / MILLI, "balanced": self.balanced}


def sold_so_far(conninfo: str, product_ids: list[int]) -> dict[int, int]:
    """Thousandths of each product in order lines (seeded history included)."""
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute("SELECT product_id, coalesce(sum(quantity), 0) FROM order_lines "
                            "WHERE product_id = ANY(%s) GROUP BY product_id", (product_ids,)).fetchall()
    return {p: 0 for p in product_ids} | {p: int(q) for p, q in rows}


def _placed_in_database(conninfo: str) -> int:
    """Bulk orders placed through the site's forms (the seeded ones have client tokens seed-<id>, the API
    run's api-<run>-<client>-<n>)."""
    with psycopg.connect(conninfo) as conn:
        return conn.execute("SELECT count(*) FROM bulk_orders WHERE client_token NOT LIKE 'seed-%' "
                            "AND client_token NOT LIKE 'api-%'").fetchone()[0]


def check_stock(conninfo: str, start_stock: dict[int, int], sold_before: dict[int, int]) -> list[StockCheck]:
    ids = list(start_stock)
    sold_after = sold_so_far(conninfo, ids)
    with psycopg.connect(conninfo) as conn:
        left = dict(conn.execute("SELECT id, unsold_quantity FROM products WHERE id = ANY(%s)", (ids,)).fetchall())
        ledger = dict(conn.execute("SELECT product_id, sum(delta) FROM stock_entries WHERE product_id = ANY(%s) "
                                   "GROUP BY product_id", (ids,)).fetchall())
    return [StockCheck(product_id=p, start=start, sold=sold_after[p] - sold_before[p], left=int(left[p]),
                       ledger=int(ledger.get(p, 0)))
            for p, start in sorted(start_stock.items())]


def _clear_cart(session: requests.Session, base_url: str, cart_html: str, token: str) -> None:
    for path in cart_remove_paths(cart_html):
        session.post(base_url + path, data={"csrf_token": token}, allow_redirects=False, timeout=HTTP_TIMEOUT)


def _place_one(session: requests.Session, base_url: str, token: str, board: Board, rng: random.Random) -> bool:
    """One order: cart, form, placement. False when there is nothing left to buy."""
    product_id = board.pick(rng)
    if product_id is None:
        return False
    units = rng.choice(UNITS_PER_ORDER)
    added = session.post(f"{base_url}/orders/cart/add", allow_redirects=False, timeout=HTTP_TIMEOUT,
                         data={"csrf_token": token, "product_id": product_id, "quantity": units})
    if added.status_code != 302:
        board.count("errors")
        return True
    if "/catalog/products/" in added.headers.get("Location", ""):
        # Refused one unit: nothing is left. Refused more: maybe a unit or two are, for the next buyer.
        board.count("refused_at_cart", product_id if units == 1 else None)
        return True
    cart = session.get(f"{base_url}/orders/cart", timeout=HTTP_TIMEOUT)
    form = place_form(cart.text)
    if cart.status_code != 200 or not form.get("client_token"):
        board.count("errors")
        return True
    placed = session.post(f"{base_url}/orders/place", allow_redirects=False, timeout=HTTP_TIMEOUT,
                          data={"csrf_token": token, **form})
    if placed.status_code == 302 and "/orders/placed/" in placed.headers.get("Location", ""):
        board.count("placed")
    elif placed.status_code == 302:
        board.count("refused_at_place")
        _clear_cart(session, base_url, cart.text, token)
    else:
        board.count("errors")
    return True


def _buyer(session: requests.Session, base_url: str, board: Board, stop_at: float, seed: int) -> None:
    rng = random.Random(seed)
    token = csrf_token(session.get(f"{base_url}/orders/cart", timeout=HTTP_TIMEOUT).text)
    for _ in range(MAX_ORDERS_PER_BUYER):
        if time.monotonic() >= stop_at:
            return
        try:
            if not _place_one(session, base_url, token, board, rng):
                return
        except requests.RequestException:
            board.count("errors")


def run(base_url: str, conninfo: str, emails: list[str], password: str, start_stock: dict[int, int],
        seconds: int) -> dict:
    """Run the buyers for at most `seconds` and check the stock; returns the numbers for results.json."""
    product_ids = sorted(start_stock)
    board = Board(product_ids)
    sold_before = sold_so_far(conninfo, product_ids)
    placed_before = _placed_in_database(conninfo)
    with ThreadPoolExecutor(max_workers=len(emails)) as pool:
        sessions = list(pool.map(lambda email: sign_in(base_url, email, password), emails))
        started = time.monotonic()
        stop_at = started + seconds
        futures = [pool.submit(_buyer, s, base_url, board, stop_at, n) for n, s in enumerate(sessions)]
        for future in futures:
            future.result(timeout=seconds + FINISH_GRACE_SECONDS)
        elapsed = time.monotonic() - started
    checks = check_stock(conninfo, start_stock, sold_before)
    placed_in_db = _placed_in_database(conninfo) - placed_before
    return {
        "buyers": len(emails), "hot_products": len(product_ids), "seconds": round(elapsed, 2),
        "time_limit_seconds": seconds, "placed": board.placed, "placed_in_database": placed_in_db,
        "orders_per_second": round(board.placed / elapsed, 1) if elapsed else 0.0,
        "refused_at_cart": board.refused_at_cart, "refused_at_place": board.refused_at_place, "errors": board.errors,
        "all_sold_out": len(board.sold_out) == len(product_ids),
        "start_units": sum(c.start for c in checks) / MILLI, "sold_units": sum(c.sold for c in checks) / MILLI,
        "left_units": sum(c.left for c in checks) / MILLI, "oversold_units": sum(c.oversold for c in checks) / MILLI,
        "stock_balanced": all(c.balanced for c in checks), "placements_match": placed_in_db == board.placed,
        "products": [c.in_units() for c in checks],
    }
