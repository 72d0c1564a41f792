"""The bare-Flask ceiling: a minimal Flask app that renders a page of a given size from memory.

    BENCH_PAGE_BYTES=61440 gunicorn 'benchmarks.bare:create_app()'

No database, no session, no extensions: a Jinja template compiled once, rendered on every request from a list
held in memory, as large as the page measured against it (the visitor's catalog page). Served with the same
gunicorn settings as the app, its throughput is what this machine can serve at that page size, so
catalog ÷ bare ceiling is the share of it the product reaches.
"""

from __future__ import annotations

import os

from flask import Flask
from jinja2 import Template

BARE_PATH = "/"
PAGE_BYTES_VARIABLE = "BENCH_PAGE_BYTES"
DEFAULT_PAGE_BYTES = 50_000

#: A catalog-like page: one card per row, each rendered on every request (escaped as Flask's templates are).
_TEMPLATE = """<!doctype html>
<html lang="zh-Hans-CN"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><ul>
{% for row in rows %}<li><a href="/catalog/products/{{ row.id }}">{{ row.name }}</a> <span>{{ row.text }}</span></li>
{% endfor %}</ul></main></body></html>
"""
#: As many cards as the measured catalog page lists (per_page=50), each long enough for the page's size.
ROWS = 50
_FILLER = "抚顺消费扶贫滞销农产品"


def _rows(page_bytes: int) -> list[dict]:
    """ROWS rows whose rendered page is about `page_bytes` bytes long (UTF-8)."""
    rows = [{"id": n, "name": f"清原县第{n}号产品", "text": ""} for n in range(1, ROWS + 1)]
    empty = len(_page(rows).encode())
    per_row = max(page_bytes - empty, 0) // ROWS
    text = (_FILLER * (per_row // len(_FILLER.encode()) + 1)).encode()[:per_row].decode(errors="ignore")
    return [{**row, "text": text} for row in rows]


def _page(rows: list[dict]) -> str:
    return Template(_TEMPLATE, autoescape=True).render(title="bare ceiling", rows=rows)


def create_app() -> Flask:
    app = Flask(__name__)
    rows = _rows(int(os.environ.get(PAGE_BYTES_VARIABLE, DEFAULT_PAGE_BYTES)))
    template = app.jinja_env.from_string(_TEMPLATE)

    @app.route(BARE_PATH)
    def page():
        return template.render(title="bare ceiling", rows=rows)

    return app
