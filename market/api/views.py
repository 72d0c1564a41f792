"""The API's endpoints, by feature: importing this module attaches them, with the error handlers, to the
blueprint (market.register_blueprints imports every feature's `views`)."""

from market.api import (  # noqa: F401
    accounts,
    agreements,
    catalog,
    demands,
    documents,
    errors,
    households,
    invoices,
    notifications,
    orders,
    pledges,
    reports,
    round_closing,
    rounds,
)
