"""at most one live payment per order

Revision ID: f3a81c5d6e20
Revises: e4b2c7a19d30
Create Date: 2026-11-29 21:00:00.000000

Two simultaneous pay (or offline settlement) requests each checked for a payment and then inserted one, so an
order could be charged twice. A partial unique index on payments(order_id) for payments that are pending or
succeeded now holds at most one live payment per order. Where existing data already has several, the later
pending ones are cancelled first (a succeeded one is money taken: if an order has two, the index cannot be
built and the upgrade stops, to be sorted out by hand).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f3a81c5d6e20'
down_revision = 'e4b2c7a19d30'
branch_labels = None
depends_on = None

LIVE = "state IN ('pending', 'succeeded')"


def upgrade():
    # A pending payment beside a succeeded or an earlier pending one of the same order is no longer live.
    op.execute(
        "UPDATE payments SET state = 'cancelled' WHERE state = 'pending' AND EXISTS ("
        "SELECT 1 FROM payments p2 WHERE p2.order_id = payments.order_id AND p2.id <> payments.id AND "
        "(p2.state = 'succeeded' OR (p2.state = 'pending' AND p2.id < payments.id)))"
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index('uq_payments_order_live', ['order_id'], unique=True,
                              sqlite_where=sa.text(LIVE), postgresql_where=sa.text(LIVE))


def downgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index('uq_payments_order_live')
