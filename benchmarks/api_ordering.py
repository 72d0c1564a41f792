"""Orders per second through the API: `POST /api/v1/orders`, 32 clients, one line each, ten hot products.

Each client is a buyer of its own (a bearer token from `POST /api/v1/tokens`) on a connection of its own:
wrk with one thread per connection and a Lua script that sends a new client token with every order and
counts the answers (201 placed, 200 the same token again, 409 refused, anything else a failure). The
products are the ones the raw-SQL ceiling (benchmarks/raw_ordering.py) ran on, with stock enough for the run,
so the rate is not cut short by selling out. Afterwards the database is asked, as in benchmarks/ordering.py:
for every product the units sold during the run plus the units left equal the stock it started with, nothing
is oversold, and the stock ledger adds up to the unsold quantity.
"""

from __future__ import annotations

import re
import secrets
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import requests

from benchmarks import ordering, wrk
from benchmarks.web import HTTP_TIMEOUT

ORDERS_PATH = "/api/v1/orders"
TOKENS_PATH = "/api/v1/tokens"
#: Seconds of load before the measured run (its orders are placed and counted in the stock it starts from).
WARM_UP_SECONDS = 1
IN_FLIGHT_SECONDS = 2

_SCRIPT = """
local tokens = {%(tokens)s}
local products = {%(products)s}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("number", #threads)
end

function init(args)
  created, replayed, refused, failed, sequence = 0, 0, 0, 0, 0
  math.randomseed(number)
end

function request()
  sequence = sequence + 1
  local body = string.format('{"client_token":"%(run)s-%%d-%%d","lines":[{"product_id":%%d,"quantity":1}]}',
                             number, sequence, products[math.random(#products)])
  return wrk.format("POST", "%(path)s", {["Content-Type"] = "application/json",
                                         ["Authorization"] = "Bearer " .. tokens[(number - 1) %% #tokens + 1]}, body)
end

function response(status, headers, body)
  if status == 201 then created = created + 1
  elseif status == 200 then replayed = replayed + 1
  elseif status == 409 then refused = refused + 1
  else failed = failed + 1 end
end

function done(summary, latency, requests)
  local totals = {created = 0, replayed = 0, refused = 0, failed = 0}
  for _, thread in ipairs(threads) do
    for name, _ in pairs(totals) do totals[name] = totals[name] + thread:get(name) end
  end
  io.write(string.format("ANSWERS created=%%d replayed=%%d refused=%%d failed=%%d\\n",
                         totals.created, totals.replayed, totals.refused, totals.failed))
end
"""
_ANSWERS = re.compile(r"ANSWERS created=(\d+) replayed=(\d+) refused=(\d+) failed=(\d+)")


def bearer_tokens(base_url: str, emails: list[str], password: str) -> list[str]:
    tokens = []
    for email in emails:
        answer = requests.post(base_url + TOKENS_PATH, json={"email": email, "password": password},
                               timeout=HTTP_TIMEOUT)
        if answer.status_code != 201:
            raise RuntimeError(f"POST {TOKENS_PATH} as {email} answered {answer.status_code}: {answer.text[:300]}")
        tokens.append(answer.json()["token"])
    return tokens


def _load(base_url: str, tokens: list[str], product_ids: list[int], seconds: int, workdir: Path) -> dict:
    """One wrk run, one thread and connection per token; the answers counted and the latency."""
    script = workdir / f"api-orders-{secrets.token_hex(4)}.lua"
    script.write_text(_SCRIPT % {"tokens": ", ".join(f'"{t}"' for t in tokens),
                                 "products": ", ".join(str(p) for p in product_ids),
                                 "run": f"api-{secrets.token_hex(4)}", "path": ORDERS_PATH})
    connections = len(tokens)
    command = ["wrk", f"-t{connections}", f"-c{connections}", f"-d{seconds}s", "--latency",
               "--timeout", wrk.REQUEST_TIMEOUT, "-s", str(script), base_url + ORDERS_PATH]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + wrk.GRACE_SECONDS,
                          check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr}")
    answers = _ANSWERS.search(done.stdout)
    if answers is None:
        raise RuntimeError(f"no answer counts in wrk's output:\n{done.stdout}")
    created, replayed, refused, failed = (int(n) for n in answers.groups())
    load = wrk.parse(done.stdout, base_url + ORDERS_PATH, connections)
    return {"load": load, "created": created, "replayed": replayed, "refused": refused, "failed": failed}


def _stock(conninfo: str, product_ids: list[int]) -> dict[int, int]:
    with psycopg.connect(conninfo) as conn:
        return dict(conn.execute("SELECT id, unsold_quantity FROM products WHERE id = ANY(%s)",
                                 (product_ids,)).fetchall())


def _api_orders_in_database(conninfo: str) -> int:
    with psycopg.connect(conninfo) as conn:
        return conn.execute("SELECT count(*) FROM bulk_orders WHERE client_token LIKE 'api-%'").fetchone()[0]


def run(base_url: str, conninfo: str, emails: list[str], password: str, product_ids: list[int],
        seconds: int) -> dict:
    """Warm up, then measure for `seconds`; the numbers for results.json."""
    tokens = bearer_tokens(base_url, emails, password)
    with tempfile.TemporaryDirectory(prefix="market-bench-api-") as workdir:
        _load(base_url, tokens, product_ids, WARM_UP_SECONDS, Path(workdir))
        time.sleep(IN_FLIGHT_SECONDS)  # the warm-up's last orders commit before the starting stock is read
        start_stock = _stock(conninfo, product_ids)
        sold_before = ordering.sold_so_far(conninfo, product_ids)
        in_database_before = _api_orders_in_database(conninfo)
        measured = _load(base_url, tokens, product_ids, seconds, Path(workdir))
    time.sleep(IN_FLIGHT_SECONDS)  # likewise the measured run's, before the check
    checks = ordering.check_stock(conninfo, start_stock, sold_before)
    in_database = _api_orders_in_database(conninfo) - in_database_before
    load = measured["load"]
    return {
        "clients": len(tokens), "hot_products": len(product_ids), "seconds": round(load.seconds, 2),
        "placed": measured["created"], "replayed": measured["replayed"], "refused": measured["refused"],
        "failed": measured["failed"],
        "orders_per_second": round(measured["created"] / load.seconds, 1) if load.seconds else 0.0,
        "p50_ms": load.p50_ms, "p99_ms": load.p99_ms,
        # wrk stops counting at the end of its time while up to one request per connection is still being
        # served: those orders are placed but their answers are not counted.
        "placed_in_database": in_database,
        "placements_match": measured["created"] <= in_database <= measured["created"] + len(tokens),
        "start_units": sum(c.start for c in checks) / ordering.MILLI,
        "sold_units": sum(c.sold for c in checks) / ordering.MILLI,
        "left_units": sum(c.left for c in checks) / ordering.MILLI,
        "oversold_units": sum(c.oversold for c in checks) / ordering.MILLI,
        "stock_balanced": all(c.balanced for c in checks),
    }
