"""Human names of the enum values of firms' pledges, registered with `market.labels` (imported by the app
factory, and by this feature's forms, whose choices show them)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from market.audit.labels import register_kind
from market.i18n import money
from market.pledges.models import Pledge, PledgeMode, PledgeStatus
from market.labels import register_labels

register_labels(PledgeMode, {
    PledgeMode.BUY_INSTEAD_OF_DONATE: _l("Buy instead of donating (以购代捐)"),
    PledgeMode.BUY_INSTEAD_OF_HELP: _l("Buy instead of helping (以买代帮)"),
})

register_labels(PledgeStatus, {
    PledgeStatus.SUBMITTED: _l("Waiting for the federation"),
    PledgeStatus.CONFIRMED: _l("Confirmed"),
    PledgeStatus.RETURNED: _l("Returned"),
})

# --- in the audit log ----------------------------------------------------------------------------------------------

register_kind(
    Pledge, _l("Pledge"), name=lambda pledge: f"{pledge.firm.name} {money(pledge.amount)}",
    url=lambda pledge: url_for("pledges.detail", pledge_id=pledge.id),
    options=lambda: [joinedload(Pledge.firm)],
    actions={"create": _l("made a pledge"), "update": _l("changed a pledge")},
    fields={"status": (_l("Status"), PledgeStatus), "amount": (_l("Amount"), "money")})
