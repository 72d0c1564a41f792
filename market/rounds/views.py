"""Pages of purchase rounds (the routes attach to `market.rounds.bp`)."""

from market.rounds import bp  # noqa: F401
