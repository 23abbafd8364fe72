"""privacy: sharing progress with the trainer; marks for erased words and removed participants

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("share_with_trainer", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("participant_removed_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("handovers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("words_erased_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("participant_removed_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("handovers", schema=None) as batch_op:
        batch_op.drop_column("participant_removed_at")
        batch_op.drop_column("words_erased_at")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_column("participant_removed_at")
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("share_with_trainer")
