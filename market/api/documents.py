"""The API's own documents: the OpenAPI description and its page."""

from __future__ import annotations

from flask import jsonify, render_template

from market.api import bp
from market.api.openapi import spec


@bp.route("/openapi.json")
def openapi():
    return jsonify(spec())


@bp.route("/docs")
def docs():
    return render_template("api/docs.html", spec=spec())
