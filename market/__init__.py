"""The consumption-assistance market (消费扶贫): stranded produce of poor households sold to canteens and firms."""

from __future__ import annotations

import os

from flask import Flask, render_template
from flask_babel import gettext as _
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, ROOT, engine_options, instance_path


def create_app(config_name: str | None = None, **overrides) -> Flask:
    config_name = config_name or os.environ.get("MARKET_ENV", "development")
    app = Flask(
        __name__,
        instance_path=str(instance_path()),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from market.numbers import BoundedIntConverter

    # Every <int:...> in a path is bounded (an id past 2^63-1 is a 404, not a database error); before any route.
    app.url_map.converters["int"] = BoundedIntConverter
    app.config.from_object(CONFIGS[config_name]())
    app.config.update(overrides)
    if "SQLALCHEMY_DATABASE_URI" in overrides and "SQLALCHEMY_ENGINE_OPTIONS" not in overrides:
        # The options depend on the database (connect_timeout is PostgreSQL's), so follow an overridden URL.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config["PROXY_COUNT"]:
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    from market.http import SessionInterface, from_memory

    app.session_interface = SessionInterface()  # a visitor's public page carries no cookie and no Vary: Cookie
    app.before_request(from_memory)  # first: a visitor's page answered a moment ago costs nothing else
    register_extensions(app)
    register_blueprints(app)
    register_commands(app)
    register_template_helpers(app)
    register_error_handlers(app)
    register_hooks(app)
    return app


def register_extensions(app: Flask) -> None:
    from market import database, models  # noqa: F401  (every table known to the metadata)
    from market.catalog import permissions as _catalog_rules  # noqa: F401  (registers its permission rules)
    from market.delivery import permissions as _delivery_rules  # noqa: F401
    from market.orders import permissions as _order_rules  # noqa: F401
    from market.payments import permissions as _payment_rules  # noqa: F401
    from market.shares import permissions as _share_rules  # noqa: F401
    from market.agreements import permissions as _agreement_rules  # noqa: F401
    from market.demands import permissions as _demand_rules  # noqa: F401
    from market.pledges import permissions as _pledge_rules  # noqa: F401
    from market.invoices import permissions as _invoice_rules  # noqa: F401
    from market.rounds import permissions as _round_rules  # noqa: F401
    from market.staff import permissions as _staff_rules  # noqa: F401
    from market.households import permissions as _household_rules  # noqa: F401
    from market.accounts import labels as _account_labels  # noqa: F401  (registers its enums' names)
    from market.catalog import labels as _catalog_labels  # noqa: F401
    from market.orders import labels as _order_labels  # noqa: F401
    from market.payments import labels as _payment_labels  # noqa: F401
    from market.invoices import labels as _invoice_labels  # noqa: F401
    from market.shares import labels as _share_labels  # noqa: F401
    from market.agreements import labels as _agreement_labels  # noqa: F401
    from market.pledges import labels as _pledge_labels  # noqa: F401
    from market.pairing import labels as _pairing_labels  # noqa: F401  (and what the audit log says of them)
    from market.demands import labels as _demand_labels  # noqa: F401
    from market.bulletins import labels as _bulletin_labels  # noqa: F401
    from market.rounds import labels as _round_labels  # noqa: F401
    from market.staff import labels as _staff_labels  # noqa: F401
    from market.households import labels as _household_labels  # noqa: F401
    from market.notifications import accounts as _account_notices  # noqa: F401  (registers message kinds)
    from market.orders import notices as _order_notices  # noqa: F401
    from market.catalog import notices as _catalog_notices  # noqa: F401
    from market.payments import notices as _payment_notices  # noqa: F401
    from market.pledges import notices as _pledge_notices  # noqa: F401
    from market.agreements import notices as _agreement_notices  # noqa: F401
    from market.demands import notices as _demand_notices  # noqa: F401
    from market.invoices import notices as _invoice_notices  # noqa: F401
    from market.staff import notices as _staff_notices  # noqa: F401
    from market.audit.operations import install as install_audit
    from market.extensions import babel, cache, csrf, db, limiter, login_manager, migrate
    from market.i18n import select_locale

    db.init_app(app)
    database.configure_engine(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    from market.security import apply_upload_limits, refuse_nul_characters

    app.before_request(apply_upload_limits)  # before CSRFProtect's hook, which reads the body
    app.before_request(refuse_nul_characters)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    cache.init_app(app)
    install_audit()


def register_blueprints(app: Flask) -> None:
    import importlib

    # Each feature package holds its blueprint in __init__ (a PageBlueprint, whose handler answers a rule's error
    # in a page; the API's answers problem+json); importing its views attaches the routes.
    for name in ("home", "accounts", "notifications", "staff", "delivery", "admin", "catalog", "bulletins", "orders", "pairing",
                 "payments", "households", "invoices", "shares", "demands", "tallies", "agreements", "rounds", "pledges", "reports", "api"):
        package = importlib.import_module(f"market.{name}")
        importlib.import_module(f"market.{name}.views")
        app.register_blueprint(package.bp)
    importlib.import_module("market.api.auth")


def register_commands(app: Flask) -> None:
    from market.accounts.cli import orgs_cli, users_cli
    from market.bulletins.cli import bulletins_cli
    from market.agreements.cli import agreements_cli
    from market.backup import backup_command
    from market.payments.cli import payments_cli
    from market.invoices import cli as _invoice_commands  # noqa: F401  (adds `payments remind-due`)
    from market.demo.cli import seed_demo_command
    from market.pairing.cli import geo_cli
    from market.notifications.cli import notifications_cli
    from market.pledges.cli import pledges_cli

    for command in (orgs_cli, users_cli, geo_cli, bulletins_cli, payments_cli, agreements_cli, backup_command,
                    seed_demo_command, notifications_cli, pledges_cli):
        app.cli.add_command(command)


def register_template_helpers(app: Flask) -> None:
    from market import i18n
    from market.forms import messages_to_show, shown_beside_field
    from market.http import language_url
    from market.orders.labels import event_action, event_note
    from market.labels import label
    from market.permissions import can
    from market.sharing import page_url, qr_data_uri, site_image_url

    app.jinja_env.filters.update(money=i18n.money, qty=i18n.quantity, local_datetime=i18n.local_datetime,
                                 local_date=i18n.local_date, label=label, localized=i18n.localized_name)

    def url_with(**changes) -> str:
        """This page's URL with some query arguments changed (pagination, filters)."""
        from flask import request, url_for

        args = {**request.args.to_dict(), **changes}
        return url_for(request.endpoint, **(request.view_args or {}), **args)

    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.globals["language_url"] = language_url
    app.jinja_env.globals.update(page_url=page_url, qr_data_uri=qr_data_uri, site_image_url=site_image_url)
    app.jinja_env.globals.update(shown_beside_field=shown_beside_field, messages_to_show=messages_to_show)
    app.jinja_env.filters.update(event_action=event_action, event_note=event_note)

    @app.context_processor
    def globals_for_templates():
        return {"current_locale": i18n.current_locale, "languages": app.config["LANGUAGES"], "can": can}


def register_error_handlers(app: Flask) -> None:
    messages = {
        400: lambda: _("The request could not be understood. Reload the page and try again."),
        403: lambda: _("You are not allowed to do this."),
        404: lambda: _("This page does not exist, or it is not yours to see."),
        405: lambda: _("This action is not available here."),
        413: lambda: _("The upload is too large."),
        429: lambda: _("Too many attempts. Wait a minute and try again."),
        500: lambda: _("Something went wrong on our side. Nothing was saved; please try again."),
    }

    def handler(error):
        from flask import request

        from market.extensions import db

        code = getattr(error, "code", 500) or 500
        if code >= 500:
            db.session.rollback()
        if request.path.startswith("/api/"):
            from market.problems import problem_response

            return problem_response(code)
        return render_template("error.html", code=code, message=messages.get(code, messages[500])()), code

    for code in messages:
        app.register_error_handler(code, handler)

    from flask_wtf.csrf import CSRFError

    from market.problems import ApiProblem, from_exception

    @app.errorhandler(ApiProblem)
    def api_problem(problem):  # raised before the API blueprint's own handler is in reach (its before_request)
        from market.extensions import db

        db.session.rollback()
        return from_exception(problem)

    from sqlalchemy.exc import DBAPIError

    @app.errorhandler(DBAPIError)
    def database_unavailable(error):
        """The database went away: answer 503 at once, without a stack trace and without touching the database
        again (the normal error page would look up the signed-in person). Connections are checked before use
        (pool_pre_ping), so the app serves again by itself once the database is back."""
        from market.extensions import db

        if not getattr(error, "connection_invalidated", False) and not _is_connection_problem(error):
            raise error
        try:
            db.session.rollback()
        except DBAPIError:
            pass
        app.logger.warning("database unavailable: %s", type(error.orig).__name__ if error.orig else error)
        from market.transaction import unavailable_response

        return unavailable_response()

    @app.teardown_appcontext
    def end_session(_exc):
        """End the request's session before Flask-SQLAlchemy's own teardown does (teardowns run in reverse
        order). If the database went away after the answer was made, the rollback fails: the connection is
        already discarded, and an answer that was made (an order placed, say) must not become a 500."""
        from market.extensions import db

        try:
            db.session.remove()
        except DBAPIError as error:
            app.logger.warning("database lost while ending a request: %s", type(error.orig).__name__)
            try:
                db.session.remove()  # the lost connection is discarded by now: release what is left
            except DBAPIError:
                db.session.registry.clear()

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        message = _("The form has expired or did not come from this site. Reload the page and try again.")
        return render_template("error.html", code=400, message=message), 400


def _is_connection_problem(error) -> bool:
    """An OperationalError or InterfaceError from the driver means the connection, not the query, failed."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    text = str(error.orig or error).lower()
    # SQLite's "database is locked" is contention, not an outage: let it surface as an error.
    return "locked" not in text and "no such table" not in text


def register_hooks(app: Flask) -> None:
    from market.permissions import approval_gate
    from market.security import set_security_headers
    from market.transaction import commit_or_roll_back

    app.before_request(approval_gate)  # an unapproved organisation sees its own profile only
    app.after_request(set_security_headers)
    # Registered last, so it runs first: the request's one commit, before the hooks that send what it queued.
    app.after_request(commit_or_roll_back)
