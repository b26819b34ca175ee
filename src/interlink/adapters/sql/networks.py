"""The network ports on the SQL store: received platform reports, network builds, and
known-media lookups against the enabled lists.

Builds are stored whole (graph, merges, attributions and analysis) through the safe record
codec, so showing or exporting a network never recomputes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select

from interlink.adapters.codec import decode, encode
from interlink.adapters.sql.dialect import insert_ignore
from interlink.adapters.sql.schema import (
    entry_signals,
    hash_lists,
    list_entries,
    media,
    media_matches,
    network_builds,
    platform_reports,
)
from interlink.adapters.sql.store import SqlStore
from interlink.domain.categories import Category
from interlink.domain.errors import FormatError, NotFoundError
from interlink.domain.reports import ReceivedReport
from interlink.formats.cybertip_json import report_from_json, report_to_json
from interlink.network.pipeline import NetworkBuild
from interlink.network.ports import KnownInfo

#: Hash types the store's media table can be searched by.
HELD_COLUMNS = ("md5", "sha1", "sha256")


class SqlNetworkRepository:
    """``NetworkRepository`` in the store; every write and read is audited as ``actor``."""

    def __init__(self, store: SqlStore, actor: str) -> None:
        self._store = store
        self._actor = actor

    def add_reports(self, reports: Iterable[ReceivedReport]) -> int:
        """See ``NetworkRepository.add_reports``: a report id stored again replaces it."""
        batch = list(reports)
        if not batch:
            return 0
        ids = [item.report.report_id for item in batch]
        now = datetime.now(UTC)
        with self._store.transaction() as tx:
            known = set(
                tx.execute(
                    select(platform_reports.c.report_id).where(
                        platform_reports.c.report_id.in_(ids)
                    )
                ).scalars()
            )
            if known:
                tx.execute(platform_reports.delete().where(platform_reports.c.report_id.in_(known)))
            top = tx.execute(select(func.max(platform_reports.c.seq))).scalar()
            start = 0 if top is None else int(top) + 1
            rows = {
                item.report.report_id: {
                    "report_id": item.report.report_id,
                    "seq": start + index,
                    "agency": item.agency,
                    "case_name": item.case,
                    "source": item.source,
                    "received_at": now,
                    "body": report_to_json(item.report),
                }
                for index, item in enumerate(batch)
            }
            insert_ignore(tx, platform_reports, list(rows.values()), "report_id")
            new = len(set(ids) - known)
            self._store.audit.append(
                tx,
                actor=self._actor,
                action="reports.import",
                object_type="platform_reports",
                object_id=batch[0].source or "reports",
                after={"reports": len(rows), "new": new},
            )
        return new

    def reports(self) -> Iterator[ReceivedReport]:
        """See ``NetworkRepository.reports``: in the order first stored."""
        query = select(platform_reports).order_by(platform_reports.c.seq)
        with self._store.engine.connect() as connection:
            for row in connection.execution_options(yield_per=1000).execute(query):
                yield ReceivedReport(
                    report_from_json(row.body), row.agency, row.case_name, row.source
                )

    def save_build(self, build: NetworkBuild) -> None:
        """See ``NetworkRepository.save_build``."""
        with self._store.transaction() as tx:
            tx.execute(
                network_builds.insert().values(
                    build_id=build.build_id,
                    created_at=build.created_at,
                    report_count=build.report_count,
                    networks=len(build.analysis.networks),
                    payload=encode(build),
                )
            )
            self._store.audit.append(
                tx,
                actor=self._actor,
                action="networks.build",
                object_type="network_build",
                object_id=build.build_id,
                after={"reports": build.report_count, "networks": len(build.analysis.networks)},
            )

    def get_build(self, build_id: str) -> NetworkBuild:
        """See ``NetworkRepository.get_build``."""
        return self._load(
            select(network_builds).where(network_builds.c.build_id == build_id), build_id
        )

    def latest_build(self) -> NetworkBuild | None:
        """See ``NetworkRepository.latest_build``."""
        query = select(network_builds).order_by(network_builds.c.created_at.desc()).limit(1)
        try:
            return self._load(query, "latest")
        except NotFoundError:
            return None

    def _load(self, query: Select[Any], key: str) -> NetworkBuild:
        with self._store.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            raise NotFoundError("network build", key)
        build = decode(bytes(row.payload))
        if not isinstance(build, NetworkBuild):
            raise FormatError(f"network build {row.build_id} is damaged")
        with self._store.transaction() as tx:
            self._store.audit.append(
                tx,
                actor=self._actor,
                action="networks.read",
                object_type="network_build",
                object_id=build.build_id,
            )
        return build


class SqlKnownMedia:
    """``KnownMedia`` over the entries of every enabled list, and the media the store holds
    (a file seen in a case is known even if no list has it; when it matched a list entry by
    its PDQ, that entry's category and series come with it)."""

    def __init__(self, store: SqlStore) -> None:
        self._store = store

    def lookup(self, signal_type: str, values: Sequence[str]) -> Mapping[str, KnownInfo]:
        """See ``KnownMedia.lookup``: a value on several lists gets every list's name and the
        first category and series found."""
        wanted = sorted(set(values))
        found: dict[str, KnownInfo] = {}
        query = (
            select(
                entry_signals.c.value,
                hash_lists.c.name,
                list_entries.c.category_scheme,
                list_entries.c.category_code,
                list_entries.c.series,
                list_entries.c.victim_identified,
            )
            .select_from(
                entry_signals.join(
                    list_entries, list_entries.c.id == entry_signals.c.entry_id
                ).join(hash_lists, hash_lists.c.id == entry_signals.c.list_id)
            )
            .where(entry_signals.c.type == signal_type, hash_lists.c.enabled.is_(True))
            .order_by(entry_signals.c.value, hash_lists.c.name)
        )
        with self._store.engine.connect() as connection:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                for row in connection.execute(query.where(entry_signals.c.value.in_(chunk))):
                    current = found.get(row.value)
                    category = (
                        Category(row.category_scheme, row.category_code)
                        if row.category_scheme and row.category_code
                        else None
                    )
                    if current is None:
                        found[row.value] = KnownInfo(
                            category, row.series, (row.name,), row.victim_identified
                        )
                    elif row.name not in current.lists:
                        found[row.value] = KnownInfo(
                            current.category or category,
                            current.series or row.series,
                            (*current.lists, row.name),
                            current.victim_identified or row.victim_identified,
                        )
        if signal_type in HELD_COLUMNS:
            found.update(self._held(signal_type, [v for v in wanted if v not in found]))
        return found

    def _held(self, signal_type: str, values: Sequence[str]) -> dict[str, KnownInfo]:
        column = getattr(media.c, signal_type)
        query = (
            select(
                column.label("value"),
                list_entries.c.category_scheme,
                list_entries.c.category_code,
                list_entries.c.series,
                list_entries.c.victim_identified,
                hash_lists.c.name,
            )
            .select_from(
                media.outerjoin(media_matches, media_matches.c.sha256 == media.c.sha256)
                .outerjoin(list_entries, list_entries.c.id == media_matches.c.entry_id)
                .outerjoin(hash_lists, hash_lists.c.id == media_matches.c.list_id)
            )
            .order_by(column, hash_lists.c.name)
        )
        found: dict[str, KnownInfo] = {}
        with self._store.engine.connect() as connection:
            for start in range(0, len(values), 500):
                chunk = values[start : start + 500]
                for row in connection.execute(query.where(column.in_(chunk))):
                    category = (
                        Category(row.category_scheme, row.category_code)
                        if row.category_scheme and row.category_code
                        else None
                    )
                    current = found.get(row.value)
                    lists = ("store",) if row.name is None else ("store", row.name)
                    if current is None:
                        found[row.value] = KnownInfo(
                            category, row.series, lists, row.victim_identified
                        )
                    else:
                        found[row.value] = KnownInfo(
                            current.category or category,
                            current.series or row.series,
                            tuple(dict.fromkeys((*current.lists, *lists))),
                            current.victim_identified or row.victim_identified,
                        )
        return found
