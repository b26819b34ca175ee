from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from interlink.adapters.sql.chat_schema import chat_attachments, chat_messages
from interlink.adapters.sql.store import SqlStore
from interlink.demo.images import encode, scene
from interlink.domain.cases import Agency
from interlink.linking.deconfliction import TriggerKind
from interlink.services import cases, watches
from interlink.services.chat_views import conversation_list, identifier_list, open_conversation
from interlink.services.chats import import_chats
from interlink.services.lists import import_list
from interlink.services.reports import write_report
from interlink.services.scan import ScanOptions, scan_exhibit
from tests.chats.exports import (
    TELEGRAM_NOT_EXPORTED,
    WHATSAPP_ANDROID,
    telegram_chat,
    telegram_export,
    telegram_message,
    write_json,
    write_zip,
)

INLINE = ScanOptions(workers=0)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = SqlStore.open(f"sqlite:///{tmp_path / 'interlink.db'}")
    yield opened
    opened.close()


@pytest.fixture
def agency(store: SqlStore) -> Agency:
    return cases.acting_agency(store, "Unit", "GB", "unit@example.test", actor="t")


def _count(store: SqlStore, table: object) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def _export(root: Path) -> Path:
    telegram_export(root / "tg")
    (root / "wa").mkdir(parents=True)
    (root / "wa" / "WhatsApp Chat with Jo.txt").write_text(WHATSAPP_ANDROID, encoding="utf-8")
    return root


def test_import_counts_and_reimport_adds_nothing(
    store: SqlStore, agency: Agency, tmp_path: Path
) -> None:
    root = _export(tmp_path / "seized")
    first = import_chats(store, root, case="C1", agency=agency, scan=INLINE)
    assert first.counts() == {
        "conversations": 2,
        "messages": 12,
        "participants": 5,
        "identifiers": 4,
        "attachments": 4,
        "problems": 1,
    }
    [missing] = first.problems  # the WhatsApp export names a photo its folder lacks
    assert missing.source == "seized/wa/WhatsApp Chat with Jo.txt" and missing.position == "line 5"
    messages, attachments = _count(store, chat_messages), _count(store, chat_attachments)
    again = import_chats(store, root, case="C1", agency=agency, scan=INLINE)
    assert again.counts() == first.counts()
    assert (_count(store, chat_messages), _count(store, chat_attachments)) == (
        messages,
        attachments,
    )
    assert len(identifier_list(store, "C1", agency)) == 4


def test_ranking_spans_identifiers_and_audited_opening(
    store: SqlStore, agency: Agency, tmp_path: Path
) -> None:
    root = _export(tmp_path / "seized")
    import_chats(store, root, case="C1", agency=agency, scan=INLINE)
    ranked = conversation_list(store, "C1", agency)
    assert ranked[0]["platform"] == "telegram" and ranked[0]["risk"]["score"] >= 2
    assert ranked[0]["risk"]["score"] > ranked[1]["risk"]["score"]
    cues = ranked[0]["risk"]["cues"]
    assert {c["cue"] for c in cues} == {"age", "secrecy"}
    assert {c["text"] for c in cues} >= {"how old are you", "I'm 14", "don't tell anyone"}
    assert set(ranked[0]) == {"id", "platform", "participants", "messages", "risk"}
    found = {(i["kind"], i["value"]) for i in identifier_list(store, "C1", agency)}
    assert {
        ("phone", "+447700900123"),
        ("email", "sam.example@mail.test"),
        ("invite", "telegram:AbCdEfGh1234"),
    } <= found
    opened = open_conversation(store, "C1", ranked[0]["id"], agency, actor="examiner")
    assert opened["messages"][1]["text"] == "I'm 14. you?"
    actions = [r.action for r in store.audit.records()]
    assert "chats.open" in actions and "chats.import" in actions


def test_attachments_are_matched_like_scanned_files(
    store: SqlStore, agency: Agency, tmp_path: Path
) -> None:
    image = encode(scene(3, (64, 48)))
    listed = tmp_path / "known.csv"
    listed.write_text(f"sha256\n{hashlib.sha256(image).hexdigest()}\n", encoding="utf-8")
    import_list(store, listed, name="known")
    folder = tmp_path / "tg"
    (folder / "photos").mkdir(parents=True)
    (folder / "photos" / "p.jpg").write_bytes(image)
    chat = telegram_chat([telegram_message(1, "Sam", "user1", "", photo="photos/p.jpg")])
    write_json(folder / "result.json", chat)
    result = import_chats(store, folder / "result.json", case="C2", agency=agency, scan=INLINE)
    assert result.scan is not None and result.scan.summary.known == 1
    [row] = store.chats.attachments(cases.own_case(store, "C2", agency).id)
    assert row["sha256"] == hashlib.sha256(image).hexdigest()
    assert row["known_matches"] == 1 and row["found_by_scan"] and row["sender_key"] == "user1"


def test_chat_identifiers_link_cases_and_hit_watches(
    store: SqlStore, agency: Agency, tmp_path: Path
) -> None:
    other = cases.acting_agency(store, "Other", "FR", "o@example.test", actor="o")
    watches.add_watch(
        store,
        other,
        [watches.TriggerSpec(TriggerKind.INVITE, "telegram:AbCdEfGh1234")],
        title="group invite",
    )
    import_chats(
        store, telegram_export(tmp_path / "a").parent, case="A-1", agency=agency, scan=INLINE
    )
    telegram_export(tmp_path / "b")
    linked = import_chats(store, tmp_path / "b", case="B-1", agency=other, scan=INLINE)
    keys = {e.key for e in linked.links.evidence}
    assert {"phone:+447700900123", "invite:telegram:AbCdEfGh1234"} <= keys
    assert "account:telegram/user1001" in keys
    assert watches.hit_views(store, other)


def test_bad_input_is_kept_as_problems(store: SqlStore, agency: Agency, tmp_path: Path) -> None:
    root = tmp_path / "mixed"
    root.mkdir()
    (root / "notes.bin").write_bytes(b"\x00\x01 nothing to read")
    path = telegram_export(root / "tg")
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index('"id": 5,')], encoding="utf-8")
    result = import_chats(store, root, case="C3", agency=agency, scan=INLINE)
    assert result.messages == 4
    [problem] = result.problems
    assert problem.source == "mixed/tg/result.json" and "after message 4" in problem.position
    notes = store.chats.notes(cases.own_case(store, "C3", agency).id)
    assert any(n["kind"] == "problem" for n in notes) and any(n["kind"] == "limit" for n in notes)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "x.txt").write_text("nothing", encoding="utf-8")
    assert (
        import_chats(store, empty, case="C3", agency=agency).problems[0].reason
        == "no chat export found"
    )


def test_the_case_report_shows_cues_not_message_text(
    store: SqlStore, agency: Agency, tmp_path: Path
) -> None:
    import_chats(store, _export(tmp_path / "seized"), case="C1", agency=agency, scan=INLINE)
    written = write_report(store, "C1", tmp_path / "report", agency=agency)
    first, _ = written.report["conversations"]
    assert first["platform"] == "telegram" and first["first_alert"] == 5
    assert {
        "cue": "secrecy",
        "message_id": first["cues"][-1]["message_id"],
        "position": 5,
        "text": "don't tell anyone",
    } in first["cues"]
    page = written.html_path.read_text(encoding="utf-8")
    assert "<mark>don&#39;t tell anyone</mark>" in page
    assert "and don" not in page  # the rest of the message stays out
    assert "hello there" not in page


def test_a_file_left_out_of_the_export_is_linked_when_a_scan_finds_it(
    store: SqlStore, agency: Agency, tmp_path: Path
) -> None:
    clip = b"twenty bytes of clip"
    chat = telegram_chat(
        [
            telegram_message(
                1,
                "Sam",
                "user1",
                "",
                file=TELEGRAM_NOT_EXPORTED,
                file_name="clip.mp4",
                file_size=len(clip),
                media_type="video_file",
            )
        ]
    )
    write_json(tmp_path / "tg" / "result.json", chat)
    import_chats(store, tmp_path / "tg", case="C4", agency=agency, scan=INLINE)
    case_id = cases.own_case(store, "C4", agency).id
    [before] = store.chats.attachments(case_id)
    assert not before["present"] and not before["found_by_scan"] and before["size"] == len(clip)
    (tmp_path / "phone" / "DCIM").mkdir(parents=True)
    (tmp_path / "phone" / "DCIM" / "clip.mp4").write_bytes(clip)
    scan_exhibit(store, tmp_path / "phone", case="C4", options=INLINE, agency=agency)
    [after] = store.chats.attachments(case_id)
    assert after["found_by_scan"] and after["media_sha256"] == hashlib.sha256(clip).hexdigest()


def test_attachments_of_a_zip_inside_a_folder_are_hashed(
    store: SqlStore, agency: Agency, tmp_path: Path
) -> None:
    image = encode(scene(5, (64, 48)))
    chat = telegram_chat(
        [
            telegram_message(1, "Sam", "user1", "", photo="photos/p.jpg"),
            telegram_message(2, "Sam", "user1", "see you"),
        ]
    )
    folder = tmp_path / "seized"
    folder.mkdir()
    write_zip(
        folder / "export.zip",
        {"result.json": json.dumps(chat).encode("utf-8"), "photos/p.jpg": image},
    )
    telegram_export(folder / "tg")  # a second export after the zip, read while it is closed
    result = import_chats(store, folder, case="C9", agency=agency, scan=INLINE)
    assert not result.problems and result.messages == 8
    rows = store.chats.attachments(cases.own_case(store, "C9", agency).id)
    hashed = [row for row in rows if row["sha256"] == hashlib.sha256(image).hexdigest()]
    assert len(hashed) == 1 and hashed[0]["present"]


def test_messages_stored_a_few_at_a_time_are_those_stored_at_once(
    store: SqlStore, agency: Agency, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _export(tmp_path / "seized")
    whole = import_chats(store, root, case="C1", agency=agency, scan=INLINE)
    monkeypatch.setattr("interlink.services.chats.STORED", 2)
    sliced = import_chats(store, root, case="C2", agency=agency, scan=INLINE)
    assert sliced.counts() == whole.counts()
    listed = [
        sorted(
            (i["kind"], i["value"], len(i["messages"])) for i in identifier_list(store, c, agency)
        )
        for c in ("C1", "C2")
    ]
    assert listed[0] == listed[1]
    ranked = [
        [
            (r["platform"], r["messages"], r["risk"]["score"])
            for r in conversation_list(store, c, agency)
        ]
        for c in ("C1", "C2")
    ]
    assert ranked[0] == ranked[1]
