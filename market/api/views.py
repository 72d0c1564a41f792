"""The API's endpoints, by feature: importing this module attaches them, with the error handlers, to the
blueprint (market.register_blueprints imports every feature's `views`)."""

from market.api import accounts, agreements, catalog, demands, documents, errors, invoices, orders, pledges  # noqa: F401
from market.api import reports  # noqa: F401
