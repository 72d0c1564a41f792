"""The survey file's layout: its columns in template order, the Chinese names the template writes, the limits of
a file, and the two kinds of error reading one reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from market.catalog.models import Category, Unit

#: Data rows a file may hold; thousands are normal for a county, more is a file to split. Read as
#: `columns.MAX_ROWS` wherever it is used, so a test can lower it in one place.
MAX_ROWS = 20_000
#: Errors listed in full; past this, one closing entry says how many more there are.
MAX_ERRORS = 200
#: Largest product number accepted (a PostgreSQL integer).
MAX_PRODUCT_ID = 2**31 - 1
#: Largest file accepted, in bytes; 20,000 rows of the template take about 2 MB as XLSX and 4 MB as CSV.
MAX_FILE_BYTES = 10 * 1024 * 1024
#: Characters one cell may hold (the longest column, the enterprises involved, holds far fewer).
MAX_CELL_CHARS = 2_000

#: Chinese names of categories and units as the template writes them; parsing must not depend on the
#: compiled catalog, so they are literal here (the same words as the zh_Hans_CN translations of market.labels).
CATEGORY_ZH: dict[Category, str] = {
    Category.GRAIN_OIL: "粮油",
    Category.VEGETABLES: "蔬菜",
    Category.FRUIT: "水果",
    Category.EDIBLE_FUNGI: "食用菌",
    Category.FOREST_MOUNTAIN: "林特山货",
    Category.LIVESTOCK: "畜禽蛋",
    Category.AQUATIC: "水产品",
    Category.MEDICINAL_HERBS: "中药材",
    Category.PROCESSED_FOOD: "加工食品",
    Category.OTHER: "其他",
}
UNIT_ZH: dict[Unit, str] = {
    Unit.KG: "公斤",
    Unit.JIN: "斤",
    Unit.TON: "吨",
    Unit.BOX: "箱",
    Unit.BAG: "袋",
    Unit.PIECE: "个",
    Unit.BOTTLE: "瓶",
    Unit.BUNDLE: "捆",
}
#: Other ways surveyors write units.
UNIT_SYNONYMS: dict[str, Unit] = {
    "千克": Unit.KG, "市斤": Unit.JIN, "公吨": Unit.TON, "t": Unit.TON, "tonne": Unit.TON, "tonnes": Unit.TON,
    "件": Unit.PIECE, "只": Unit.PIECE, "pcs": Unit.PIECE, "kilogram": Unit.KG, "kilograms": Unit.KG,
}


@dataclass(frozen=True)
class Column:
    key: str  #: the SurveyRow field it fills
    header: str  #: the header written in the template
    required: bool
    help: str  #: lazy gettext string
    kind: str  #: how a cell is read: date, text, category, unit, quantity, households, integer


COLUMNS: tuple[Column, ...] = (
    Column("surveyed_on", "摸排日期", True,
           _l("Date of the survey, as YYYY-MM-DD (e.g. 2020-03-01); it cannot be in the future."), "date"),
    Column("product_name", "产品名称", True, _l("Name of the product, e.g. black fungus."), "text"),
    Column("variety", "品种", False, _l("Variety or grade, if any."), "text"),
    Column("category", "类别", True, _l("Product category, chosen from the list below."), "category"),
    Column("unit", "单位", True, _l("Unit of the unsold quantity, chosen from the list below."), "unit"),
    Column("unsold_quantity", "滞销数量", True,
           _l("Quantity that cannot be sold, in that unit; at most three decimals; 0 is allowed."), "quantity"),
    Column("enterprises", "涉及企业", False, _l("Enterprises involved, separated by commas."), "text"),
    Column("cooperatives", "涉及合作社", False, _l("Cooperatives involved, separated by commas."), "text"),
    Column("poor_households", "涉及贫困户数", False,
           _l("Number of poor households involved, a whole number; blank means 0."), "households"),
    Column("township", "乡镇", False, _l("Township where the produce is."), "text"),
    Column("village", "村", False, _l("Village where the produce is."), "text"),
    Column("product_id", "产品编号", False,
           _l("Number of a product of the county listed on this site that the row counts for; its unsold "
              "quantity then follows the survey. Leave blank otherwise."), "integer"),
)

#: The example row of the template, in column order.
EXAMPLE_ROW: tuple = (
    date(2020, 3, 1), "黑木耳", "秋耳", CATEGORY_ZH[Category.EDIBLE_FUNGI], UNIT_ZH[Unit.KG], 1200,
    "清原满族自治县示例食品有限公司", "示例黑木耳专业合作社", 35, "湾甸子镇", "示例村", None,
)


@dataclass(frozen=True)
class SurveyImportError:
    #: Row as the person sees it in the sheet (header = 1); None for errors about the whole file.
    row: int | None
    #: Header as written in the file; None for errors about the whole file or row.
    column: str | None
    message: str


class CellError(Exception):
    """A cell, or the whole file, cannot be read; the reader turns it into a SurveyImportError."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def file_error(message: str) -> SurveyImportError:
    return SurveyImportError(None, None, message)


def not_a_spreadsheet() -> CellError:
    return CellError(_("This file is not an XLSX or CSV spreadsheet. Save it from Excel as .xlsx or .csv."))


def cell_too_long() -> CellError:
    return CellError(_("A cell holds more than %(max)d characters; at most %(max)d are allowed. Shorten it "
                       "and try again.", max=MAX_CELL_CHARS))
