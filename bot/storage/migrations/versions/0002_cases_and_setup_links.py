"""concerns become cases; one-time setup links for the first administrator

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.storage.models

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STEPS = ("investigated", "summary_sent", "safety_work", "preventive_work")


def upgrade() -> None:
    op.create_table(
        "setup_tokens",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", bot.storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("concerns", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("category", sa.String(length=16), nullable=False, server_default="complaint")
        )
        batch_op.add_column(
            sa.Column("severity", sa.String(length=16), nullable=False, server_default="other")
        )
        batch_op.add_column(
            sa.Column("nation", sa.String(length=16), nullable=False, server_default="england")
        )
        batch_op.add_column(sa.Column("property_ref", sa.String(length=300), nullable=True))
        for step in STEPS:
            batch_op.add_column(sa.Column(f"{step}_by", sa.String(length=100), nullable=True))
            batch_op.add_column(
                sa.Column(
                    f"{step}_at", bot.storage.models.UTCDateTime(timezone=True), nullable=True
                )
            )


def downgrade() -> None:
    with op.batch_alter_table("concerns", schema=None) as batch_op:
        for step in reversed(STEPS):
            batch_op.drop_column(f"{step}_at")
            batch_op.drop_column(f"{step}_by")
        for name in ("property_ref", "nation", "severity", "category"):
            batch_op.drop_column(name)
    op.drop_table("setup_tokens")
