"""The app as production runs it, plus one bare page that measures the ceiling of the server setup.

    gunicorn 'benchmarks.ceiling:create_app()'

`/__bench/ceiling` renders the base template (through error.html, with no query) and nothing else: what
a page costs when the database costs nothing. Both it and the catalog page are served by this one app, so the
ratio of their throughputs is the share of the ceiling the catalog reaches.
"""

from __future__ import annotations

from flask import Flask, render_template

import market

CEILING_PATH = "/__bench/ceiling"


def create_app() -> Flask:
    app = market.create_app("production")

    @app.route(CEILING_PATH)
    def bench_ceiling():
        return render_template("error.html", code=200, message="ceiling")

    return app
