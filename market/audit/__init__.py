"""Audit log: who changed what, when, with old and new values of the fields that matter."""

from market.transaction import PageBlueprint

bp = PageBlueprint("audit", __name__, url_prefix="/admin/audit")
