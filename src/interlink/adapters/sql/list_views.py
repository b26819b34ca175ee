"""Read-only views over the known lists: what a list holds, the votes agencies cast for each
item's category, items whose lists disagree, and the difference between two lists."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import Engine, Select, and_, func, or_, select

from interlink.adapters.sql.engine import reading
from interlink.adapters.sql.schema import entry_signals, hash_lists, list_entries
from interlink.domain.categories import Category

#: Signal types that identify the same item across lists (votes and conflicts use them).
IDENTIFYING = ("md5", "sha1", "sha256")


@dataclass(frozen=True, slots=True)
class ListStats:
    """What one list holds."""

    entries: int
    by_category: dict[str, int]
    by_signal: dict[str, int]
    by_agency: dict[str, int]
    flags: dict[str, dict[str, int]]
    trusted: int


@dataclass(frozen=True, slots=True)
class Vote:
    """Agencies that give one item one category, through which lists."""

    category: Category
    agencies: tuple[str, ...]
    lists: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Conflict:
    """An item (one identifying hash) that enabled lists put in different categories of the
    same scheme: every vote is kept and shown, none overwrites another."""

    signal_type: str
    value: str
    votes: tuple[Vote, ...] = field(default=())


def _votes_query() -> Select[tuple[str, str, str, str, str, str]]:
    return (
        select(
            entry_signals.c.type,
            entry_signals.c.value,
            list_entries.c.category_scheme,
            list_entries.c.category_code,
            func.coalesce(list_entries.c.agency, hash_lists.c.name).label("agency"),
            hash_lists.c.name.label("list_name"),
        )
        .select_from(
            entry_signals.join(list_entries, list_entries.c.id == entry_signals.c.entry_id).join(
                hash_lists, hash_lists.c.id == entry_signals.c.list_id
            )
        )
        .where(
            hash_lists.c.enabled.is_(True),
            entry_signals.c.type.in_(IDENTIFYING),
            list_entries.c.category_code.is_not(None),
        )
    )


class ListViews:
    """Queries over the lists of one store."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def stats(self, list_id: int, trusted_votes: int) -> ListStats:
        """Counts of a list's entries by category, signal, agency and flag, and how many of
        its entries carry a category that ``trusted_votes`` agencies or more agree on."""
        with reading(self._engine) as connection:
            entries = connection.execute(
                select(func.count()).where(list_entries.c.list_id == list_id)
            ).scalar_one()
            by_category = Counter[str]()
            by_agency = Counter[str]()
            flags: dict[str, Counter[str]] = defaultdict(Counter)
            query = select(
                list_entries.c.category_scheme,
                list_entries.c.category_code,
                list_entries.c.agency,
                list_entries.c.victim_identified,
                list_entries.c.offender_identified,
                list_entries.c.distributed,
                func.count().label("n"),
            ).where(list_entries.c.list_id == list_id)
            grouped = query.group_by(
                list_entries.c.category_scheme,
                list_entries.c.category_code,
                list_entries.c.agency,
                list_entries.c.victim_identified,
                list_entries.c.offender_identified,
                list_entries.c.distributed,
            )
            for row in connection.execute(grouped):
                label = (
                    f"{row.category_scheme}:{row.category_code}" if row.category_code else "none"
                )
                by_category[label] += row.n
                by_agency[row.agency or "-"] += row.n
                for flag in ("victim_identified", "offender_identified", "distributed"):
                    value = getattr(row, flag)
                    flags[flag]["unknown" if value is None else str(value).lower()] += row.n
            by_signal: dict[str, int] = dict(
                connection.execute(
                    select(entry_signals.c.type, func.count())
                    .where(entry_signals.c.list_id == list_id)
                    .group_by(entry_signals.c.type)
                ).all()
            )
        trusted = self._trusted_entries(list_id, trusted_votes)
        return ListStats(
            entries=int(entries),
            by_category=dict(sorted(by_category.items())),
            by_signal=dict(sorted(by_signal.items())),
            by_agency=dict(sorted(by_agency.items())),
            flags={k: dict(sorted(v.items())) for k, v in sorted(flags.items())},
            trusted=trusted,
        )

    def _trusted_entries(self, list_id: int, trusted_votes: int) -> int:
        votes = _votes_query().subquery()
        agreed = (
            select(votes.c.type, votes.c.value, votes.c.category_scheme, votes.c.category_code)
            .group_by(votes.c.type, votes.c.value, votes.c.category_scheme, votes.c.category_code)
            .having(func.count(func.distinct(votes.c.agency)) >= trusted_votes)
            .subquery()
        )
        query = (
            select(func.count(func.distinct(list_entries.c.id)))
            .select_from(
                list_entries.join(
                    entry_signals, entry_signals.c.entry_id == list_entries.c.id
                ).join(
                    agreed,
                    (agreed.c.type == entry_signals.c.type)
                    & (agreed.c.value == entry_signals.c.value)
                    & (agreed.c.category_scheme == list_entries.c.category_scheme)
                    & (agreed.c.category_code == list_entries.c.category_code),
                )
            )
            .where(list_entries.c.list_id == list_id)
        )
        with reading(self._engine) as connection:
            return int(connection.execute(query).scalar_one())

    def conflicts(
        self, limit: int | None = None, *, after: tuple[str, str] | None = None
    ) -> Iterator[Conflict]:
        """Items that enabled lists put in different categories of one scheme, by signal
        type and value; with ``after`` only those after that (type, value) (keyset: the
        query cuts the page)."""
        votes = _votes_query().subquery()
        disputed = (
            select(votes.c.type, votes.c.value)
            .group_by(votes.c.type, votes.c.value, votes.c.category_scheme)
            .having(func.count(func.distinct(votes.c.category_code)) > 1)
            .distinct()
            .order_by(votes.c.type, votes.c.value)
        )
        if after is not None:
            disputed = disputed.where(
                or_(
                    votes.c.type > after[0],
                    and_(votes.c.type == after[0], votes.c.value > after[1]),
                )
            )
        if limit is not None:
            disputed = disputed.limit(limit)
        with reading(self._engine) as connection:
            keys = [(str(t), str(v)) for t, v in connection.execute(disputed)]
            for signal_type, value in keys:
                rows = connection.execute(
                    select(votes).where(votes.c.type == signal_type, votes.c.value == value)
                ).all()
                grouped: dict[Category, tuple[set[str], set[str]]] = {}
                for row in rows:
                    category = Category(row.category_scheme, row.category_code)
                    agencies, lists = grouped.setdefault(category, (set(), set()))
                    agencies.add(row.agency)
                    lists.add(row.list_name)
                yield Conflict(
                    signal_type,
                    value,
                    tuple(
                        Vote(category, tuple(sorted(a)), tuple(sorted(names)))
                        for category, (a, names) in sorted(grouped.items())
                    ),
                )
