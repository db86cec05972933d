"""The schema: one SQLAlchemy Core table per stored concept, shared by SQLite and PostgreSQL.

Uniqueness constraints, not Python sets, make "seen" and "delivered" true across processes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use UTC-aware datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# BigInteger ids autoincrement on PostgreSQL; on SQLite only INTEGER PRIMARY KEY does.
Id = BigInteger().with_variant(Integer(), "sqlite")

feeds = Table(
    "feeds",
    metadata,
    Column("id", Id, primary_key=True),
    Column("url", String(2000), nullable=False, unique=True),
    Column("name", String(200)),
    Column("interval_seconds", Integer, nullable=False),
    Column("full_text", Boolean, nullable=False, default=True),
    Column("etag", String(500)),
    Column("last_modified", String(100)),
    Column("next_poll_at", UTCDateTime, nullable=False),
    Column("failures", Integer, nullable=False, default=0),
    Column("polls", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("warning", Text),  # the last successful parse read it leniently, and why
    Column("body_hash", String(64)),  # the last body whose items were all stored (0005)
    Column("last_polled_at", UTCDateTime),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("lease_owner", String(100)),
    Column("lease_until", UTCDateTime),
    Column("added_by", String(200)),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_feeds_due", "disabled", "next_poll_at"),
)

items = Table(
    "items",
    metadata,
    Column("id", Id, primary_key=True),
    Column("feed_id", Id, ForeignKey("feeds.id", ondelete="CASCADE"), nullable=False),
    Column("identity", String(1000), nullable=False),
    Column("title", Text, nullable=False),
    Column("link", String(2000)),
    Column("summary", Text, nullable=False, default=""),
    Column("content", Text, nullable=False, default=""),
    Column("published", UTCDateTime),
    Column("author", String(300)),
    Column("source", String(300), nullable=False, default=""),
    Column("seen_at", UTCDateTime, nullable=False),
    UniqueConstraint("feed_id", "identity", name="uq_items_feed_identity"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Id, primary_key=True),
    Column("item_id", Id, ForeignKey("items.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("feed_id", Id, nullable=False),
    Column("title", Text, nullable=False),
    Column("link", String(2000)),
    Column("source", String(300), nullable=False, default=""),
    Column("published", UTCDateTime),
    Column("summary", Text, nullable=False, default=""),
    Column("quotes", JSON, nullable=False),
    Column("matches", JSON, nullable=False),
    Column("priority", String(10), nullable=False),
    Column("fingerprint", BigInteger),
    Column("story_id", Id, ForeignKey("alerts.id", ondelete="SET NULL")),
    Column("created_at", UTCDateTime, nullable=False),
    Index("ix_alerts_created", "created_at"),
)

mentions = Table(
    "mentions",
    metadata,
    Column("alert_id", Id, ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True),
    Column("actor_id", String(64), primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_mentions_actor", "actor_id", "at"),
)

alert_rules = Table(
    "alert_rules",
    metadata,
    Column("alert_id", Id, ForeignKey("alerts.id", ondelete="CASCADE"), primary_key=True),
    Column("rule_id", String(64), primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Index("ix_alert_rules_rule", "rule_id", "at"),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("id", Id, primary_key=True),
    Column("platform", String(20), nullable=False),
    Column("address", String(2000), nullable=False),
    Column("workspace", String(100)),
    Column("target", String(80), nullable=False),
    Column("min_priority", String(10), nullable=False),
    Column("mention_role", String(100)),
    Column("mode", String(10), nullable=False),
    Column("digest_time", String(5)),
    Column("paused", Boolean, nullable=False, default=False),
    Column("paused_reason", Text),
    Column("last_digest_at", UTCDateTime),
    Column("created_by", String(200)),
    Column("created_at", UTCDateTime, nullable=False),
    UniqueConstraint("platform", "address", "target", name="uq_subscriptions_dest_target"),
    Index("ix_subscriptions_target", "target"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Id, primary_key=True),
    Column("alert_id", Id, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    Column("platform", String(20), nullable=False),
    Column("address", String(2000), nullable=False),
    Column("workspace", String(100)),
    Column("status", String(10), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("lease_owner", String(100)),
    Column("lease_until", UTCDateTime),
    Column("message_id", String(200)),
    Column("mention_role", String(100)),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Column("claims", Integer, nullable=False, default=0, server_default="0"),
    UniqueConstraint("alert_id", "platform", "address", name="uq_deliveries_alert_dest"),
    Index("ix_deliveries_pending", "status", "platform", "address", "id"),
)


def _catalog_table(name: str) -> Table:
    """Rules and actors are stored alike: the validated model as JSON, and who changed it."""
    return Table(
        name,
        metadata,
        Column("id", String(64), primary_key=True),
        Column("body", JSON, nullable=False),
        Column("origin", String(20), nullable=False),
        Column("updated_at", UTCDateTime, nullable=False),
        Column("updated_by", String(200)),
    )


rules = _catalog_table("rules")
actors = _catalog_table("actors")

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("who", String(200), nullable=False),
    Column("platform", String(20), nullable=False),
    Column("workspace", String(100)),
    Column("action", String(60), nullable=False),
    Column("target", String(2000)),
    Column("allowed", Boolean, nullable=False),
    Column("before", JSON),
    Column("after", JSON),
    Column("detail", Text),
    Index("ix_audit_target", "target", "at"),
)

tombstones = Table(
    "tombstones",
    metadata,
    Column("kind", String(20), primary_key=True),  # "rule" or "feed"
    Column("ident", String(2000), primary_key=True),  # a rule id or a feed URL
    Column("removed_at", UTCDateTime, nullable=False),
    Column("removed_by", String(200)),
)
"""What an admin removed in chat or the CLI that the config files still define: the config
import leaves it removed."""

revisions = Table(
    "revisions",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

relevance_labels = Table(
    "relevance_labels",
    metadata,
    Column("id", Id, primary_key=True),
    Column("rule_id", String(64), nullable=False),
    Column("link", String(2000), nullable=False),
    Column("voter", String(200), nullable=False),  # "discord:<user id>", "cli:<name>"…
    Column("relevant", Boolean, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("alert_id", Id, ForeignKey("alerts.id", ondelete="SET NULL")),
    Column("title", Text, nullable=False),  # what was judged, kept for training
    Column("summary", Text, nullable=False, default=""),
    Column("published", UTCDateTime),
    UniqueConstraint("rule_id", "link", "voter", name="uq_relevance_labels_vote"),
    Index("ix_relevance_labels_rule", "rule_id", "at"),
)
"""One vote per voter per rule and item: whether the item was relevant to the rule."""

relevance_models = Table(
    "relevance_models",
    metadata,
    Column("id", Id, primary_key=True),
    Column("rule_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("trained_at", UTCDateTime, nullable=False),
    Column("labels_stamp", String(100), nullable=False),  # the labels it was trained on
    Column("body", Text, nullable=False),  # the model as JSON (weights, thresholds), no pickle
    UniqueConstraint("rule_id", "version", name="uq_relevance_models_version"),
)
"""Every trained model of every rule; the highest version of a rule is the live one."""
