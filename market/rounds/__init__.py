"""Staff purchase rounds (职工团购 / 接龙, measure 5.3 "组织干部职工采购"): a unit opens a round of products from its
assisted village and paired county, its staff sign up from their phones, the unit closes it into one bulk order
and hands the goods out at its pick-up places, collecting the money."""

from market.transaction import PageBlueprint

bp = PageBlueprint("rounds", __name__, url_prefix="/rounds")
