"""channel identities remember an undeliverable address

An email address that bounces is marked failed (when and why, in words for officers), so
the next campaign skips it with that reason instead of writing to it again.

Revision ID: 0006_email
Revises: 0005_whatsapp
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = '0006_email'
down_revision = '0005_whatsapp'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('channel_identities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_at', bot.storage.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_reason', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('channel_identities', schema=None) as batch_op:
        batch_op.drop_column('failed_reason')
        batch_op.drop_column('failed_at')
