"""The raw-SQL ordering ceiling: the database work of placing a one-line order, with nothing in between.

32 threads, each with its own psycopg connection, repeat for a fixed time, on the same ten products the API
ordering run then uses:

    UPDATE products SET unsold_quantity = unsold_quantity - q WHERE id = %s AND unsold_quantity >= q
        RETURNING unsold_quantity                                  -- take the stock, or nothing
    INSERT INTO stock_entries (...)                                -- the ledger entry
    INSERT INTO bench_raw_orders (...)                             -- the order
    COMMIT

The orders go into a table of their own (created here and dropped afterwards) so the product's orders are not
mixed with them; the stock and its ledger are the real ones, so the API run's stock check starts from what
this run leaves. Transactions per second of this loop are what the database allows; the API's orders per
second are reported as a share of it.
"""

from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg

from benchmarks.seed import MILLI

CONNECTIONS = 32
UNITS = 1
#: A bound on each connection's loop besides the time.
MAX_TRANSACTIONS_PER_CONNECTION = 200_000

_TAKE = ("UPDATE products SET unsold_quantity = unsold_quantity - %s, updated_at = now() "
         "WHERE id = %s AND unsold_quantity >= %s RETURNING unsold_quantity")
_LEDGER = ("INSERT INTO stock_entries (product_id, delta, balance_after, reason, note, created_at) "
           "VALUES (%s, %s, %s, 'order_reserved', 'raw-SQL ceiling', now() AT TIME ZONE 'UTC')")
_ORDER = ("INSERT INTO bench_raw_orders (buyer, product_id, quantity, amount, client_token, placed_at) "
          "VALUES (%s, %s, %s, %s, %s, now())")


def _create_table(conninfo: str) -> None:
    with psycopg.connect(conninfo) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_raw_orders")
        conn.execute("CREATE TABLE bench_raw_orders (id bigserial PRIMARY KEY, buyer integer NOT NULL, "
                     "product_id integer NOT NULL REFERENCES products (id), quantity bigint NOT NULL, "
                     "amount bigint NOT NULL, client_token varchar(64) NOT NULL UNIQUE, "
                     "placed_at timestamptz NOT NULL)")


def _drop_table(conninfo: str) -> None:
    with psycopg.connect(conninfo) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_raw_orders")


def _connection_loop(conninfo: str, buyer: int, product_ids: list[int], price_fen: int, stop_at: float,
                     counts: dict, lock: threading.Lock) -> None:
    rng = random.Random(buyer)
    done = refused = 0
    quantity = UNITS * MILLI
    with psycopg.connect(conninfo) as conn:
        for n in range(MAX_TRANSACTIONS_PER_CONNECTION):
            if time.monotonic() >= stop_at:
                break
            product_id = rng.choice(product_ids)
            with conn.transaction():
                row = conn.execute(_TAKE, (quantity, product_id, quantity)).fetchone()
                if row is None:
                    refused += 1
                    continue
                conn.execute(_LEDGER, (product_id, -quantity, row[0]))
                conn.execute(_ORDER, (buyer, product_id, quantity, UNITS * price_fen, f"raw-{buyer}-{n}"))
            done += 1
    with lock:
        counts["transactions"] += done
        counts["refused"] += refused


def run(conninfo: str, product_ids: list[int], price_fen: int, seconds: int) -> dict:
    """Run the loop on CONNECTIONS connections for `seconds`; transactions per second and the refusals."""
    _create_table(conninfo)
    counts, lock = {"transactions": 0, "refused": 0}, threading.Lock()
    try:
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
            futures = [pool.submit(_connection_loop, conninfo, buyer, product_ids, price_fen,
                                   started + seconds, counts, lock) for buyer in range(CONNECTIONS)]
            for future in futures:
                future.result(timeout=seconds + 60)
        elapsed = time.monotonic() - started
    finally:
        _drop_table(conninfo)
    return {"connections": CONNECTIONS, "products": len(product_ids), "seconds": round(elapsed, 2),
            "transactions": counts["transactions"], "refused": counts["refused"],
            "transactions_per_second": round(counts["transactions"] / elapsed, 1)}
