"""Human names of a household's status, and what the audit log says of households (imported by the app factory).
The log is the city office's, which may see personal data; no link is given, the household page is enough."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from market.audit.labels import register_kind
from market.households.models import Household, HouseholdStatus
from market.labels import register_labels

register_labels(HouseholdStatus, {
    HouseholdStatus.IN_POVERTY: _l("In poverty"),
    HouseholdStatus.LIFTED: _l("Lifted out"),
    HouseholdStatus.MONITORED: _l("Monitored for relapse"),
})

register_kind(
    Household, _l("Poor household"), name=lambda household: household.household_number,
    actions={"create": _l("added a poor household"), "update": _l("changed a poor household"),
             "reveal": _l("viewed the personal data of a poor household")},
    fields={"household_number": (_l("Household number"), "text"), "head_name": (_l("Head of household"), "text"),
            "village_id": (_l("Village"), "text"), "members": (_l("Members"), "text"),
            "status": (_l("Status"), HouseholdStatus), "year_lifted": (_l("Year lifted"), "text"),
            "phone": (_l("Phone"), "text")})
