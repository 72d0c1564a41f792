from __future__ import annotations

from datetime import datetime, time, timedelta

from flask import render_template, request

from market.accounts.models import OrgKind
from market.audit import bp, queries
from market.i18n import SHANGHAI
from market.numbers import MAX_ID, query_int
from market.permissions import kind_required


def _day(value: str | None):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date() if value else None
    except ValueError:
        return None


@bp.route("/")
@kind_required(OrgKind.CITY_OFFICE)
def index():
    object_type = request.args.get("object_type") or None
    object_id = query_int("object_id", maximum=MAX_ID)
    since_day, until_day = _day(request.args.get("since")), _day(request.args.get("until"))
    # Days are the city's days (Asia/Shanghai), stored times are UTC.
    since = datetime.combine(since_day, time(), SHANGHAI) if since_day else None
    until = datetime.combine(until_day + timedelta(days=1), time(), SHANGHAI) if until_day else None
    pagination = queries.search_entries(object_type=object_type, object_id=object_id, since=since, until=until,
                                        page=query_int("page", 1))
    return render_template("audit/index.html", pagination=pagination, object_types=queries.object_types(),
                           filters={"object_type": object_type, "object_id": object_id,
                                    "since": since_day, "until": until_day})
