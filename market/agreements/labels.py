"""Human names of the enum values of supply agreements, registered with `market.labels` (imported by the app
factory, and by this feature's forms, whose choices show them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from market.agreements.models import AgreementStatus, DeliveryState, ScheduleKind
from market.labels import register_labels

register_labels(AgreementStatus, {
    AgreementStatus.DRAFT: _l("Draft"),
    AgreementStatus.PROPOSED: _l("Proposed, waiting for the other party"),
    AgreementStatus.SIGNED: _l("Signed by both, not started"),
    AgreementStatus.ACTIVE: _l("Active"),
    AgreementStatus.COMPLETED: _l("Completed"),
    AgreementStatus.TERMINATED: _l("Terminated"),
})

register_labels(ScheduleKind, {
    ScheduleKind.WEEKLY: _l("Weekly"),
    ScheduleKind.MONTHLY: _l("Monthly"),
})

register_labels(DeliveryState, {
    DeliveryState.ORDERED: _l("Ordered"),
    DeliveryState.UNFILLED: _l("Not filled"),
})
