"""What the audit log says of bulletin issues (imported by the app factory)."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from market.audit.labels import register_kind
from market.bulletins.models import BulletinIssue
from market.i18n import localized_name

register_kind(
    BulletinIssue, _l("Bulletin issue"),
    name=lambda issue: _("%(county)s, issue %(number)s", county=localized_name(issue.county), number=issue.number),
    url=lambda issue: url_for("bulletins.issue", issue_id=issue.id),
    options=lambda: [joinedload(BulletinIssue.county)],
    actions={"create": _l("published a bulletin issue"), "update": _l("changed a bulletin issue")},
    fields={"number": (_l("Issue number"),), "issue_date": (_l("Issue date"), "date")})
