"""outbox rows say why they were written; when a tenant last wrote, by channel

WhatsApp lets a business write freely only within 24 hours of the tenant's last message
and otherwise only approved templates, one per purpose: the outbox records the purpose of
a message written unasked (invitation, reminder, reopen), and an index finds the last
inbound message of a tenant on a channel.

Revision ID: 0005_whatsapp
Revises: 0004_send_slot_window
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005_whatsapp'
down_revision = '0004_send_slot_window'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=16), nullable=True))
    op.create_index(
        'ix_inbound_heard',
        'inbound_messages',
        ['respondent_id', 'channel', 'received_at'],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index('ix_inbound_heard', table_name='inbound_messages')
    with op.batch_alter_table('outbound_messages', schema=None) as batch_op:
        batch_op.drop_column('purpose')
