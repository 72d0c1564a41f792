"""Human names of the demands' states, and what the audit log says of demands (imported by the app factory)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from market.audit.labels import register_kind
from market.demands.models import Demand, DemandStatus
from market.labels import label, register_labels

register_labels(DemandStatus, {
    DemandStatus.OPEN: _l("Open"),
    DemandStatus.CLOSED: _l("Closed"),
})

register_kind(
    Demand, _l("Demand"), name=lambda demand: demand.product_name or label(demand.category),
    url=lambda demand: url_for("demands.detail", demand_id=demand.id),
    actions={"create": _l("posted a demand"), "update": _l("changed a demand")},
    fields={"status": (_l("Status"), DemandStatus)})
