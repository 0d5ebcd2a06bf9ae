"""send slots remember the last second's bookings

The shared send schedule books per SMS part and per WhatsApp message and keeps the
bookings of the last second, so that no one-second window exceeds a channel's rate
whatever the number of dispatchers.

Revision ID: 0004_send_slot_window
Revises: 0003_profile_vocabulary
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004_send_slot_window'
down_revision = '0003_profile_vocabulary'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('send_slots', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recent', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('send_slots', schema=None) as batch_op:
        batch_op.drop_column('recent')
