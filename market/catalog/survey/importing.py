"""Importing a survey file: the whole file or nothing. Every cell is checked first (`reading`), then every row
that counts for a listed product (`operations.surveyed_product`), and only then is anything written."""

from __future__ import annotations

from sqlalchemy import insert, select

from market.accounts.models import User
from market.catalog.models import Product, SurveyRow
from market.catalog.operations import add_survey_row, surveyed_product
from market.catalog.survey.columns import SurveyImportError
from market.catalog.survey.reading import read_survey_file
from market.extensions import db
from market.regions.models import County
from market.rules import RuleError
from market.types import utcnow


def import_survey_file(county: County, actor: User, filename: str, data: bytes) -> tuple[int, list[SurveyImportError]]:
    """(rows saved, no errors), or (0, every error of the file) with nothing written: the page shows them by
    row and column, and the file is imported again once corrected."""
    rows, errors = read_survey_file(filename, data)
    if not errors:
        errors = _product_errors(county, rows)
    if errors:
        return 0, errors
    return import_survey_rows(county, actor, rows), []


def _product_errors(county: County, rows: list[dict]) -> list[SurveyImportError]:
    """The first row that names a product it cannot count for, as the file's error; checked before any row is
    written, so a refused file leaves nothing behind."""
    linked = [row for row in rows if row.get("product_id")]
    if not linked:
        return []
    # One statement loads them all; `surveyed_product` then finds each in the session (held here meanwhile: the
    # session keeps only weak references to what it loaded).
    _held = db.session.scalars(select(Product).where(Product.id.in_({row["product_id"] for row in linked}))).all()
    for row in linked:
        try:
            surveyed_product(county, row["product_id"], row["unit"])
        except RuleError as error:
            return [SurveyImportError(row=None, column=error.field, message=error.message)]
    return []


def import_survey_rows(county: County, actor: User, rows: list[dict]) -> int:
    """Save rows already checked by `reading.read_survey_file`; in one statement, so thousands take a moment.
    Rows linked to products update their stock through the ledger."""
    linked = [r for r in rows if r.get("product_id")]
    plain = [r for r in rows if not r.get("product_id")]
    if plain:
        now = utcnow()
        db.session.execute(
            insert(SurveyRow),
            [dict(r, county_id=county.id, created_by_id=actor.id, created_at=now) for r in plain],
        )
    for fields in linked:
        add_survey_row(county, actor, fields)
    db.session.flush()
    return len(rows)
