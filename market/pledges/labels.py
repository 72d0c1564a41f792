"""Human names of the enum values of firms' pledges, registered with `market.labels` (imported by the app
factory, and by this feature's forms, whose choices show them)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from market.pledges.models import PledgeMode, PledgeStatus
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
