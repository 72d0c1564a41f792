"""round share payments: staff pay their own share of an online-payment round by card

One row per attempt; a partial unique index keeps at most one live (pending or succeeded) payment per sign-up.

Revision ID: ec1c7d39fec3
Revises: a60bb6399ac2
Create Date: 2026-11-30 06:23:13.985751

"""
from alembic import op
import sqlalchemy as sa

import market.types


# revision identifiers, used by Alembic.
revision = 'ec1c7d39fec3'
down_revision = 'a60bb6399ac2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('round_share_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('signup_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('pending', 'succeeded', 'failed', 'cancelled', name='paymentstate', native_enum=False, length=30), nullable=False),
    sa.Column('amount', market.types.Money(), nullable=False),
    sa.Column('intent_id', sa.String(length=80), nullable=True),
    sa.Column('create_key', sa.String(length=64), nullable=False),
    sa.Column('confirm_key', sa.String(length=64), nullable=False),
    sa.Column('failure_message', sa.String(length=300), nullable=True),
    sa.Column('created_at', market.types.UTCDateTime(), nullable=False),
    sa.Column('updated_at', market.types.UTCDateTime(), nullable=False),
    sa.Column('succeeded_at', market.types.UTCDateTime(), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_round_share_payments_amount_positive')),
    sa.ForeignKeyConstraint(['signup_id'], ['round_signups.id'], name=op.f('fk_round_share_payments_signup_id_round_signups')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_round_share_payments_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_share_payments')),
    sa.UniqueConstraint('confirm_key', name=op.f('uq_round_share_payments_confirm_key')),
    sa.UniqueConstraint('create_key', name=op.f('uq_round_share_payments_create_key')),
    sa.UniqueConstraint('intent_id', name=op.f('uq_round_share_payments_intent_id'))
    )
    with op.batch_alter_table('round_share_payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_share_payments_signup_id'), ['signup_id'], unique=False)
        batch_op.create_index('uq_round_share_payments_signup_live', ['signup_id'], unique=True, sqlite_where=sa.text("state IN ('pending', 'succeeded')"), postgresql_where=sa.text("state IN ('pending', 'succeeded')"))



def downgrade():
    with op.batch_alter_table('round_share_payments', schema=None) as batch_op:
        batch_op.drop_index('uq_round_share_payments_signup_live', sqlite_where=sa.text("state IN ('pending', 'succeeded')"), postgresql_where=sa.text("state IN ('pending', 'succeeded')"))
        batch_op.drop_index(batch_op.f('ix_round_share_payments_signup_id'))

    op.drop_table('round_share_payments')
