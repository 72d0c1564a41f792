"""A bulletin issue as the CSV file a county submits to the national network (中国社会扶贫网, 滞销信息专栏).

The columns are fixed and language-independent: the receiving side reads them by name, so a change here is
a change of the interface and must be documented with it (BULLETIN_CSV_COLUMNS).
"""

from __future__ import annotations

from market.bulletins.models import BulletinIssue, BulletinItem
from market.exports import csv_bytes

#: (column name, English description, Chinese description), in file order.
BULLETIN_CSV_COLUMNS: list[tuple[str, str, str]] = [
    ("issue_county_code", "Code of the publishing county, e.g. qingyuan", "发布县区代码，如 qingyuan"),
    ("issue_number", "Issue number within the county (1, 2, 3...)", "本县区期号（1、2、3……）"),
    ("issue_date", "Issue date, YYYY-MM-DD", "发布日期，格式 YYYY-MM-DD"),
    ("item_position", "Position of the product in the issue, from 1, most urgent first",
     "产品在本期中的序号，从 1 开始，最急需销售的在前"),
    ("product_name", "Product name", "产品名称"),
    ("variety", "Variety; empty when none", "品种；无则留空"),
    ("category", "Category code: grain_oil, vegetables, fruit, edible_fungi, forest_mountain, livestock, "
                 "aquatic, medicinal_herbs, processed_food, other",
     "品类代码：grain_oil 粮油、vegetables 蔬菜、fruit 水果、edible_fungi 食用菌、forest_mountain 林特山货、"
     "livestock 畜禽蛋、aquatic 水产品、medicinal_herbs 中药材、processed_food 加工食品、other 其他"),
    ("unit", "Unit code: kg, jin, ton, box, bag, piece, bottle, bundle",
     "计量单位代码：kg 千克、jin 斤、ton 吨、box 箱、bag 袋、piece 个、bottle 瓶、bundle 捆"),
    ("unsold_quantity", "Unsold quantity in the unit, decimal with up to three places, e.g. 1200.500",
     "滞销数量（按上述单位），最多三位小数，如 1200.500"),
    ("price_cny", "Price of one unit in CNY, two decimals, e.g. 12.50", "单价（元），两位小数，如 12.50"),
    ("supplier_name", "Supplier (cooperative, enterprise or family farm)", "供应主体（合作社、带贫企业或家庭农场）"),
    ("households_linked", "Poor households whose income the product lifts", "带动贫困户数"),
    ("stranded_since", "Stranded since, YYYY-MM-DD; empty when unknown", "滞销起始日期，格式 YYYY-MM-DD；不详则留空"),
    ("stranded_cause", "Cause of the stranding; empty when none given", "滞销原因；未填写则留空"),
    ("best_before", "Best before, YYYY-MM-DD; empty when none", "保质期至，格式 YYYY-MM-DD；无则留空"),
]


def _row(issue: BulletinIssue, item: BulletinItem) -> list:
    # Enum values, not labels, and Decimals as exact strings (csv_bytes writes "12.50", never via float).
    return [
        issue.county.code,
        issue.number,
        issue.issue_date,
        item.position,
        item.product_name,
        item.variety,
        item.category.value,
        item.unit.value,
        item.unsold_quantity,
        item.price,
        item.supplier_name,
        item.households_linked,
        item.stranded_since,
        item.stranded_cause,
        item.best_before,
    ]


def bulletin_csv(issue: BulletinIssue) -> bytes:
    """The issue's snapshot items in position order; the same bytes whatever the reader's language."""
    header = [name for name, _, _ in BULLETIN_CSV_COLUMNS]
    return csv_bytes(header, [_row(issue, item) for item in issue.items])
