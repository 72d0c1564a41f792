from market.catalog import bp  # noqa: F401  (routes follow)
