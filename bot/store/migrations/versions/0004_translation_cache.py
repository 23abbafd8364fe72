"""translation cache: machine translations by a hash of the redacted text, with their age

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "translation_cache",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("target", sa.String(length=8), nullable=False),
        sa.Column("translation", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_translation_cache")),
    )
    op.create_index(
        op.f("ix_translation_cache_created_at"), "translation_cache", ["created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_translation_cache_created_at"), table_name="translation_cache")
    op.drop_table("translation_cache")
