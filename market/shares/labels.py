"""Human names of the enum values of reserved shares, registered with `market.labels` (imported by the app
factory, and by this feature's forms, whose choices show them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from market.audit.labels import register_kind
from market.labels import register_labels
from market.shares.models import CanteenMode, CoverageStatus, ReservedShare, ShareCoverage

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

# --- in the audit log ----------------------------------------------------------------------------------------------

register_kind(
    ReservedShare, _l("Reserved share"), name=lambda share: f"{share.buyer.name} {share.year}",
    options=lambda: [joinedload(ReservedShare.buyer)],
    actions={"create": _l("declared a reserved share"), "update": _l("changed a reserved share")},
    fields={"canteen_spending": (_l("Canteen food spending"), "money"),
            "share_percent": (_l("Reserved share"), "percent"), "canteen_mode": (_l("Canteen"), CanteenMode)})

register_kind(
    ShareCoverage, _l("Shared canteen cover"), name=lambda cover: f"{cover.unit.name} {cover.year}",
    options=lambda: [joinedload(ShareCoverage.unit)],
    actions={"create": _l("asked to declare for another unit"), "update": _l("answered a shared canteen request")},
    fields={"status": (_l("Status"), CoverageStatus)})
