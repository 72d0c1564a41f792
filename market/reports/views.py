"""The federation's review, the city office's totals, and two public pages (roll of honour, transparency)."""

from __future__ import annotations



from flask import Response, render_template
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from market.accounts.models import BuyerType, OrgKind
from market.catalog.queries import county_totals
from market.http import is_visitor, public_page, recent
from market.i18n import local_today, localized_name, money
from market.labels import label
from market.numbers import MAX_YEAR, MIN_YEAR, query_int
from market.orders.channels import CHANNELS
from market.shares.queries import shares_with_progress
from market.permissions import kind_required
from market.pledges import queries as pledge_queries
from market.regions.queries import counties
from market.reports import bp, charts, documents, queries


def _svg(svg: str) -> Markup:
    return Markup(svg)  # built by charts.py, which escapes every text it draws


def federation_context() -> dict:
    today = local_today()
    by = {key: queries.totals(key, buyer_kind=OrgKind.FIRM) for key in ("firm", "county", "category", "month")}
    ranking = pledge_queries.ranking(today)
    overdue = [p for p in ranking if p.overdue(today)]
    note = _("Totals count an order only once it is paid and accepted by the buyer.")
    names = _county_names()
    return {
        "by": by, "ranking": ranking, "overdue": overdue, "today": today, "note": note,
        "fulfilment_chart": _svg(charts.progress_bars(
            _("Pledge fulfilment by firm"),
            [(p.pledge.firm.name, p.fulfilled, p.pledge.amount, p.overdue(today)) for p in ranking],
            value_format=money, overdue_text=_("Overdue"), empty_text=_("No confirmed pledge yet."), note=note)),
        "firm_chart": _svg(charts.bar_chart(_("Purchases by firm"), [(i["label"], i["amount"]) for i in by["firm"]["items"]],
                                            value_format=money, empty_text=_("Nothing counted yet."), note=note)),
        "county_month_chart": _svg(charts.line_chart(
            _("Purchases by county and month"),
            [(names[code], points) for code, points in queries.county_month_series().items()],
            value_format=money, empty_text=_("Nothing counted yet."), note=note)),
    }


def _county_names() -> dict[str, str]:
    """Code → name in the reader's language, in one statement (a chart names every county)."""
    return {c.code: localized_name(c) for c in counties()}


@bp.route("/federation")
@kind_required(OrgKind.FEDERATION, OrgKind.CITY_OFFICE)
def federation():
    return render_template("reports/federation.html", **federation_context())


@bp.route("/federation.<any(xlsx, csv, pdf):fmt>")
@kind_required(OrgKind.FEDERATION, OrgKind.CITY_OFFICE)
def federation_export(fmt: str):
    context = federation_context()
    today = local_today().isoformat()
    if fmt == "pdf":
        data, mimetype = documents.federation_pdf(context), "application/pdf"
    elif fmt == "xlsx":
        data = documents.federation_xlsx(context)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data, mimetype = documents.federation_csv(context), "text/csv; charset=utf-8"
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="federation-report-{today}.{fmt}"'})


@bp.route("/city")
@kind_required(OrgKind.CITY_OFFICE)
def city():
    return render_template("reports/city.html", **city_context())


def city_context() -> dict:
    """The city office's totals: by channel, by county and by pairing (with the channels side by side), by kind of
    canteen, reserved shares, stranded produce left, households reached and produce cleared month by month, with
    their charts."""
    today = local_today()
    by_county = queries.totals("county", split=True)
    canteens = queries.canteen_types()
    for row in canteens:
        row["label"] = label(BuyerType(row["key"])) if row["key"] in BuyerType.__members__.values() else _("Private firm")
    cleared = queries.cleared_by_county_month()
    series: dict[str, list] = {}
    for row in cleared:
        series.setdefault(row["county"], []).append((row["month"], row["amount"]))
    note = _("Totals count an order only once it is paid and accepted by the buyer.")
    names = _county_names()
    return dict(
        by_county=by_county, pairs=queries.system_pairs(), canteens=canteens, note=note,
        by_channel=queries.totals("channel"), channels=CHANNELS,
        shares=shares_with_progress(today.year), year=today.year,
        stranded=county_totals(today), households=queries.households_reached(), cleared=cleared,
        county_chart=_svg(charts.bar_chart(_("Purchases by county"), [(i["label"], i["amount"])
                                                                        for i in by_county["items"]],
                                           value_format=money, empty_text=_("Nothing counted yet."), note=note)),
        cleared_chart=_svg(charts.line_chart(_("Stranded produce cleared, by county and month"),
                                             [(names[c], pts) for c, pts in series.items()],
                                             value_format=money, empty_text=_("Nothing counted yet."), note=note)),
    )


@bp.route("/county")
@kind_required(OrgKind.COUNTY_OFFICE)
def county():
    """The county office's view of purchases from its county's suppliers, by channel (staff purchase rounds apart
    from the canteens' buying), by buyer system and by month, for a year."""
    org = current_user.organisation
    year = query_int("year", local_today().year, minimum=MIN_YEAR, maximum=MAX_YEAR)
    by = {key: queries.totals(key, county_id=org.county_id, year=year, split=key != "channel")
          for key in ("channel", "system", "month")}
    return render_template("reports/county.html", by=by, county=org.county, year=year, channels=CHANNELS,
                           note=_("Totals count an order only once it is paid and accepted by the buyer."))


@bp.route("/honour")
def honour():
    """Public: firms that agreed to be shown, with what they pledged and fulfilled."""
    return public_page(("honour", recent()), _honour) if is_visitor() else _honour()


def _honour() -> str:
    rows = [p for p in pledge_queries.pledges_with_progress() if p.pledge.show_publicly
            and p.pledge.status.value == "confirmed"]
    return render_template("reports/honour.html", rows=rows)


@bp.route("/transparency")
def transparency():
    """Public, city-wide figures; no personal data."""
    return public_page(("transparency", recent()), _transparency) if is_visitor() else _transparency()


def _transparency() -> str:
    by_county = queries.totals("county")
    return render_template("reports/transparency.html", by_county=by_county, households=queries.households_reached(),
                           stranded=county_totals(local_today()),
                           orders=sum(i["orders"] for i in by_county["items"]),
                           chart=_svg(charts.bar_chart(_("Purchases by county"),
                                                       [(i["label"], i["amount"]) for i in by_county["items"]],
                                                       value_format=money, empty_text=_("Nothing counted yet."))))
