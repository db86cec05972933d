"""deliveries.claims (how often a delivery was claimed, to spot sends a crash left
unrecorded), tombstones (rules and feeds removed by an admin that config still lists) and
feeds.warning (what a lenient parse skipped or repaired)

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.tables

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch_op:
        batch_op.add_column(sa.Column("claims", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("feeds") as batch_op:
        batch_op.add_column(sa.Column("warning", sa.Text(), nullable=True))
    op.create_table(
        "tombstones",
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("ident", sa.String(2000), primary_key=True),
        sa.Column("removed_at", bot.store.tables.UTCDateTime(), nullable=False),
        sa.Column("removed_by", sa.String(200)),
    )


def downgrade() -> None:
    op.drop_table("tombstones")
    with op.batch_alter_table("feeds") as batch_op:
        batch_op.drop_column("warning")
    with op.batch_alter_table("deliveries") as batch_op:
        batch_op.drop_column("claims")
