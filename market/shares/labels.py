"""Human names of the enum values of reserved shares, registered with `market.labels` (imported by the app
factory, and by this feature's forms, whose choices show them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from market.labels import register_labels
from market.shares.models import CanteenMode, CoverageStatus

register_labels(CanteenMode, {
    CanteenMode.OWN: _l("Own canteen"),
    CanteenMode.NONE: _l("No canteen"),
    CanteenMode.SHARED: _l("Shared canteen (declaring for all units)"),
    CanteenMode.OUTSOURCED: _l("Outsourced canteen"),
})

register_labels(CoverageStatus, {
    CoverageStatus.PENDING: _l("waiting for the unit's answer"),
    CoverageStatus.ACCEPTED: _l("accepted"),
    CoverageStatus.DECLINED: _l("declined"),
})
