"""Pages of purchase rounds (the routes attach to `market.rounds.bp`)."""

from market.rounds import bp  # noqa: F401
from market.rounds import views_closing  # noqa: F401
