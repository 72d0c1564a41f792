from market.bulletins import bp  # noqa: F401  (routes follow)
