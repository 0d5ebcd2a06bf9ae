"""the outbox's provider-id index holds only sent messages

A message is written to the outbox without a provider's id (the provider gives one when it
is sent), so an entry for every new row was a page written with every reply for nothing:
delivery callbacks and Telegram taps look messages up by an id they were given.

Revision ID: 0007_outbox_provider_partial
Revises: 0006_email
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007_outbox_provider_partial'
down_revision = '0006_email'
branch_labels = None
depends_on = None

_SENT = sa.text('provider_id IS NOT NULL')


def upgrade() -> None:
    op.drop_index('ix_outbox_provider', table_name='outbound_messages')
    op.create_index(
        'ix_outbox_provider', 'outbound_messages', ['channel', 'provider_id'],
        sqlite_where=_SENT, postgresql_where=_SENT,
    )


def downgrade() -> None:
    op.drop_index('ix_outbox_provider', table_name='outbound_messages')
    op.create_index('ix_outbox_provider', 'outbound_messages', ['channel', 'provider_id'])
