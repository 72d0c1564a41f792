"""shared-canteen coverage accepted by each covered unit

Revision ID: e4b2c7a19d30
Revises: db6d109c2d56
Create Date: 2026-11-29 20:30:00.000000

A shared-canteen declaration used to list covered units outright (reserved_share_units), so a unit's purchases
counted toward another's share without its say. Each covered unit now gets a request it accepts or declines
(share_coverages), and a unit is covered by at most one declaration a year (pending or accepted), held by a
partial unique index. Existing coverage becomes a pending request: nothing counts until the unit accepts. Where
two declarations covered the same unit in a year, the later one is recorded as declined.
"""
from alembic import op
import sqlalchemy as sa

import market.types


# revision identifiers, used by Alembic.
revision = 'e4b2c7a19d30'
down_revision = 'db6d109c2d56'
branch_labels = None
depends_on = None

LIVE = "status IN ('pending', 'accepted')"


def upgrade():
    op.create_table('share_coverages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'accepted', 'declined', name='coveragestatus', native_enum=False, length=30), nullable=False),
    sa.Column('requested_at', market.types.UTCDateTime(), nullable=False),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('answered_at', market.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_share_coverages_answered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['declaration_id'], ['reserved_shares.id'], name=op.f('fk_share_coverages_declaration_id_reserved_shares'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['organisations.id'], name=op.f('fk_share_coverages_unit_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_coverages')),
    sa.UniqueConstraint('declaration_id', 'unit_id', name='uq_share_coverages_declaration_unit')
    )
    # Existing coverage, as requests not yet answered; the second and later coverage of a unit in a year declined.
    op.execute(
        "INSERT INTO share_coverages (declaration_id, unit_id, year, status, requested_at) "
        "SELECT u.declaration_id, u.unit_id, r.year, "
        "CASE WHEN EXISTS (SELECT 1 FROM reserved_share_units u2 JOIN reserved_shares r2 ON r2.id = u2.declaration_id "
        "WHERE u2.unit_id = u.unit_id AND r2.year = r.year AND u2.declaration_id < u.declaration_id) "
        "THEN 'declined' ELSE 'pending' END, r.declared_at "
        "FROM reserved_share_units u JOIN reserved_shares r ON r.id = u.declaration_id"
    )
    with op.batch_alter_table('share_coverages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_coverages_declaration_id'), ['declaration_id'], unique=False)
        batch_op.create_index('uq_share_coverages_unit_year_live', ['unit_id', 'year'], unique=True,
                              sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))
    op.drop_table('reserved_share_units')


def downgrade():
    op.create_table('reserved_share_units',
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['declaration_id'], ['reserved_shares.id'], name=op.f('fk_reserved_share_units_declaration_id_reserved_shares'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['organisations.id'], name=op.f('fk_reserved_share_units_unit_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('declaration_id', 'unit_id', name=op.f('pk_reserved_share_units'))
    )
    # The old table cannot say "asked but not accepted": only accepted coverage goes back.
    op.execute(
        "INSERT INTO reserved_share_units (declaration_id, unit_id) "
        "SELECT declaration_id, unit_id FROM share_coverages WHERE status = 'accepted'"
    )
    with op.batch_alter_table('share_coverages', schema=None) as batch_op:
        batch_op.drop_index('uq_share_coverages_unit_year_live')
        batch_op.drop_index(batch_op.f('ix_share_coverages_declaration_id'))
    op.drop_table('share_coverages')
