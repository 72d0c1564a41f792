"""`make bench`: seed synthetic data, serve it with gunicorn as in production, load it, and report.

    python -m benchmarks.run [--quick] [--update-readme] [--keep] [--pg-admin-url URL]

1. PostgreSQL database `market_bench` (dropped and recreated; schema from the migrations, Fushun from
   `flask geo load`), seeded by COPY: suppliers, products, order lines (scale.py: full or --quick).
2. gunicorn, 4 workers, `benchmarks.ceiling:create_app()` (the production app plus a bare ceiling page), and
   for a moment `benchmarks.bare:create_app()` (a minimal Flask app, a page of the catalog's size from memory).
3. wrk against both ceilings and a county catalog page (16 and 64 connections); 32 buyers ordering ten hot
   products at once through the browser's forms, then the stock checked in the database; the raw-SQL ordering
   ceiling (benchmarks/raw_ordering.py), then 32 API clients ordering (benchmarks/api_ordering.py) and the
   stock checked again; a two-character search over all products (benchmarks/search.py); the totals pages
   timed and their SQL statements counted, then more order lines seeded and the same again; matching timed
   (benchmarks/matching.py).
4. The same ceiling/catalog measurement on an SQLite file seeded at the quick scale.
5. benchmarks/results.json and a Markdown table (README.md's with --update-readme); the databases are dropped
   unless --keep.

Load goes to 127.0.0.1 only; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import requests

from benchmarks import (
    api_ordering,
    databases,
    ordering,
    raw_ordering,
    report,
    search,
    totals,
    wrk,
)
from benchmarks.bare import BARE_PATH, PAGE_BYTES_VARIABLE
from benchmarks.ceiling import CEILING_PATH
from benchmarks.databases import Database
from benchmarks.scale import FULL, QUICK, SQLITE, Scale
from benchmarks.seed import (
    BENCH_PASSWORD,
    HOT_PRICE_FEN,
    PostgresWriter,
    Seeder,
    SQLiteWriter,
)
from benchmarks.server import WORKERS, Gunicorn
from config import ROOT

CATALOG_COUNTY = "qingyuan"
#: The catalog page measured: filtered, sorted, 50 products per page (as the issue asks).
CATALOG_PATH = f"/catalog/{CATALOG_COUNTY}?sort=urgent&in_stock=1&per_page=50"
CEILING_CONNECTIONS = 16
CATALOG_CONNECTIONS = (16, 64)
MATCHING_SEED = 20200301  # the default of benchmarks/matching.py
RESULTS_PATH = ROOT / "benchmarks" / "results.json"
README_PATH = ROOT / "README.md"

_started = time.monotonic()


def log(message: str) -> None:
    print(f"[bench {time.monotonic() - _started:6.1f}s] {message}", file=sys.stderr, flush=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small scale, short runs (about a minute)")
    parser.add_argument("--update-readme", action="store_true", help="rewrite the table in README.md")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases afterwards")
    parser.add_argument("--pg-admin-url", default=os.environ.get("BENCH_PG_ADMIN_URL",
                                                                 databases.DEFAULT_PG_ADMIN_URL),
                        help="a PostgreSQL database to connect to for creating and dropping market_bench")
    return parser.parse_args(argv)


# --- measurements ---------------------------------------------------------------------------------------------


def _seed(seeder: Seeder, scale: Scale) -> None:
    seeder.seed_base(suppliers=scale.suppliers, products=scale.products, buyers=scale.buyers, firms=scale.firms,
                     hot_stock_units=scale.hot_stock_units, api_hot_stock_units=scale.api_hot_stock_units)
    seeder.seed_orders(scale.first_order_lines)


def _describe(kind: str, scale: Scale, seeder: Seeder, county_products: int) -> str:
    """What a row was measured on, e.g. "PostgreSQL, 100k products (14,286 in qingyuan), full scale"."""
    return (f"{kind}, {report.short(scale.products)} products ({county_products:,} in {CATALOG_COUNTY}), "
            f"{report.short(seeder.summary.order_lines)} order lines, {scale.name} scale")


def _county_products(writer) -> int:
    count = writer.query("SELECT count(*) FROM products p JOIN counties c ON c.id = p.county_id "
                         "WHERE c.code = %s", (CATALOG_COUNTY,))[0][0]
    writer.conn.commit()  # no transaction left open while the server is under load
    return count


def _measure(url: str, connections: int, seconds: int) -> wrk.LoadResult:
    requests.get(url, timeout=30).raise_for_status()
    wrk.warm_up(url, connections)
    log(f"wrk {url} ({connections} connections, {seconds} s)")
    return wrk.run(url, connections, seconds)


def measure_bare(env: dict[str, str], log_path: Path, page_bytes: int, seconds: int) -> wrk.LoadResult:
    """The bare-Flask ceiling at this page size, served alone with the app's gunicorn settings."""
    with Gunicorn({**env, PAGE_BYTES_VARIABLE: str(page_bytes)}, log_path, app="benchmarks.bare:create_app()",
                  ready_path=BARE_PATH) as bare:
        return _measure(bare.base_url + BARE_PATH, CEILING_CONNECTIONS, seconds)


def measure_catalog(base_url: str, env: dict[str, str], log_path: Path, seconds: int) -> dict:
    """Requests per second of the two ceilings and of the catalog page (as a visitor), and its latency."""
    catalog_url = base_url + CATALOG_PATH
    page_bytes = len(requests.get(catalog_url, timeout=30).content)
    bare = measure_bare(env, log_path, page_bytes, seconds)
    ceiling = _measure(base_url + CEILING_PATH, CEILING_CONNECTIONS, seconds)
    catalog = {str(c): _measure(catalog_url, c, seconds) for c in CATALOG_CONNECTIONS}
    return {
        "catalog_path": CATALOG_PATH,
        "page_bytes": page_bytes,
        "bare": bare.as_dict(),
        "ceiling": ceiling.as_dict(),
        "catalog": {c: result.as_dict() for c, result in catalog.items()},
        "catalog_to_bare": round(catalog["16"].requests_per_second / bare.requests_per_second, 3),
        "catalog_to_ceiling": round(catalog["16"].requests_per_second / ceiling.requests_per_second, 3),
    }


def measure_api_ordering(base_url: str, conninfo: str, seeder: Seeder, seconds: int) -> dict:
    """The raw-SQL ceiling, then the API on the same products; the API's rate as a share of the ceiling."""
    product_ids = sorted(seeder.summary.api_hot_stock)
    log(f"raw-SQL ordering ceiling: {raw_ordering.CONNECTIONS} connections for {seconds} s")
    raw = raw_ordering.run(conninfo, product_ids, HOT_PRICE_FEN, seconds)
    log(f"API ordering: {len(seeder.summary.buyer_emails)} clients for {seconds} s")
    api = api_ordering.run(base_url, conninfo, seeder.summary.buyer_emails, BENCH_PASSWORD, product_ids, seconds)
    share = api["orders_per_second"] / raw["transactions_per_second"] if raw["transactions_per_second"] else 0.0
    return {"raw_sql": raw, "api": api, "api_to_raw_sql": round(share, 3)}


def measure_totals(base_url: str, database: Database, secret_key: str) -> dict:
    return {"seconds": totals.time_pages(base_url), "statements": totals.count_statements(database, secret_key)}


def measure_matching(scale: Scale) -> dict:
    """`match_all` of benchmarks/matching.py on its own generated data; only the call is timed."""
    from benchmarks.matching import TODAY, make_candidates, make_demands, match_all

    rng = random.Random(MATCHING_SEED)
    candidates = make_candidates(rng, scale.matching_products)
    demands = make_demands(rng, scale.matching_demands)
    started = time.perf_counter()
    match_all(demands, candidates, TODAY)
    return {"demands": scale.matching_demands, "products": scale.matching_products,
            "seconds": round(time.perf_counter() - started, 3)}


# --- the two databases ----------------------------------------------------------------------------------------


def run_postgresql(scale: Scale, args, secret_key: str, workdir: Path, results: dict) -> None:
    log("PostgreSQL: recreating market_bench, migrating, loading Fushun")
    database = databases.recreate_postgres(args.pg_admin_url)
    databases.prepare_schema(database, secret_key)
    writer = PostgresWriter(database.direct)
    try:
        seeder = Seeder(writer)
        log(f"PostgreSQL: seeding {scale.products:,} products, {scale.first_order_lines:,} order lines (COPY)")
        started = time.monotonic()
        _seed(seeder, scale)
        results["seeding"]["postgresql_first_seconds"] = round(time.monotonic() - started, 1)
        data = _describe("PostgreSQL", scale, seeder, _county_products(writer))
        env = databases.app_environment(database, secret_key)
        with Gunicorn(env, workdir / "gunicorn-postgresql.log") as server:
            results["postgresql"] = {"data": data, **measure_catalog(server.base_url, env, workdir / "bare.log",
                                                                     scale.load_seconds)}
            log(f"ordering: {len(seeder.summary.buyer_emails)} buyers for {scale.ordering_seconds} s at most")
            results["ordering"] = ordering.run(server.base_url, database.direct, seeder.summary.buyer_emails,
                                               BENCH_PASSWORD, seeder.summary.hot_stock, scale.ordering_seconds)
            results["api_ordering"] = measure_api_ordering(server.base_url, database.direct, seeder,
                                                           scale.load_seconds)
            log(f"search: {len(search.WORDS)} two-character words over {scale.products:,} products")
            results["search"] = {"data": data, **search.run(server.base_url)}
            log(f"totals pages at {seeder.summary.order_lines:,} order lines")
            first = measure_totals(server.base_url, database, secret_key)
            log(f"PostgreSQL: seeding up to {scale.order_lines:,} order lines (COPY)")
            started = time.monotonic()
            seeder.seed_orders(scale.order_lines)
            results["seeding"]["postgresql_second_seconds"] = round(time.monotonic() - started, 1)
            log(f"totals pages at {seeder.summary.order_lines:,} order lines")
            second = measure_totals(server.base_url, database, secret_key)
        results["totals"] = {
            "order_lines": [scale.first_order_lines, scale.order_lines],
            "seconds": {page: [first["seconds"][page], second["seconds"][page]] for page in totals.PAGES},
            "statements": {page: [first["statements"][page], second["statements"][page]] for page in totals.PAGES},
        }
    finally:
        writer.close()


def run_sqlite(scale: Scale, secret_key: str, workdir: Path, results: dict) -> None:
    log("SQLite: migrating, loading Fushun")
    database = databases.new_sqlite(workdir)
    databases.prepare_schema(database, secret_key)
    writer = SQLiteWriter(database.direct)
    try:
        seeder = Seeder(writer)
        log(f"SQLite: seeding {SQLITE.products:,} products, {SQLITE.order_lines:,} order lines (executemany)")
        started = time.monotonic()
        _seed(seeder, SQLITE)
        seeder.seed_orders(SQLITE.order_lines)
        results["seeding"]["sqlite_seconds"] = round(time.monotonic() - started, 1)
        data = _describe("SQLite file", SQLITE, seeder, _county_products(writer))
    finally:
        writer.close()
    env = databases.app_environment(database, secret_key)
    with Gunicorn(env, workdir / "gunicorn-sqlite.log") as server:
        results["sqlite"] = {"data": data, **measure_catalog(server.base_url, env, workdir / "bare.log",
                                                             scale.load_seconds)}


# --- main -----------------------------------------------------------------------------------------------------


def new_results(scale: Scale, args) -> dict:
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "quick": args.quick,
        "complete": False,
        "scale": scale.as_dict(),
        "sqlite_scale": SQLITE.as_dict(),
        "machine": {
            "cpu_count": os.cpu_count(), "workers": WORKERS, "load_average_start": os.getloadavg(),
            "python": platform.python_version(), "platform": platform.platform(),
            "postgresql": databases.postgres_version(args.pg_admin_url),
        },
        "seeding": {},
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scale = QUICK if args.quick else FULL
    if not wrk.available():
        sys.exit("wrk is not installed: apt-get install -y wrk")
    results = new_results(scale, args)
    secret_key = databases.new_secret_key()
    workdir = Path(tempfile.mkdtemp(prefix="market-bench-"))
    try:
        run_postgresql(scale, args, secret_key, workdir, results)
        log(f"matching: {scale.matching_demands:,} demands × {scale.matching_products:,} products")
        results["matching"] = measure_matching(scale)
        run_sqlite(scale, secret_key, workdir, results)
        results["complete"] = True
    finally:
        results["machine"]["load_average_end"] = os.getloadavg()
        results["total_seconds"] = round(time.monotonic() - _started, 1)
        report.write_json(results, RESULTS_PATH)
        if args.keep:
            log(f"kept: PostgreSQL database {databases.PG_DATABASE}, SQLite file and logs in {workdir}")
        else:
            databases.drop_postgres(args.pg_admin_url)
            shutil.rmtree(workdir, ignore_errors=True)
    table = report.markdown_table(results)
    print(table)
    if args.update_readme:
        report.update_readme(README_PATH, table)
        log(f"README.md updated; results in {RESULTS_PATH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
