"""delivery addresses, and the delivery each order carries

Revision ID: b7d4e2a91c05
Revises: f3a81c5d6e20
Create Date: 2026-12-01 10:00:00.000000

Buying organisations keep an address book (delivery_addresses). An order copies the chosen address (place,
recipient, phone, notes) when it is placed, with the requested day and the buyer's note; the supplier may propose
another day when confirming. Existing orders carry no delivery (all NULL).
"""
from alembic import op
import sqlalchemy as sa

from market.types import UTCDateTime


# revision identifiers, used by Alembic.
revision = 'b7d4e2a91c05'
down_revision = 'f3a81c5d6e20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'delivery_addresses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('place', sa.String(length=300), nullable=False),
        sa.Column('recipient', sa.String(length=80), nullable=False),
        sa.Column('phone', sa.String(length=40), nullable=False),
        sa.Column('notes', sa.String(length=500), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'],
                                name=op.f('fk_delivery_addresses_organisation_id_organisations'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_addresses')),
    )
    with op.batch_alter_table('delivery_addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_addresses_organisation_id'), ['organisation_id'], unique=False)
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivery_address', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('delivery_recipient', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('delivery_phone', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('delivery_instructions', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('requested_delivery_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('delivery_note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('proposed_delivery_date', sa.Date(), nullable=True))


def downgrade():
    with op.batch_alter_table('orders', schema=None) as batch_op:
        for name in ('proposed_delivery_date', 'delivery_note', 'requested_delivery_date', 'delivery_instructions',
                     'delivery_phone', 'delivery_recipient', 'delivery_address'):
            batch_op.drop_column(name)
    with op.batch_alter_table('delivery_addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_addresses_organisation_id'))
    op.drop_table('delivery_addresses')
