"""Time `match_all` on seeded random data held in memory.

    python -m benchmarks.matching [--demands N] [--products M] [--seed S]

Prints one JSON line: {"benchmark": "matching", "demands": N, "products": M, "seconds": ...}. Only the
`match_all` call is timed (it includes building its index); making the data is not.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import date, timedelta
from decimal import Decimal

from market.demands.matching import Candidate, DemandSpec, match_all

TODAY = date(2020, 3, 1)
COUNTY_IDS = range(1, 8)  # the seven counties and districts of Fushun
PAIRED_COUNTY_IDS = range(1, 5)  # the four counties paired with a buyer system
# Product names per category, with the units they are usually sold in (the first is the most common).
PRODUCE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "grain_oil": (("大米", "小米", "玉米", "黄豆", "豆油"), ("kg", "bag", "jin")),
    "vegetables": (("白菜", "土豆", "萝卜", "大葱", "辣椒", "黄瓜"), ("kg", "jin", "box")),
    "fruit": (("苹果", "南果梨", "蓝莓", "草莓", "葡萄"), ("box", "kg", "jin")),
    "edible_fungi": (("黑木耳", "香菇", "榛蘑", "松蘑", "猴头菇", "平菇"), ("kg", "jin", "box", "bag")),
    "forest_mountain": (("榛子", "松子", "蕨菜", "刺嫩芽", "蜂蜜"), ("jin", "kg", "bottle")),
    "livestock": (("鸡蛋", "笨鸡", "猪肉", "牛肉", "鹅蛋"), ("kg", "jin", "piece", "box")),
    "aquatic": (("冷水鱼", "虹鳟鱼", "林蛙"), ("kg", "jin")),
    "medicinal_herbs": (("人参", "五味子", "细辛", "龙胆"), ("kg", "jin", "box")),
    "processed_food": (("粘豆包", "酸菜", "大酱", "冷面"), ("bag", "box", "bottle")),
    "other": (("山野菜礼盒", "手工艺品"), ("box", "piece")),
}
PREFIXES = ("", "", "清原", "新宾", "有机", "农家")


def _day(rng: random.Random, low: int, high: int) -> date:
    return TODAY + timedelta(days=rng.randint(low, high))


def _unit(rng: random.Random, units: tuple[str, ...]) -> str:
    return units[0] if rng.random() < 0.6 else rng.choice(units)


def make_candidates(rng: random.Random, count: int) -> list[Candidate]:
    candidates = []
    for product_id in range(1, count + 1):
        category = rng.choice(tuple(PRODUCE))
        names, units = PRODUCE[category]
        candidates.append(
            Candidate(
                product_id=product_id,
                county_id=rng.choice(COUNTY_IDS),
                category=category,
                name=rng.choice(PREFIXES) + rng.choice(names),
                unit=_unit(rng, units),
                price=Decimal(rng.randint(200, 8000)) / 100,
                unsold_quantity=Decimal(0) if rng.random() < 0.1 else Decimal(rng.randint(1, 50_000)) / 10,
                min_order_quantity=Decimal(rng.choice((1, 5, 10, 20, 50, 100))),
                stranded_since=_day(rng, -180, 0) if rng.random() < 0.4 else None,
                best_before=_day(rng, -10, 120) if rng.random() < 0.6 else None,
                available_from=_day(rng, -60, 45) if rng.random() < 0.3 else None,
            )
        )
    return candidates


def make_demands(rng: random.Random, count: int) -> list[DemandSpec]:
    demands = []
    for demand_id in range(1, count + 1):
        category = rng.choice(tuple(PRODUCE))
        names, units = PRODUCE[category]
        name = rng.choice(names) if rng.random() < 0.5 else None
        if name and rng.random() < 0.5:
            name = name[-2:]  # a shorter word, as buyers type it: "木耳" for "黑木耳"
        demands.append(
            DemandSpec(
                id=demand_id,
                category=category if rng.random() < 0.8 else None,
                name=name,
                quantity=Decimal(rng.randint(1, 2000)),
                unit=_unit(rng, units),
                wanted_by=_day(rng, 0, 60),
                expected_price=Decimal(rng.randint(200, 8000)) / 100 if rng.random() < 0.6 else None,
                paired_county_id=rng.choice(PAIRED_COUNTY_IDS) if rng.random() < 0.6 else None,
            )
        )
    return demands


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demands", type=int, default=10_000)
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20200301)
    args = parser.parse_args(argv)

    rng = random.Random(args.seed)
    candidates = make_candidates(rng, args.products)
    demands = make_demands(rng, args.demands)
    started = time.perf_counter()
    match_all(demands, candidates, TODAY)
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {"benchmark": "matching", "demands": args.demands, "products": args.products, "seconds": round(seconds, 3)}
        )
    )


if __name__ == "__main__":
    main()
