"""notifications and mail preference

Revision ID: b7c4e91a2d05
Revises: a17c0e5f9b21
Create Date: 2026-11-30 03:09:58.964897

The message centre (issue 17): one row per message and reader, which is also the e-mail outbox (mail_state
pending until `flask --app market notifications deliver` sends or skips it), and each person's e-mail preference
(all, only those needing action, none; everyone starts with all).
"""
from alembic import op
import sqlalchemy as sa

import market.types


# revision identifiers, used by Alembic.
revision = 'b7c4e91a2d05'
down_revision = 'a17c0e5f9b21'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('params', sa.Text(), nullable=False),
    sa.Column('link_endpoint', sa.String(length=80), nullable=True),
    sa.Column('link_args', sa.Text(), nullable=False),
    sa.Column('link_path', sa.String(length=300), nullable=True),
    sa.Column('object_kind', sa.String(length=40), nullable=True),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('created_at', market.types.UTCDateTime(), nullable=False),
    sa.Column('read_at', market.types.UTCDateTime(), nullable=True),
    sa.Column('mail_state', sa.Enum('pending', 'sent', 'skipped', name='mailstate', native_enum=False, length=10), nullable=False),
    sa.Column('mailed_at', market.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_notifications_recipient_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notifications_mail_state'), ['mail_state'], unique=False)
        batch_op.create_index('ix_notifications_recipient_read', ['recipient_id', 'read_at'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mail_preference', sa.Enum('all', 'action', 'none', name='mailpreference', native_enum=False, length=10), server_default='all', nullable=False))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('mail_preference')

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_recipient_read')
        batch_op.drop_index(batch_op.f('ix_notifications_mail_state'))

    op.drop_table('notifications')
