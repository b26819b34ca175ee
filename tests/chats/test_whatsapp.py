from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from interlink.chats import whatsapp_markers as markers
from interlink.chats.whatsapp import _ANDROID, _IOS, _local_time, day_first
from interlink.domain.chats import ChatProblem, Conversation, Message, SourceLimit
from tests.chats.exports import WHATSAPP_ANDROID, WHATSAPP_IOS_FR, of_type, read_all, write_zip


def test_android_export_with_media(tmp_path: Path) -> None:
    folder = tmp_path / "wa"
    folder.mkdir()
    (folder / "WhatsApp Chat with Jo.txt").write_text(WHATSAPP_ANDROID, encoding="utf-8")
    (folder / "IMG-20210113-WA0001.jpg").write_bytes(b"pixels")
    items = read_all(folder)
    [conversation] = of_type(items, Conversation)
    assert conversation.title == "Jo" and conversation.platform == "whatsapp"
    messages = of_type(items, Message)
    assert messages[0].service and messages[0].sender is None
    second = messages[1]
    assert second.text == "hello there\nhow was school?"  # a message over two lines
    assert second.local_time == datetime(2020, 12, 31, 23, 59)  # month first: 1/13/21
    assert second.sent_at is None  # no zone: never placed on UTC by guess
    attached = messages[3].attachments[0]
    assert attached.present and attached.path == "IMG-20210113-WA0001.jpg"
    omitted = messages[4].attachments[0]
    assert not omitted.present and "omitted" in omitted.note
    deleted = messages[5]
    assert deleted.deleted and deleted.text == ""
    assert deleted.sender is not None and deleted.sender.phone == "+44 7700 900456"
    limits = " ".join(limit.limit for limit in of_type(items, SourceLimit))
    assert "no account ids" in limits and "without a zone" in limits
    assert not of_type(items, ChatProblem)


def test_ios_french_export_in_a_zip_without_its_media(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "chat.zip", {"_chat.txt": WHATSAPP_IOS_FR.encode("utf-8")})
    items = read_all(archive)
    messages = of_type(items, Message)
    assert [m.sender.name if m.sender else None for m in messages] == ["Camille", "Léa", "Léa"]
    assert messages[0].local_time == datetime(2020, 12, 31, 23, 59, 1)  # day first: 31/12
    photo = messages[1].attachments[0]
    assert photo.name == "00000012-PHOTO-2021-01-13-09-05-10.jpg" and not photo.present
    assert messages[2].edited and messages[2].text == "on se voit demain ?"
    assert "\u200e" not in "".join(m.text for m in messages)


@pytest.mark.parametrize(
    ("lines", "region", "expected"),
    [
        (["13/01/21, 10:00 - A: x"], None, True),
        (["01/13/21, 10:00 - A: x"], None, False),
        # dates never go backwards: 2 Jan then 1 Feb, or Jan 2 then Feb 1
        (["02/01/21, 10:00 - A: x", "01/02/21, 10:00 - A: y"], None, True),
        (["01/02/21, 10:00 - A: x", "02/01/21, 10:00 - A: y"], None, False),
        (["01/02/21, 10:00 - A: x"], None, None),
        (["01/02/21, 10:00 - A: x"], "US", False),
        (["01/02/21, 10:00 - A: x"], "FR", True),
    ],
)
def test_day_month_order_is_decided_over_the_whole_file(
    lines: list[str], region: str | None, expected: bool | None
) -> None:
    order, limit = day_first(io.BytesIO("\n".join(lines).encode()), region)
    assert order is expected
    assert (limit is not None) == (expected is None or region is not None)


def test_ambiguous_dates_keep_text_and_flag_the_file(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with A.txt"
    path.write_text("01/02/21, 10:00 - A: x\n", encoding="utf-8")
    items = read_all(path)
    [message] = of_type(items, Message)
    assert message.local_time is None and message.time_text == "01/02/21, 10:00"
    assert any("cannot be decided" in limit.limit for limit in of_type(items, SourceLimit))


def test_mixed_encodings_are_a_problem_per_line(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with A.txt"
    path.write_bytes(
        "13/01/21, 10:00 - A: déjà\n".encode() + "13/01/21, 10:01 - B: café\n".encode("cp1252")
    )
    items = read_all(path)
    assert [m.text for m in of_type(items, Message)] == ["déjà", "café"]
    [problem] = of_type(items, ChatProblem)
    assert problem.position == "line 2" and "Windows-1252" in problem.reason


def test_the_same_line_twice_gives_two_messages_with_stable_keys(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat with A.txt"
    path.write_text("13/01/21, 10:00 - A: ok\n13/01/21, 10:00 - A: ok\n", encoding="utf-8")
    first = [m.key for m in of_type(read_all(path), Message)]
    again = [m.key for m in of_type(read_all(path), Message)]
    assert len(set(first)) == 2 and first == again


def _slow_local_time(groups: tuple[str | None, ...], order: bool | None) -> datetime | None:
    """The header time as the reader computed it before its cached fast path (kept here as
    the reference the fast path must agree with)."""
    a, b, c, hour, minute, second, meridian = groups
    assert a is not None and b is not None and c is not None
    assert hour is not None and minute is not None
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    elif order is None:
        return None
    else:
        day, month = (int(a), int(b)) if order else (int(b), int(a))
        year = int(c) + (2000 if len(c) == 2 else 0)
    h = int(hour)
    if meridian:
        word = meridian.lower().replace(" ", "")
        if word in markers.PM or word.startswith("p"):
            h = h % 12 + 12
        else:
            h %= 12
    try:
        return datetime(year, month, day, h, int(minute), int(second or 0))
    except ValueError:
        return None


_NUMBER = st.integers(0, 40).map(str) | st.integers(0, 40).map(lambda n: f"{n:02d}")


@given(
    a=_NUMBER | st.sampled_from(["2021", "1999", "2024"]),
    b=_NUMBER,
    c=st.integers(0, 40).map(lambda n: f"{n:02d}") | st.sampled_from(["2021", "021", "99"]),
    hour=st.integers(0, 25).map(str),
    minute=st.integers(0, 61).map(lambda n: f"{n:02d}"),
    second=st.none() | st.integers(0, 61).map(lambda n: f"{n:02d}"),
    meridian=st.sampled_from([None, "AM", "PM", "am", "p.m.", "a. m.", "p. m.", "P.M."]),
    order=st.sampled_from([True, False, None]),
    ios=st.booleans(),
)
def test_cached_header_times_agree_with_the_plain_computation(
    a: str,
    b: str,
    c: str,
    hour: str,
    minute: str,
    second: str | None,
    meridian: str | None,
    order: bool | None,
    ios: bool,
) -> None:
    stamp = f"{a}/{b}/{c}, {hour}:{minute}" + (f":{second}" if second else "")
    stamp += f" {meridian}" if meridian else ""
    line = f"[{stamp}] A: x" if ios else f"{stamp} - A: x"
    match = (_IOS if ios else _ANDROID).match(line)
    assert match is not None
    expected = _slow_local_time(match.group(1, 2, 3, 4, 5, 6, 7), order)
    assert _local_time(match, order) == expected
    assert _local_time(match, order) == expected  # again, from the caches
