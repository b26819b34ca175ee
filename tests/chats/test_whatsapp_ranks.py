from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st

from interlink.chats.base import ExportFile
from interlink.chats.whatsapp import _digest, read
from interlink.chats.whatsapp_ranks import Ranks, Revisits
from interlink.domain.chats import Message

_LINE = st.tuples(
    st.sampled_from([1, 2, 3, 14]),  # day (14: dates only read day first)
    st.integers(0, 2),  # hour
    st.integers(0, 2),  # minute
    st.sampled_from(["Sam", "Kim"]),
    st.sampled_from(["ok", "hi"]),
)


def _messages(lines: list[str]) -> list[Message]:
    data = ("\n".join(lines) + "\n").encode()
    export = ExportFile("WhatsApp Chat with Sam.txt", lambda: io.BytesIO(data))
    return [item for item in read(export) if isinstance(item, Message)]


@settings(max_examples=200, deadline=None)
@given(st.lists(_LINE, min_size=1, max_size=60))
def test_keys_are_those_a_table_of_the_whole_file_gives(
    rows: list[tuple[int, int, int, str, str]],
) -> None:
    lines = [f"{d:02d}/01/24, {h:02d}:{m:02d} - {who}: {text}" for d, h, m, who, text in rows]
    messages = _messages(lines)
    table: dict[str, int] = {}
    expected = []
    for message in messages:
        sender = message.sender.key if message.sender else ""
        base = _digest(f"{message.time_text}\x1f{sender}\x1f{message.text}")
        table[base] = table.get(base, 0) + 1
        expected.append(_digest(f"{base}\x1f{table[base]}"))
    assert [m.key for m in messages] == expected
    assert len(set(expected)) == len(expected)


def test_a_file_in_time_order_keeps_one_run_of_counts() -> None:
    revisits = Revisits(day_first=True)
    for minute in range(1000):
        revisits.add((2024, 1, 1, minute // 60, minute % 60, 0))
    revisits.close()
    assert revisits.intervals == []
    ranks = Ranks(revisits)
    for minute in range(1000):
        ranks.start((2024, 1, 1, minute // 60, minute % 60, 0))
        assert ranks.rank(f"a{minute}") == 1 and ranks.rank(f"a{minute}") == 2
        assert ranks.held() == 1


def test_an_hour_met_twice_keeps_its_counts_and_only_those() -> None:
    times = [(2024, 10, 27, h, m, 0) for h in (0, 1, 2) for m in (0, 30)]
    times[4:4] = [(2024, 10, 27, 1, m, 0) for m in (0, 30)]  # 1:00-1:30 again: clocks go back
    revisits = Revisits(day_first=True)
    for moment in times:
        revisits.add(moment)
    revisits.close()
    assert revisits.intervals == [((2024, 10, 27, 1, 0, 0), (2024, 10, 27, 1, 30, 0))]
    ranks = Ranks(revisits)
    found = []
    for moment in times:
        ranks.start(moment)
        found.append(ranks.rank(str(moment)))
    assert found == [1, 1, 1, 1, 2, 2, 1, 1]
    assert ranks.held() == 3  # the two revisited times, and the current run


def test_many_steps_back_are_merged_into_fewer_wider_intervals() -> None:
    revisits = Revisits(day_first=True)
    for n in range(20_000):  # 2, 1, 4, 3, 6, 5, ...: every other header goes back
        revisits.add((n + (1 if n % 2 == 0 else -1),))
    revisits.close()
    assert len(revisits.intervals) <= 4096
    assert all(revisits.covers((n,)) for n in range(1, 19_999))
