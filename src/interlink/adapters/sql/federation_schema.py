"""Tables of federation between nodes: peers, the outgoing change feed, sync cursors, the replay
ledger and overlap sessions (in the one ``schema.metadata``)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
)

from interlink.adapters.sql.schema import BigId, Hex64, metadata

peers = Table(
    "peers",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("url", Text, nullable=False),
    # SHA-256 of the peer's Ed25519 public key, as pinned by ``peers add --fingerprint``.
    Column("fingerprint", Hex64, nullable=False, unique=True),
    # The raw public key (hex), learned at first contact and checked against the pin.
    Column("public_key", Hex64, nullable=True),
    Column("agency", String(200), nullable=True),
    # The policy file's text (TOML): what this node lets flow to the peer.
    Column("policy", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# The compacted change feed of this node's lists: one row per entry key, its sequence number
# raised on every change; a row without a content hash is a tombstone.
federation_feed = Table(
    "federation_feed",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=True),
    Column("list_id", BigId, ForeignKey("hash_lists.id", ondelete="CASCADE"), nullable=False),
    Column("entry_key", String(300), nullable=False),
    Column("content_hash", String(64), nullable=True),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("list_id", "entry_key"),
    Index("ix_federation_feed_list_seq", "list_id", "seq"),
    sqlite_autoincrement=True,
)

# Which generation of each list the feed reflects.
federation_feed_state = Table(
    "federation_feed_state",
    metadata,
    Column("list_id", BigId, ForeignKey("hash_lists.id", ondelete="CASCADE"), primary_key=True),
    Column("generation", BigInteger, nullable=False),
)

# How far this node has pulled each list a peer shares with it, and into which local list.
peer_cursors = Table(
    "peer_cursors",
    metadata,
    Column("peer_id", Uuid, ForeignKey("peers.id", ondelete="CASCADE"), primary_key=True),
    Column("remote_list", String(200), primary_key=True),
    Column("list_id", BigId, ForeignKey("hash_lists.id", ondelete="CASCADE"), nullable=False),
    Column("cursor", BigInteger, nullable=False),
    Column("version", String(100), nullable=False, default=""),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Where each entry pulled from a peer came from: origin node, list and change number.
federated_entries = Table(
    "federated_entries",
    metadata,
    Column("list_id", BigId, ForeignKey("hash_lists.id", ondelete="CASCADE"), primary_key=True),
    Column("entry_key", String(300), primary_key=True),
    Column("origin_node", Hex64, nullable=False),
    Column("origin_list", String(200), nullable=False),
    Column("origin_seq", BigInteger, nullable=False),
)

# Nonces of accepted node-to-node requests (replay protection), kept for twice the window.
federation_nonces = Table(
    "federation_nonces",
    metadata,
    Column("node", Hex64, primary_key=True),
    Column("nonce", String(64), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
)

# Overlap queries answered for (or refused to) peers: the daily quota and the reveal step.
overlap_sessions = Table(
    "overlap_sessions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("peer_id", Uuid, ForeignKey("peers.id", ondelete="CASCADE"), nullable=False),
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("mode", String(20), nullable=False),
    Column("client_items", BigInteger, nullable=False, default=0),
    Column("revealed", Boolean, nullable=False, default=False),
    Index("ix_overlap_sessions_peer_opened", "peer_id", "opened_at"),
)
