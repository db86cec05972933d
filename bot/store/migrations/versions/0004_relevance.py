"""relevance_labels (votes on whether an item was relevant to a rule) and relevance_models
(each rule's trained relevance model, versioned, as JSON)

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import bot.store.tables

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "relevance_labels",
        sa.Column("id", Id, primary_key=True),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("link", sa.String(2000), nullable=False),
        sa.Column("voter", sa.String(200), nullable=False),
        sa.Column("relevant", sa.Boolean(), nullable=False),
        sa.Column("at", bot.store.tables.UTCDateTime(), nullable=False),
        sa.Column(
            "alert_id",
            Id,
            sa.ForeignKey(
                "alerts.id",
                ondelete="SET NULL",
                name="fk_relevance_labels_alert_id_alerts",
            ),
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("published", bot.store.tables.UTCDateTime()),
        sa.UniqueConstraint("rule_id", "link", "voter", name="uq_relevance_labels_vote"),
    )
    op.create_index("ix_relevance_labels_rule", "relevance_labels", ["rule_id", "at"])
    op.create_table(
        "relevance_models",
        sa.Column("id", Id, primary_key=True),
        sa.Column("rule_id", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("trained_at", bot.store.tables.UTCDateTime(), nullable=False),
        sa.Column("labels_stamp", sa.String(100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.UniqueConstraint("rule_id", "version", name="uq_relevance_models_version"),
    )


def downgrade() -> None:
    op.drop_table("relevance_models")
    op.drop_index("ix_relevance_labels_rule", table_name="relevance_labels")
    op.drop_table("relevance_labels")
