"""results.json, the Markdown table made from it, and the table in README.md's "Benchmark" section."""

from __future__ import annotations

import json
from pathlib import Path

README_START = "<!-- bench:start -->"
README_END = "<!-- bench:end -->"

#: The targets of the brief (issues 9 and 15).
TARGET_CATALOG_RATIO = 0.5  # of the bare-Flask ceiling
TARGET_API_TO_RAW_SQL = 0.2
TARGET_P99_MS_AT_16 = 100.0
TARGET_MATCHING_SECONDS = 2.0
TARGET_TOTALS_SECONDS = 1.0


def write_json(results: dict, path: Path) -> None:
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


# --- verdicts: met, or how far from the target -----------------------------------------------------------------


def at_least(value: float, target: float, number: str = "{:.2f}") -> str:
    if value >= target:
        return f"met (+{number.format(value - target)})"
    return f"**not met**: {number.format(target - value)} short"


def below(value: float, target: float, unit: str) -> str:
    if value < target:
        return f"met ({target - value:,.1f} {unit} under)"
    return f"**not met**: {value - target:,.1f} {unit} over"


def equal(first: int, second: int) -> str:
    if first == second:
        return "met"
    return f"**not met**: {second - first:+d} statements at the larger scale"


# --- the table ------------------------------------------------------------------------------------------------


def _n(value: float) -> str:
    return f"{value:,.0f}"


def short(count: int) -> str:
    """1,000,000 -> 1M, 100,000 -> 100k, 1,450 -> 1,450."""
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if count >= size and count % size == 0:
            return f"{count // size}{suffix}"
    return f"{count:,}"


def _row(measure: str, data: str, result: str, target: str = "—", verdict: str = "—") -> str:
    return f"| {measure} | {data} | {result} | {target} | {verdict} |"


def _load_rows(section: dict) -> list[str]:
    """Ceiling, catalog, their ratio and the catalog's latency on one database (named in `data`)."""
    data = section["data"]
    bare, ceiling = section["bare"], section["ceiling"]
    c16, c64 = section["catalog"]["16"], section["catalog"]["64"]
    ratio = section["catalog_to_bare"]
    errors = bare["errors"] + ceiling["errors"] + c16["errors"] + c64["errors"]
    rows = [
        _row(f"Bare-Flask ceiling: minimal Flask app, a {section['page_bytes'] / 1000:.0f} kB page (the catalog's "
             "size) from memory (16 connections)", "no database", f"{_n(bare['requests_per_second'])} req/s"),
        _row("App ceiling: the app's bare page on the base template, no query (16 connections)", data,
             f"{_n(ceiling['requests_per_second'])} req/s"),
        _row(f"Catalog page `{section['catalog_path']}` for a visitor (16 connections)", data,
             f"{_n(c16['requests_per_second'])} req/s"),
        _row("Catalog ÷ bare-Flask ceiling", data, f"{ratio:.2f}", f"≥ {TARGET_CATALOG_RATIO}",
             at_least(ratio, TARGET_CATALOG_RATIO)),
        _row("Catalog ÷ app ceiling", data, f"{section['catalog_to_ceiling']:.2f}"),
        _row("Catalog latency, 16 connections", data,
             f"p50 {c16['p50_ms']:.1f} ms, p99 {c16['p99_ms']:.1f} ms", f"p99 < {TARGET_P99_MS_AT_16:.0f} ms",
             below(c16["p99_ms"], TARGET_P99_MS_AT_16, "ms")),
        _row("Catalog latency, 64 connections", data,
             f"p50 {c64['p50_ms']:.1f} ms, p99 {c64['p99_ms']:.1f} ms ({_n(c64['requests_per_second'])} req/s)"),
    ]
    if errors:
        rows.append(_row("Failed requests during these load runs", data, _n(errors), "0",
                         "**not met**"))
    return rows


def _ordering_row(ordering: dict, data: str) -> str:
    result = (f"{ordering['orders_per_second']:.1f} orders/s ({ordering['placed']} placed in "
              f"{ordering['seconds']:.1f} s; {ordering['refused_at_place']} refused at placement, "
              f"{ordering['refused_at_cart']} at the cart as sold out, {ordering['errors']} errors). "
              f"Stock {ordering['start_units']:g} units = {ordering['sold_units']:g} sold + "
              f"{ordering['left_units']:g} left"
              f"{' (all sold out before the time was up)' if ordering['all_sold_out'] else ''}; "
              f"oversold {ordering['oversold_units']:g}")
    ok = ordering["oversold_units"] == 0 and ordering["stock_balanced"] and ordering["placements_match"]
    verdict = "met" if ok else "**not met**: see results.json"
    return _row(f"Ordering: {ordering['buyers']} buyers, own sessions, {ordering['hot_products']} hot products",
                data, result, "oversold 0; sold + left = stock", verdict)


def _api_ordering_rows(measured: dict, data: str) -> list[str]:
    raw, api, share = measured["raw_sql"], measured["api"], measured["api_to_raw_sql"]
    ok = api["oversold_units"] == 0 and api["stock_balanced"] and api["placements_match"] and not api["failed"]
    return [
        _row(f"Raw-SQL ordering ceiling: conditional UPDATE + ledger INSERT + order INSERT, psycopg, "
             f"{raw['connections']} connections, {raw['products']} products", data,
             f"{_n(raw['transactions_per_second'])} transactions/s ({raw['transactions']:,} in "
             f"{raw['seconds']:.1f} s, {raw['refused']} refused)"),
        _row(f"Ordering through `POST /api/v1/orders`: {api['clients']} clients, one line each, "
             f"{api['hot_products']} products", data,
             f"{api['orders_per_second']:.1f} orders/s ({api['placed']:,} placed in {api['seconds']:.1f} s, "
             f"{api['refused']} refused, {api['failed']} failed; p50 {api['p50_ms']:.1f} ms, "
             f"p99 {api['p99_ms']:.1f} ms). Stock {api['start_units']:g} units = {api['sold_units']:g} sold + "
             f"{api['left_units']:g} left; oversold {api['oversold_units']:g}",
             "oversold 0; sold + left = stock", "met" if ok else "**not met**: see results.json"),
        _row("API ordering ÷ raw-SQL ceiling", data, f"{share:.1%}", f"≥ {TARGET_API_TO_RAW_SQL:.0%}",
             at_least(share, TARGET_API_TO_RAW_SQL, "{:.1%}")),
    ]


def _search_row(measured: dict) -> str:
    matched = measured["matched"]
    found = sum(1 for n in matched.values() if n)
    return _row(f"Two-character Chinese search over all counties, `{measured['path']}?q=…`: first request per "
                f"word, {measured['words']} words", measured["data"],
                f"median {measured['median_ms']:.0f} ms, slowest {measured['max_ms']:.0f} ms "
                f"({measured['slowest_word']}); {found} of {measured['words']} words find products "
                f"(e.g. 大米 {matched.get('大米') or 0:,}, 蘑菇 {matched.get('蘑菇') or 0:,})")


def _totals_rows(totals: dict) -> list[str]:
    small, large = totals["order_lines"]
    data_growth = large / small
    data = f"PostgreSQL, {short(small)} → {short(large)} order lines"
    rows = []
    for name, path in (("city", "/reports/city"), ("federation", "/reports/federation")):
        first, second = totals["seconds"][name]
        statements = totals["statements"][name]
        growth = second / first
        if second >= TARGET_TOTALS_SECONDS:
            verdict = f"**not met**: {second - TARGET_TOTALS_SECONDS:.3f} s over at the larger scale"
        elif growth > data_growth:
            verdict = f"**not met**: grows ×{growth:.1f}, faster than the data (×{data_growth:.0f})"
        else:
            verdict = f"met ({TARGET_TOTALS_SECONDS - second:.3f} s under; ×{growth:.1f} ≤ ×{data_growth:.0f})"
        rows.append(_row(f"`{path}`: one request after a warm-up", data,
                         f"{first:.3f} s → {second:.3f} s (×{growth:.1f} for ×{data_growth:.0f} data)",
                         f"< {TARGET_TOTALS_SECONDS:.0f} s at the larger scale, growing no faster than the data",
                         verdict))
        rows.append(_row(f"`{path}`: SQL statements per request", data, f"{statements[0]} → {statements[1]}",
                         "equal at both scales", equal(*statements)))
    return rows


def _matching_row(matching: dict) -> str:
    return _row("Matching (`match_all`, pure Python)",
                f"in memory, {short(matching['demands'])} demands × {short(matching['products'])} products",
                f"{matching['seconds']:.2f} s", f"< {TARGET_MATCHING_SECONDS:.0f} s",
                below(matching["seconds"], TARGET_MATCHING_SECONDS, "s"))


def markdown_table(results: dict) -> str:
    machine = results["machine"]
    lines = [
        (f"Measured {results['date']} with `make bench{' BENCH_ARGS=--quick' if results['quick'] else ''}` "
        f"({results['scale']['name']} scale) on {machine['cpu_count']} CPUs shared by wrk, gunicorn "
        f"({machine['workers']} sync workers) and the database; load average "
        f"{machine['load_average_start'][0]:.1f} at the start, {machine['load_average_end'][0]:.1f} at the end. "
        f"Run took {results['total_seconds']:.0f} s."),
        "",
        "| Measure | Data | Result | Target | Verdict |",
        "| --- | --- | --- | --- | --- |",
    ]
    lines += _load_rows(results["postgresql"])
    lines.append(_ordering_row(results["ordering"], results["postgresql"]["data"]))
    lines += _api_ordering_rows(results["api_ordering"], results["postgresql"]["data"])
    lines.append(_search_row(results["search"]))
    lines += _totals_rows(results["totals"])
    lines.append(_matching_row(results["matching"]))
    lines += _load_rows(results["sqlite"])
    return "\n".join(lines)


def update_readme(readme: Path, table: str) -> None:
    text = readme.read_text()
    if README_START not in text or README_END not in text:
        raise RuntimeError(f"{readme} has no {README_START} … {README_END} markers in its Benchmark section")
    before, rest = text.split(README_START, 1)
    _old, after = rest.split(README_END, 1)
    readme.write_text(f"{before}{README_START}\n{table}\n{README_END}{after}")
