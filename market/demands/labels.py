"""Human names of the enum values of demands, registered with `market.labels` (imported by the app factory)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from market.demands.models import DemandStatus
from market.labels import register_labels

register_labels(DemandStatus, {
    DemandStatus.OPEN: _l("Open"),
    DemandStatus.CLOSED: _l("Closed"),
})
