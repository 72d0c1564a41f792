"""The channel of an order (DESIGN.md "Channel"): how a counted order came about, for the totals split by it.

Defined once here, as a SQL expression, so every total (city, county, unit, API, reserved share) splits the same
way: a private firm's order is the channel "firm" whatever its source; a budget unit's order is a staff purchase
round's, an agreement's delivery, or else the canteen's own buying (cart, order form, API, demand)."""

from __future__ import annotations

import enum

from sqlalchemy import case, func, type_coerce

from market.accounts.models import OrgKind
from market.orders.models import OrderSource
from market.types import Money


class Channel(enum.StrEnum):
    CANTEEN = "canteen"
    STAFF_ROUND = "staff_round"
    AGREEMENT = "agreement"
    FIRM = "firm"


#: The stable order channels are shown in (columns, API items).
CHANNELS = (Channel.CANTEEN, Channel.STAFF_ROUND, Channel.AGREEMENT, Channel.FIRM)


def channel_of(order, buyer):
    """The channel of `order` (the Order class or an alias) as a SQL string expression; `buyer` is the
    Organisation (or alias) the statement joins on `buyer.id == order.buyer_id`."""
    return case((buyer.kind == OrgKind.FIRM, Channel.FIRM.value),
                (order.source == OrderSource.STAFF_ROUND, Channel.STAFF_ROUND.value),
                (order.source == OrderSource.AGREEMENT, Channel.AGREEMENT.value),
                else_=Channel.CANTEEN.value)


def sum_in_channel(channel_expr, channel: Channel, fen):
    """The sum in CNY of `fen` over the rows of one channel (0 for the others): a column beside a grouped total,
    so a split needs no further statement. `fen` is an integer expression such as `Order.counted_fen()`."""
    return type_coerce(func.coalesce(func.sum(case((channel_expr == channel.value, fen), else_=0)), 0), Money())
