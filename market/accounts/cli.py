"""`flask --app market orgs create` and `users create`: setting up a real deployment without the demo."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from market.accounts import operations as ops
from market.accounts.models import BuyerSystem, BuyerType, Organisation, OrgKind, OrgStatus, Role, SupplierType
from market.extensions import db
from market.regions.queries import county_by_code

orgs_cli = AppGroup("orgs", help="Organisations.")
users_cli = AppGroup("users", help="People who sign in.")


def _choice(enum_cls):
    return click.Choice([m.value for m in enum_cls])


@orgs_cli.command("create")
@click.option("--name", required=True)
@click.option("--kind", type=_choice(OrgKind), required=True)
@click.option("--county", "county_code", help="County code, e.g. qingyuan (suppliers and county offices).")
@click.option("--supplier-type", type=_choice(SupplierType))
@click.option("--system", "buyer_system", type=_choice(BuyerSystem), help="Buyer's system of city agencies.")
@click.option("--buyer-type", type=_choice(BuyerType))
@click.option("--status", type=_choice(OrgStatus), default=OrgStatus.ACTIVE.value, show_default=True)
def create_org(name, kind, county_code, supplier_type, buyer_system, buyer_type, status):
    """Create an organisation (active unless --status says otherwise) and print its id."""
    county = None
    if county_code:
        county = county_by_code(county_code)
        if county is None:
            raise click.BadParameter(f"no county {county_code!r}; run `flask --app market geo load` first", param_hint="--county")
    try:
        org = ops.create_organisation(
            name=name,
            kind=OrgKind(kind),
            status=OrgStatus(status),
            county=county,
            supplier_type=SupplierType(supplier_type) if supplier_type else None,
            buyer_system=BuyerSystem(buyer_system) if buyer_system else None,
            buyer_type=BuyerType(buyer_type) if buyer_type else None,
        )
    except ops.AccountError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"organisation {org.id}: {org.name} ({org.kind.value}, {org.status.value})")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--org", "org_id", type=int, required=True, help="Organisation id (see `orgs create`).")
@click.option("--role", type=_choice(Role), default=Role.MANAGER.value, show_default=True)
@click.password_option(help="Asked for when not given.")
def create_user(email, name, org_id, role, password):
    """Create a person in an organisation."""
    org = db.session.get(Organisation, org_id)
    if org is None:
        raise click.BadParameter(f"no organisation {org_id}", param_hint="--org")
    if len(password) < 10:
        raise click.BadParameter("at least 10 characters", param_hint="--password")
    try:
        user = ops.create_user(organisation=org, email=email, name=name, password=password, role=Role(role))
    except ops.AccountError as error:
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"user {user.id}: {user.email} ({user.role.value} of {org.name})")


