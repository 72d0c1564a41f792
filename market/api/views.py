"""The API's endpoints, by feature: importing this module attaches them, with the error handlers, to the
blueprint (market.register_blueprints imports every feature's `views`)."""

from market.api import (accounts, agreements, catalog, demands, documents, errors, notifications, orders,  # noqa: F401
                        pledges, reports)
