"""Human names of the enum values of supply agreements, registered with `market.labels` (imported by the app
factory, and by this feature's forms, whose choices show them)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from market.agreements.models import Agreement, AgreementStatus, DeliveryState, ScheduleKind
from market.audit.labels import register_kind
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

# --- in the audit log ----------------------------------------------------------------------------------------------

register_kind(
    Agreement, _l("Supply agreement"), name=lambda agreement: f"{agreement.buyer.name} – {agreement.supplier.name}",
    url=lambda agreement: url_for("agreements.detail", agreement_id=agreement.id),
    options=lambda: [joinedload(Agreement.buyer), joinedload(Agreement.supplier)],
    actions={"create": _l("drafted a supply agreement"), "update": _l("changed a supply agreement")},
    fields={"status": (_l("Status"), AgreementStatus)})
