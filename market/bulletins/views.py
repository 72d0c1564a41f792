"""The bulletin's pages: the archive, an issue, the feed and the CSV file; the county office publishes an issue.
A rule's refusal (RuleError) is answered by the blueprint's handler, back on the county's archive."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from market.accounts.models import OrgKind
from market.bulletins import bp, queries
from market.bulletins.exports import BULLETIN_CSV_COLUMNS, bulletin_csv
from market.bulletins import operations as ops
from market.bulletins.forms import PublishForm
from market.http import not_modified, page_etag, shared_page, with_etag
from market.i18n import local_today, localized_name
from market.links import external_url
from market.numbers import query_int
from market.permissions import kind_required
from market.regions.models import County
from market.regions.queries import county_or_404
from market.transaction import return_to

PER_PAGE = 20


def _is_office_of(county: County) -> bool:
    org = current_user.organisation if current_user.is_authenticated else None
    return bool(org and org.kind == OrgKind.COUNTY_OFFICE and org.county_id == county.id and org.is_active)


def _archive(county: County | None, form: PublishForm | None = None, status: int = 200):
    page = query_int("page", 1)

    def render(form=form) -> str:
        total, rows = queries.issues(county, page=page, per_page=PER_PAGE)
        if county is not None and form is None and _is_office_of(county):
            form = PublishForm(issue_date=local_today())
        return render_template("bulletins/archive.html", county=county, rows=rows, total=total, page=page,
                               pages=max((total + PER_PAGE - 1) // PER_PAGE, 1), form=form,
                               next_due=ops.next_due(county) if county else None)

    if form is not None:
        return render(), status
    parts = ("bulletins", county.code if county else "-", queries.archive_version(county), local_today())
    return shared_page(parts, render)


@bp.route("/")
def archive():
    return _archive(None)


@bp.route("/<code>/")
def county_archive(code: str):
    return _archive(county_or_404(code))


@bp.route("/<code>/publish", methods=["POST"])
@kind_required(OrgKind.COUNTY_OFFICE)
def publish(code: str):
    county = county_or_404(code)
    if not _is_office_of(county):
        abort(403)
    return_to(url_for("bulletins.county_archive", code=county.code))
    form = PublishForm()
    if form.validate_on_submit():
        issue = ops.publish_issue(county, current_user, form.issue_date.data, form.note.data)
        flash(_("Issue %(number)s of %(county)s's bulletin is published with %(n)s products.",
                county=localized_name(county), number=issue.number, n=len(issue.items)), "success")
        return redirect(url_for("bulletins.issue", issue_id=issue.id))
    return _archive(county, form, status=422)


@bp.route("/issues/<int:issue_id>")
def issue(issue_id: int):
    issue = queries.issue_with_items(issue_id)
    if issue is None:
        abort(404)
    return shared_page(("issue", issue.id), lambda: render_template("bulletins/issue.html", issue=issue))


@bp.route("/issues/<int:issue_id>.csv")
def issue_csv(issue_id: int):
    issue = queries.issue_with_items(issue_id)
    if issue is None:
        abort(404)
    filename = f"bulletin-{issue.county.code}-{issue.number}-{issue.issue_date.isoformat()}.csv"
    return Response(bulletin_csv(issue), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _feed(county: County | None):
    issues = queries.feed_issues(county)
    etag = page_etag("feed", county.code if county else "-", queries.archive_version(county))
    if (cached := not_modified(etag)) is not None:
        return cached
    body = render_template("bulletins/feed.xml", issues=issues, county=county, external_url=external_url,
                           self_url=external_url(request.endpoint, **request.view_args),
                           updated=issues[0].published_at if issues else None)
    response = with_etag(body, etag)
    response.mimetype = "application/atom+xml"
    return response


@bp.route("/feed.xml")
def feed():
    return _feed(None)


@bp.route("/<code>/feed.xml")
def county_feed(code: str):
    return _feed(county_or_404(code))


@bp.route("/format")
def csv_format():
    return render_template("bulletins/format.html", columns=BULLETIN_CSV_COLUMNS)
