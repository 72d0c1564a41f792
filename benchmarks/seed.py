"""Synthetic data for the benchmark, written fast: COPY on PostgreSQL, executemany batches on SQLite.

The schema comes from the migrations (`flask db upgrade`) and the counties, villages and pairings from
`flask geo load`; this module adds organisations, users, products with their opening stock entries, reserved
shares, pledges and orders straight into the tables, never through the ORM one row at a time. Column values
follow the models: money in integer fen, quantities in integer thousandths (market/types.py), enums as their
value strings, naive UTC timestamps.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import psycopg
from werkzeug.security import generate_password_hash

from benchmarks.matching import PREFIXES, PRODUCE

#: Quantities are stored in thousandths of their unit.
MILLI = 1000
#: Fast on purpose: this is a benchmark database, and 32 buyers sign in at once.
PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
BENCH_PASSWORD = "bench-pass-2020"
CITY_EMAIL = "city@bench.local"
FEDERATION_EMAIL = "federation@bench.local"
#: The ordering test's buyers, one user in each of the first budget units: buyer-01@bench.local, ...
CONCURRENT_BUYERS = 32
#: The products every buyer of the ordering test competes for (one price, minimum order one unit).
HOT_PRODUCTS = 10
HOT_PRICE_FEN = 1_000
#: Orders go back 24 months from today.
HISTORY_DAYS = 730
LINES_PER_ORDER = (1, 2, 3, 4)
MAX_UNITS_PER_LINE = 50
#: Share of orders placed by private firms (the rest by budget units).
FIRM_ORDER_SHARE = 0.2
#: Orders are generated and written in chunks of this many.
ORDER_CHUNK = 50_000
#: Rows per executemany call on SQLite.
SQLITE_BATCH = 10_000
#: (status, payment status, weight): most orders are counted (paid, accepted or completed), the rest spread
#: over every other state an order can be in.
ORDER_STATES = (
    ("completed", "paid", 60),
    ("accepted", "paid", 10),
    ("placed", "unpaid", 6),
    ("confirmed", "unpaid", 5),
    ("shipped", "unpaid", 4),
    ("delivered", "paid", 4),
    ("accepted", "unpaid", 3),
    ("rejected", "unpaid", 3),
    ("cancelled", "unpaid", 3),
    ("completed", "refunded", 2),
)
#: Listing states of the products that are not hot: most are published.
LISTING_STATES = (("published", 85), ("submitted", 5), ("draft", 5), ("returned", 5))
SUPPLIER_TYPES = ("cooperative", "enterprise", "family_farm")
#: Buyer systems with the kind of canteen their units run; `other` units are schools and hospitals.
BUYER_KINDS = (
    ("party", "agency_canteen"), ("government", "agency_canteen"), ("npc", "agency_canteen"),
    ("cppcc", "agency_canteen"), ("other", "school_canteen"), ("other", "hospital_canteen"),
)
LINKAGE_MODES = ("wage", "asset", "operating_income")
STRANDED_CAUSES = ("疫情影响运输不畅", "销售渠道中断", "产量大于往年")
#: Suggested reserved share: 15 % stored in thousandths of a percent.
RESERVED_SHARE_THOUSANDTHS = 15 * MILLI
PLEDGE_AMOUNTS_CNY = (20_000, 50_000, 100_000)
FEN_PER_CNY = 100
PRODUCT_COLUMNS = (
    "id", "supplier_id", "county_id", "name", "category", "variety", "specification", "unit", "price",
    "min_order_quantity", "households_linked", "unsold_quantity", "best_before", "linkage_mode",
    "identification_number", "identification_valid_until", "stranded", "stranded_since", "stranded_cause", "status",
    "search_text", "submitted_at", "published_at", "created_at", "updated_at",
)


# --- writers: one interface, two databases --------------------------------------------------------------------


class PostgresWriter:
    """Rows through COPY FROM STDIN, in one transaction per `finish`."""

    def __init__(self, conninfo: str):
        self.conn = psycopg.connect(conninfo)

    def query(self, sql: str, params: Sequence = ()) -> list[tuple]:
        with self.conn.cursor() as cur:
            cur.execute(sql, params)
            return cur.fetchall()

    def write(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        count = 0
        with self.conn.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                count += 1
        return count

    def finish(self, tables: Iterable[str]) -> None:
        """Move each id sequence past the ids written, commit, and refresh the planner's statistics."""
        with self.conn.cursor() as cur:
            for table in tables:
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)")
        self.conn.commit()
        self.conn.autocommit = True
        try:
            self.conn.execute("ANALYZE")
        finally:
            self.conn.autocommit = False

    def close(self) -> None:
        self.conn.close()


def _sqlite_value(value):
    # The format SQLAlchemy's SQLite types write and read back.
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return value


class SQLiteWriter:
    """Rows through executemany in batches, in one transaction per `finish`."""

    def __init__(self, path: str):
        self.conn = sqlite3.connect(path)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=OFF")  # seeding only; the app sets its own pragmas

    def query(self, sql: str, params: Sequence = ()) -> list[tuple]:
        return self.conn.execute(sql.replace("%s", "?"), params).fetchall()

    def write(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> int:
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        count, batch = 0, []
        for row in rows:
            batch.append(tuple(_sqlite_value(v) for v in row))
            if len(batch) >= SQLITE_BATCH:
                self.conn.executemany(sql, batch)
                count, batch = count + len(batch), []
        if batch:
            self.conn.executemany(sql, batch)
            count += len(batch)
        return count

    def finish(self, tables: Iterable[str]) -> None:
        self.conn.commit()
        self.conn.execute("ANALYZE")
        self.conn.commit()

    def close(self) -> None:
        self.conn.close()


# --- what is seeded -------------------------------------------------------------------------------------------


@dataclass
class Buyer:
    org_id: int
    system: str | None  # None for a private firm
    paired_county_id: int | None


@dataclass
class SupplierCatalog:
    """What the order generator needs to know of each product, indexed by product id."""

    county_of_supplier: dict[int, int] = field(default_factory=dict)
    products_of_supplier: dict[int, list[int]] = field(default_factory=dict)
    name: dict[int, str] = field(default_factory=dict)
    unit: dict[int, str] = field(default_factory=dict)
    price_fen: dict[int, int] = field(default_factory=dict)


@dataclass
class SeedSummary:
    organisations: int = 0
    users: int = 0
    products: int = 0
    order_lines: int = 0
    orders: int = 0
    #: Product id -> starting stock in thousandths, for the ordering test.
    hot_stock: dict[int, int] = field(default_factory=dict)
    #: Product id -> starting stock in thousandths, for the raw-SQL ceiling and the API ordering run.
    api_hot_stock: dict[int, int] = field(default_factory=dict)
    buyer_emails: list[str] = field(default_factory=list)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _weighted(rng: random.Random, choices: Sequence[tuple]) -> tuple:
    return rng.choices(choices, weights=[c[-1] for c in choices])[0]


class Seeder:
    """Seeds one database through a writer; `seed_base` once, then `seed_orders` up to each target."""

    def __init__(self, writer: PostgresWriter | SQLiteWriter, *, seed: int = 20200301, today: date | None = None):
        self.writer = writer
        self.rng = random.Random(seed)
        self.today = today or date.today()
        self.now = _now()
        self.catalog = SupplierCatalog()
        self.buyers: list[Buyer] = []
        self.firms: list[Buyer] = []
        self.summary = SeedSummary()

    # -- base data --

    def seed_base(self, *, suppliers: int, products: int, buyers: int, firms: int, hot_stock_units: int,
                  api_hot_stock_units: int) -> None:
        counties = self.writer.query("SELECT id, name_zh FROM counties ORDER BY sort_order, id")
        paired = dict(self.writer.query("SELECT system, county_id FROM system_pairings ORDER BY valid_from"))
        if not counties:
            raise RuntimeError("no counties: run `flask --app market geo load` first")
        org_ids = self._seed_organisations(counties, paired, suppliers, buyers, firms)
        self._seed_users(org_ids)
        self._seed_products(products, hot_stock_units, api_hot_stock_units)
        self._seed_reserved_shares()
        self._seed_pledges(counties)
        self.writer.finish(("organisations", "users", "products", "stock_entries", "reserved_shares", "pledges"))

    def _next_id(self, table: str) -> int:
        return self.writer.query(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")[0][0]

    def _seed_organisations(self, counties, paired, suppliers, buyers, firms) -> dict[str, int]:
        next_id = self._next_id("organisations")
        rows = []

        def add(name, kind, county_id=None, supplier_type=None, system=None, buyer_type=None) -> int:
            nonlocal next_id
            org_id, next_id = next_id, next_id + 1
            rows.append((org_id, name, kind, "active", county_id, supplier_type, system, buyer_type, self.now,
                         self.now))
            return org_id

        ids = {"city": add("抚顺市扶贫开发办公室（基准）", "city_office"),
               "federation": add("抚顺市工商业联合会（基准）", "federation")}
        for county_id, county_name in counties:
            add(f"{county_name}扶贫办（基准）", "county_office", county_id=county_id)
        for n in range(suppliers):
            county_id, county_name = counties[n % len(counties)]
            supplier_type = SUPPLIER_TYPES[n % len(SUPPLIER_TYPES)]
            org_id = add(f"{county_name}第{n + 1}号农民专业合作社", "supplier", county_id, supplier_type)
            self.catalog.county_of_supplier[org_id] = county_id
            self.catalog.products_of_supplier[org_id] = []
        for n in range(buyers):
            system, buyer_type = BUYER_KINDS[n % len(BUYER_KINDS)]
            org_id = add(f"市直单位第{n + 1}食堂", "buyer", system=system, buyer_type=buyer_type)
            self.buyers.append(Buyer(org_id, system, paired.get(system)))
        for n in range(firms):
            org_id = add(f"民营企业第{n + 1}号", "firm")
            self.firms.append(Buyer(org_id, None, None))
        columns = ("id", "name", "kind", "status", "county_id", "supplier_type", "buyer_system", "buyer_type",
                   "created_at", "reviewed_at")
        self.summary.organisations = self.writer.write("organisations", columns, rows)
        return ids

    def _seed_users(self, org_ids: dict[str, int]) -> None:
        password_hash = generate_password_hash(BENCH_PASSWORD, method=PASSWORD_HASH_METHOD)
        people = [(CITY_EMAIL, "市扶贫办管理员", org_ids["city"]),
                  (FEDERATION_EMAIL, "工商联管理员", org_ids["federation"])]
        if len(self.buyers) < CONCURRENT_BUYERS:
            raise ValueError(f"the ordering test needs at least {CONCURRENT_BUYERS} buyers")
        for n, buyer in enumerate(self.buyers[:CONCURRENT_BUYERS], start=1):
            email = f"buyer-{n:02d}@bench.local"
            people.append((email, f"采购员{n}", buyer.org_id))
            self.summary.buyer_emails.append(email)
        next_id = self._next_id("users")
        rows = [(next_id + i, email, name, password_hash, org_id, "manager", True, False, self.now)
                for i, (email, name, org_id) in enumerate(people)]
        columns = ("id", "email", "name", "password_hash", "organisation_id", "role", "active",
                   "must_change_password", "created_at")
        self.summary.users = self.writer.write("users", columns, rows)

    def _seed_products(self, count: int, hot_stock_units: int, api_hot_stock_units: int) -> None:
        first_id = self._next_id("products")
        supplier_ids = list(self.catalog.products_of_supplier)
        rows, stock_rows = [], []
        for n in range(count):
            product_id = first_id + n
            supplier_id = supplier_ids[n % len(supplier_ids)]
            hot = n < 2 * HOT_PRODUCTS  # the browser ordering test's, then the API run's
            product = (self._hot_product(hot_stock_units if n < HOT_PRODUCTS else api_hot_stock_units) if hot
                       else self._product())
            product.update(id=product_id, supplier_id=supplier_id, search_text=product["name"].lower(),
                           county_id=self.catalog.county_of_supplier[supplier_id],
                           created_at=self.now, updated_at=self.now)
            rows.append(tuple(product[column] for column in PRODUCT_COLUMNS))
            if hot:
                hot_stock = self.summary.hot_stock if n < HOT_PRODUCTS else self.summary.api_hot_stock
                hot_stock[product_id] = product["unsold_quantity"]
            else:
                self.catalog.products_of_supplier[supplier_id].append(product_id)
            self.catalog.name[product_id], self.catalog.unit[product_id] = product["name"], product["unit"]
            self.catalog.price_fen[product_id] = product["price"]
            if product["unsold_quantity"] > 0:
                stock = product["unsold_quantity"]
                stock_rows.append((product_id, stock, stock, "survey", "基准数据期初库存", self.now))
        self.summary.products = self.writer.write("products", PRODUCT_COLUMNS, rows)
        self.writer.write("stock_entries", ("product_id", "delta", "balance_after", "reason", "note", "created_at"),
                          stock_rows)

    def _product(self) -> dict:
        """An ordinary listing: any category, mostly published, some stranded, some spoiling, some sold out."""
        rng, today = self.rng, self.today
        category = rng.choice(tuple(PRODUCE))
        names, units = PRODUCE[category]
        unit = units[0] if rng.random() < 0.6 else rng.choice(units)
        status = _weighted(rng, LISTING_STATES)[0]
        stranded = rng.random() < 0.4
        valid_until = today + timedelta(days=rng.randint(-30, 700)) if rng.random() < 0.7 else None
        return {
            "name": rng.choice(PREFIXES) + rng.choice(names), "category": category,
            "variety": rng.choice(("一级", "特级", None)), "specification": "5 kg/箱" if unit == "box" else None,
            "unit": unit, "price": rng.randint(200, 8_000), "min_order_quantity": rng.choice((1, 5, 10, 20)) * MILLI,
            "households_linked": rng.randint(0, 50),
            "unsold_quantity": 0 if rng.random() < 0.1 else rng.randint(1, 50_000) * MILLI // 10,
            "best_before": today + timedelta(days=rng.randint(-10, 120)) if rng.random() < 0.6 else None,
            "linkage_mode": rng.choice(LINKAGE_MODES),
            "identification_number": f"FSFP{rng.randrange(10**8):08d}" if valid_until else None,
            "identification_valid_until": valid_until, "stranded": stranded,
            "stranded_since": today - timedelta(days=rng.randint(1, 180)) if stranded else None,
            "stranded_cause": rng.choice(STRANDED_CAUSES) if stranded else None, "status": status,
            "submitted_at": self.now if status in ("published", "submitted", "returned") else None,
            "published_at": self.now if status == "published" else None,
        }

    def _hot_product(self, stock_units: int) -> dict:
        """A product of the ordering test: published, on sale, known stock, minimum order one unit."""
        return {
            "name": f"热销大米{len(self.summary.hot_stock) + len(self.summary.api_hot_stock) + 1}号", "category": "grain_oil", "variety": None,
            "specification": None, "unit": "kg", "price": HOT_PRICE_FEN, "min_order_quantity": 1 * MILLI,
            "households_linked": 10, "unsold_quantity": stock_units * MILLI, "best_before": None,
            "linkage_mode": "operating_income", "identification_number": None, "identification_valid_until": None,
            "stranded": False, "stranded_since": None, "stranded_cause": None, "status": "published",
            "submitted_at": self.now, "published_at": self.now,
        }

    def _seed_reserved_shares(self) -> None:
        """Every canteen declares this year's spending and reserves the suggested share."""
        rows = [(b.org_id, self.today.year, "own", self.rng.randint(100_000, 2_000_000) * FEN_PER_CNY,
                 RESERVED_SHARE_THOUSANDTHS, self.now) for b in self.buyers]
        self.writer.write("reserved_shares", ("buyer_id", "year", "canteen_mode", "canteen_spending",
                                              "share_percent", "declared_at"), rows)

    def _seed_pledges(self, counties) -> None:
        """Every firm has a confirmed pledge for this year, some for one county."""
        start, end = date(self.today.year, 1, 1), date(self.today.year, 12, 31)
        rows = []
        for firm in self.firms:
            county_id = self.rng.choice(counties)[0] if self.rng.random() < 0.3 else None
            rows.append((firm.org_id, self.rng.choice(PLEDGE_AMOUNTS_CNY) * FEN_PER_CNY, "buy_instead_of_donate",
                         start, end, county_id, self.rng.random() < 0.5, "confirmed", self.now))
        self.writer.write("pledges", ("firm_id", "amount", "mode", "start_date", "end_date", "county_id",
                                      "show_publicly", "status", "created_at"), rows)

    # -- orders --

    def seed_orders(self, target_lines: int) -> None:
        """Add historical orders until the database holds `target_lines` seeded order lines in all."""
        while self.summary.order_lines < target_lines:
            self._write_order_chunk(target_lines - self.summary.order_lines)
        self.writer.finish(("bulk_orders", "orders", "order_lines"))

    def _write_order_chunk(self, lines_wanted: int) -> None:
        bulk_id, order_id, line_id = (self._next_id(t) for t in ("bulk_orders", "orders", "order_lines"))
        bulks, orders, lines = [], [], []
        suppliers = [s for s, products in self.catalog.products_of_supplier.items() if products]
        while len(lines) < lines_wanted and len(orders) < ORDER_CHUNK:
            buyer = self.rng.choice(self.firms if self.firms and self.rng.random() < FIRM_ORDER_SHARE
                                    else self.buyers)
            supplier_id = self.rng.choice(suppliers)
            k = min(self.rng.choice(LINES_PER_ORDER), lines_wanted - len(lines),
                    len(self.catalog.products_of_supplier[supplier_id]))
            placed_at = self._placed_at()
            order_lines, total = self._order_lines(order_id, line_id, supplier_id, k)
            status, payment, _weight = _weighted(self.rng, ORDER_STATES)
            bulks.append((bulk_id, buyer.org_id, f"seed-{bulk_id}", placed_at))
            orders.append(self._order_row(order_id, bulk_id, buyer, supplier_id, status, payment, total, placed_at))
            if status in ("accepted", "completed"):
                order_lines = [row[:-1] + (row[6],) for row in order_lines]  # received everything ordered
            lines.extend(order_lines)
            bulk_id, order_id, line_id = bulk_id + 1, order_id + 1, line_id + k
        self.writer.write("bulk_orders", ("id", "buyer_id", "client_token", "created_at"), bulks)
        self.writer.write("orders", ("id", "reference", "bulk_order_id", "buyer_id", "supplier_id", "county_id",
                                     "paired_county_id", "buyer_system", "status", "payment_status",
                                     "total_amount", "placed_at", "placed_on", "paid_at", "accepted_at",
                                     "updated_at"), orders)
        self.writer.write("order_lines", ("id", "order_id", "product_id", "product_name", "unit", "unit_price",
                                          "quantity", "line_total", "received_quantity"), lines)
        self.summary.orders += len(orders)
        self.summary.order_lines += len(lines)

    def _placed_at(self) -> datetime:
        """A time on one of the last HISTORY_DAYS days, during Shanghai office hours (02:00-10:00 UTC)."""
        day = self.today - timedelta(days=self.rng.randrange(HISTORY_DAYS))
        return datetime.combine(day, time(2)) + timedelta(minutes=self.rng.randrange(8 * 60))

    def _order_lines(self, order_id: int, first_line_id: int, supplier_id: int, k: int) -> tuple[list, int]:
        catalog = self.catalog
        rows, total = [], 0
        for i, product_id in enumerate(self.rng.sample(catalog.products_of_supplier[supplier_id], k)):
            units = self.rng.randint(1, MAX_UNITS_PER_LINE)
            price = catalog.price_fen[product_id]
            rows.append((first_line_id + i, order_id, product_id, catalog.name[product_id], catalog.unit[product_id],
                         price, units * MILLI, price * units, None))
            total += price * units
        return rows, total

    def _order_row(self, order_id, bulk_id, buyer: Buyer, supplier_id, status, payment, total, placed_at) -> tuple:
        paid_at = placed_at + timedelta(days=3) if payment != "unpaid" else None
        accepted_at = placed_at + timedelta(days=2) if status in ("accepted", "completed") else None
        return (order_id, f"BENCH-{order_id:09d}", bulk_id, buyer.org_id, supplier_id,
                self.catalog.county_of_supplier[supplier_id], buyer.paired_county_id, buyer.system, status, payment,
                total, placed_at, placed_at.date(), paid_at, accepted_at, placed_at)
