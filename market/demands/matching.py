"""Supply–demand matching (产销对接): which listed products answer a buyer's demand, best first.

Pure functions over plain values: no database, no request, no translation. Callers build `DemandSpec` and
`Candidate` values from their models, call `rank` (one demand) or `match_all` (a batch), and translate the
reason codes (`REASON_CODES`) themselves.

A candidate must first pass `fits` (same unit, same category when the demand names one, matching name, in
stock, available by the wanted date, not spoiled). Suggestions are then ordered by their `rank_key`, a tuple
compared lexicographically, smaller first:

1. the demand's paired county first (measure 5.2): 0 when paired, 1 otherwise;
2. urgency, which depends on the product and `today` alone: stranded longest first (minus the days
   stranded; products not stranded get 1, after every stranded one), then spoiling soonest (days until
   best-before; no best-before gets `sys.maxsize`, last);
3. minus the fit to this demand, so a higher fit comes first;
4. the product id, so equal products keep a stable order.

Each suggestion carries `Reason`s, codes with parameters, in the order of those criteria: paired county,
stranded, spoils in, then the parts of the fit (quantity, price, availability).
"""

from __future__ import annotations

import heapq
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from functools import lru_cache

PAIRED_COUNTY = "paired_county"
STRANDED = "stranded"  # params: days
SPOILS_IN = "spoils_in"  # params: days
COVERS_QUANTITY = "covers_quantity"
PARTIAL_QUANTITY = "partial_quantity"  # params: percent of the demand the stock covers, rounded down
BELOW_MIN_ORDER = "below_min_order"  # params: min, the product's minimum order as a decimal string
PRICE_WITHIN = "price_within"
PRICE_ABOVE = "price_above"  # params: percent above the expected price, rounded half up, at least 1
AVAILABLE_NOW = "available_now"
AVAILABLE_FROM = "available_from"  # params: date, ISO 8601

#: Every code a `Reason` may carry, in the order reasons appear on a suggestion.
REASON_CODES: tuple[str, ...] = (
    PAIRED_COUNTY,
    STRANDED,
    SPOILS_IN,
    COVERS_QUANTITY,
    PARTIAL_QUANTITY,
    BELOW_MIN_ORDER,
    PRICE_WITHIN,
    PRICE_ABOVE,
    AVAILABLE_NOW,
    AVAILABLE_FROM,
)

#: (paired, stranded, spoils, minus fit, product id); see the module docstring.
RankKey = tuple[int, int, int, float, int]

_PAIRED = 0
_UNPAIRED = 1
# Stranded products rank at minus their days stranded (<= 0), so any of them comes before this.
_NOT_STRANDED = 1
# Days until spoiling are >= 0 once spoiled produce is filtered out, so this sorts last.
_NO_BEST_BEFORE = sys.maxsize


@dataclass(frozen=True, slots=True)
class DemandSpec:
    """What a buyer wants: `quantity` of `unit` by `wanted_by`, optionally of a category and a name."""

    id: int
    category: str | None
    name: str | None
    quantity: Decimal
    unit: str
    wanted_by: date
    expected_price: Decimal | None
    paired_county_id: int | None

    def __post_init__(self) -> None:
        # The fit divides by both; a bad value is an input error, better named here than as a ZeroDivision.
        if self.quantity <= 0:
            raise ValueError(f"demand {self.id}: quantity must be positive")
        if self.expected_price is not None and self.expected_price <= 0:
            raise ValueError(f"demand {self.id}: expected price must be positive")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A listed product as matching sees it. `stranded_since` is None when the product is not stranded."""

    product_id: int
    county_id: int
    category: str
    name: str
    unit: str
    price: Decimal
    unsold_quantity: Decimal
    min_order_quantity: Decimal
    stranded_since: date | None
    best_before: date | None
    available_from: date | None


@dataclass(frozen=True, slots=True)
class Reason:
    """A code from `REASON_CODES` with its parameters, ready for `gettext(message, **params)`.

    `params` is a plain dict so views can pass it on (or serialise it) as is; it takes part in equality but
    not in the hash. Reasons are shared between suggestions (see `_reason`), so never change `params`.
    """

    code: str
    params: dict[str, int | str] = field(default_factory=dict, hash=False, compare=True)


# Reasons repeat across thousands of suggestions; sharing them spares a batch hundreds of thousands of objects
# to allocate and for the garbage collector to rescan (it was a third of the batch time).
_PAIRED_COUNTY_REASON = Reason(PAIRED_COUNTY, {})
_COVERS_QUANTITY_REASON = Reason(COVERS_QUANTITY, {})
_PRICE_WITHIN_REASON = Reason(PRICE_WITHIN, {})
_AVAILABLE_NOW_REASON = Reason(AVAILABLE_NOW, {})


@lru_cache(maxsize=4096)
def _reason(code: str, param: str, value: int | str) -> Reason:
    """The shared reason with one parameter; values (days, percents, dates) repeat a lot."""
    return Reason(code, {param: value})


@dataclass(frozen=True, slots=True)
class Suggestion:
    product_id: int
    rank_key: RankKey
    reasons: tuple[Reason, ...]
    #: In [0, 1]: the mean of quantity, date and price fit.
    fit: float


# --- one demand ---------------------------------------------------------------------------------------------


def fits(demand: DemandSpec, candidate: Candidate, today: date) -> bool:
    """The hard filters: a candidate failing any of them is never suggested for this demand."""
    if candidate.unit != demand.unit:
        return False
    if demand.category and candidate.category != demand.category:
        return False
    if not _in_stock_and_fresh(candidate, today):
        return False
    if candidate.available_from is not None and candidate.available_from > demand.wanted_by:
        return False
    wanted = _folded(demand.name)
    return not wanted or _names_match(wanted, _folded(candidate.name))


def rank(demand: DemandSpec, candidates: Iterable[Candidate], today: date, limit: int = 10) -> list[Suggestion]:
    """The best `limit` candidates for `demand` that pass `fits`, in `rank_key` order."""
    if limit <= 0:
        return []
    fitting = (
        (suggest(demand, candidate, today), position)
        for position, candidate in enumerate(candidates)
        if fits(demand, candidate, today)
    )
    return [suggestion for suggestion, _ in heapq.nsmallest(limit, fitting, key=_order)]


def suggest(demand: DemandSpec, candidate: Candidate, today: date) -> Suggestion:
    """The rank key, fit and reasons of one candidate that passed `fits`."""
    paired = demand.paired_county_id is not None and candidate.county_id == demand.paired_county_id
    stranded_rank, spoil_rank = _urgency(candidate, today)
    quantity_fit, quantity_reason = _quantity_fit(demand, candidate)
    price_fit, price_reason = _price_fit(demand, candidate)
    fit = (quantity_fit + _date_fit(demand, candidate) + price_fit) / 3

    reasons = []
    if paired:
        reasons.append(_PAIRED_COUNTY_REASON)
    if candidate.stranded_since is not None:
        reasons.append(_reason(STRANDED, "days", -stranded_rank))
    if candidate.best_before is not None:
        reasons.append(_reason(SPOILS_IN, "days", spoil_rank))
    reasons.append(quantity_reason)
    if price_reason is not None:
        reasons.append(price_reason)
    reasons.append(_availability_reason(candidate, today))

    key = (_PAIRED if paired else _UNPAIRED, stranded_rank, spoil_rank, -fit, candidate.product_id)
    return Suggestion(candidate.product_id, key, tuple(reasons), fit)


def _order(pair: tuple[Suggestion, int]) -> tuple[RankKey, int]:
    # The input position only separates candidates that share a product id, so `rank` and `match_all` agree.
    return pair[0].rank_key, pair[1]


def _in_stock_and_fresh(candidate: Candidate, today: date) -> bool:
    return candidate.unsold_quantity > 0 and (candidate.best_before is None or candidate.best_before >= today)


def _folded(name: str | None) -> str:
    return name.strip().casefold() if name else ""


def _names_match(wanted: str, offered: str) -> bool:
    """Plain substring either way, on folded names: Chinese has no word breaks ("木耳" is in "黑木耳")."""
    # An empty offered name is contained in everything; it must not match every demand.
    return wanted in offered or (offered != "" and offered in wanted)


def _urgency(candidate: Candidate, today: date) -> tuple[int, int]:
    """(minus days stranded, days until spoiling): depends on the product alone, so `match_all` sorts by it once."""
    if candidate.stranded_since is None:
        stranded_rank = _NOT_STRANDED
    else:
        # A stranded date in the future is a data slip; count it as stranded today rather than ranking it last.
        stranded_rank = -max(0, (today - candidate.stranded_since).days)
    spoil_rank = _NO_BEST_BEFORE if candidate.best_before is None else (candidate.best_before - today).days
    return stranded_rank, spoil_rank


def _quantity_fit(demand: DemandSpec, candidate: Candidate) -> tuple[float, Reason]:
    if demand.quantity < candidate.min_order_quantity:
        # The supplier would not take the order at all, however much stock there is.
        return 0.0, _reason(BELOW_MIN_ORDER, "min", _plain(candidate.min_order_quantity))
    if candidate.unsold_quantity >= demand.quantity:
        return 1.0, _COVERS_QUANTITY_REASON
    share = candidate.unsold_quantity / demand.quantity
    # Rounded down so a partial cover never reads as 100%.
    percent = int((share * 100).to_integral_value(ROUND_DOWN))
    return float(share), _reason(PARTIAL_QUANTITY, "percent", percent)


def _date_fit(demand: DemandSpec, candidate: Candidate) -> float:
    # Always 1 after `fits`; kept as its own term so the fit stays right if the filter is ever relaxed.
    available = candidate.available_from is None or candidate.available_from <= demand.wanted_by
    return 1.0 if available else 0.0


def _price_fit(demand: DemandSpec, candidate: Candidate) -> tuple[float, Reason | None]:
    expected = demand.expected_price
    if expected is None:
        return 1.0, None  # nothing to compare with, so no reason to give
    if candidate.price <= expected:
        return 1.0, _PRICE_WITHIN_REASON
    above = (candidate.price - expected) * 100 / expected
    # At least 1, so a price a fraction above never reads as "0% above".
    percent = max(1, int(above.to_integral_value(ROUND_HALF_UP)))
    return float(expected / candidate.price), _reason(PRICE_ABOVE, "percent", percent)


def _availability_reason(candidate: Candidate, today: date) -> Reason:
    if candidate.available_from is None or candidate.available_from <= today:
        return _AVAILABLE_NOW_REASON
    return _reason(AVAILABLE_FROM, "date", candidate.available_from.isoformat())


def _plain(value: Decimal) -> str:
    """A decimal string without trailing zeros or exponent: Decimal("50.000") -> "50"."""
    return format(value.normalize(), "f")


# --- many demands -------------------------------------------------------------------------------------------

# (minus days stranded, days until spoiling, product id, input position, candidate): sorting these tuples sorts
# by urgency, and the unique input position keeps comparison away from the candidate itself.
_Entry = tuple[int, int, int, int, Candidate]


@dataclass(slots=True)
class _Shelf:
    """Candidates in urgency order, also split by county in the same order."""

    entries: list[_Entry] = field(default_factory=list)
    by_county: dict[int, list[_Entry]] = field(default_factory=dict)

    def add(self, entry: _Entry) -> None:
        self.entries.append(entry)
        self.by_county.setdefault(entry[4].county_id, []).append(entry)


@dataclass(slots=True)
class _Bucket:
    """The candidates of one (unit, category), or of one unit for demands without a category."""

    everything: _Shelf = field(default_factory=_Shelf)
    #: Shelves per folded product name, so a named demand reads only the names that match it.
    by_name: dict[str, _Shelf] = field(default_factory=dict)


_Index = dict[tuple[str, str | None], _Bucket]


def match_all(
    demands: Iterable[DemandSpec], candidates: Sequence[Candidate], today: date, limit: int = 10
) -> dict[int, list[Suggestion]]:
    """`rank` for every demand, keyed by demand id, with the candidates indexed once.

    The index buckets candidates by (unit, category) and by unit alone, each in urgency order. Urgency does
    not depend on the demand, so for each demand the paired county's candidates and then the others are read
    in that order, and reading stops at the first change of urgency once `limit` suggestions are in hand: only
    the fit, which comes after urgency in the rank key, could still reorder candidates of the same urgency.
    """
    index = _build_index(candidates, today)
    result: dict[int, list[Suggestion]] = {}
    for demand in demands:
        if demand.id in result:
            raise ValueError(f"demand id {demand.id} appears twice")
        result[demand.id] = _match_one(demand, index, today, limit)
    return result


def _build_index(candidates: Iterable[Candidate], today: date) -> _Index:
    entries: list[_Entry] = sorted(
        (*_urgency(candidate, today), candidate.product_id, position, candidate)
        for position, candidate in enumerate(candidates)
        if _in_stock_and_fresh(candidate, today)
    )
    index: _Index = {}
    for entry in entries:  # in urgency order, so every shelf stays sorted
        candidate = entry[4]
        name = _folded(candidate.name)
        for key in ((candidate.unit, candidate.category), (candidate.unit, None)):
            bucket = index.get(key)
            if bucket is None:
                bucket = index[key] = _Bucket()
            bucket.everything.add(entry)
            shelf = bucket.by_name.get(name)
            if shelf is None:
                shelf = bucket.by_name[name] = _Shelf()
            shelf.add(entry)
    return index


def _match_one(demand: DemandSpec, index: _Index, today: date, limit: int) -> list[Suggestion]:
    bucket = index.get((demand.unit, demand.category or None))
    if bucket is None or limit <= 0:
        return []
    wanted = _folded(demand.name)
    if wanted:
        shelves = [shelf for name, shelf in bucket.by_name.items() if _names_match(wanted, name)]
    else:
        shelves = [bucket.everything]

    found: list[tuple[Suggestion, int]] = []
    county = demand.paired_county_id
    if county is not None:
        paired = _merged([shelf.by_county.get(county, []) for shelf in shelves])
        _collect(demand, paired, today, limit, found, skip_county=None)
    # Every paired suggestion ranks before every other one, so the rest is read only when they are too few.
    if len(found) < limit:
        _collect(demand, _merged([shelf.entries for shelf in shelves]), today, limit, found, skip_county=county)
    found.sort(key=_order)
    return [suggestion for suggestion, _ in found[:limit]]


def _merged(lists: list[list[_Entry]]) -> Iterator[_Entry]:
    lists = [entries for entries in lists if entries]
    if len(lists) == 1:
        return iter(lists[0])
    return heapq.merge(*lists)


def _collect(
    demand: DemandSpec,
    stream: Iterator[_Entry],
    today: date,
    limit: int,
    found: list[tuple[Suggestion, int]],
    skip_county: int | None,
) -> None:
    """Add suggestions from `stream` (urgency order) to `found` until `limit` are in and the urgency changes."""
    last_stranded = last_spoil = None
    for stranded_rank, spoil_rank, _, position, candidate in stream:
        if len(found) >= limit and (stranded_rank != last_stranded or spoil_rank != last_spoil):
            return  # everything from here on ranks after what was found
        last_stranded, last_spoil = stranded_rank, spoil_rank
        if candidate.county_id == skip_county or not fits(demand, candidate, today):
            continue
        found.append((suggest(demand, candidate, today), position))
