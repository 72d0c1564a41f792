"""Audit log: who changed what, when, with old and new values of the fields that matter."""

from flask import Blueprint

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
