"""Scans as jobs over the API: submit under an allowed evidence root (``..``, links and paths
out of the roots refused), progress and result once a worker ran it, cancel, list, another
agency's job not found; the case's exhibits; a media item with its clues, list matches and
series; the per-user reviewed mark (audited) and the queue's order; the clues of a case."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from interlink.adapters.jobs_local import LocalQueue
from interlink.demo.exhibit import build_demo_exhibit
from interlink.domain.errors import EvidencePathNotAllowedError
from interlink.domain.principal import Role
from interlink.services import jobs, scan_jobs_view
from interlink.services.case_clues import CLUE_KEYS
from interlink.services.cases import acting_agency
from interlink.services.jobs import run_job
from interlink.services.lists import import_list
from tests.api.node import CASES, Node, build_node, operator


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    tmp: Path = tmp_path_factory.mktemp("scans")
    built = build_node(f"sqlite:///{tmp / 'node.db'}", tmp)
    demo = build_demo_exhibit(tmp / "demo", new=4, known=4)
    import_list(built.store, demo.known_list, name="demo-known", actor="operator")
    # The demo exhibit scanned into alpha's case as a worker would, so each test runs alone.
    settings = built.app.state.interlink.settings
    job = jobs.submit_scan(
        built.store,
        LocalQueue(built.store),
        agency_id=acting_agency(built.store, "alpha", actor="operator").id,
        actor="operator",
        path=str(demo.exhibit),
        case=CASES["alpha"],
        roots=settings.evidence_roots,
    )
    run_job(built.store, dataclasses.replace(settings, workers=0), job.id)
    (tmp / "outside").mkdir()
    (tmp.parent / f"{tmp.name}-elsewhere").mkdir()
    yield built
    built.store.close()


def _root(node: Node) -> Path:
    root: Path = node.app.state.interlink.settings.evidence_roots[0]
    return root


def _examiner(node: Node, agency: str = "alpha"):  # type: ignore[no-untyped-def]
    return node.client(node.tokens[(agency, Role.EXAMINER)])


def _scan(node: Node, path: str, case: str = CASES["alpha"]) -> dict:  # type: ignore[type-arg]
    answer = _examiner(node).post(f"/api/v1/cases/{case}/scans", json={"path": path})
    assert answer.status_code == 202, answer.text
    job: dict = answer.json()  # type: ignore[type-arg]
    return job


def test_a_scan_job_runs_and_its_progress_result_and_exhibit_show(node: Node) -> None:
    client = _examiner(node)
    answer = client.post(
        f"/api/v1/cases/{CASES['alpha']}/scans",
        json={"path": str(_root(node) / "demo" / "exhibit" / "camera"), "exhibit": "camera-roll"},
    )
    assert answer.status_code == 202, answer.text
    job = answer.json()
    assert job["state"] == "queued" and job["arguments"]["case"] == CASES["alpha"]
    listed = client.get("/api/v1/jobs", params={"case": CASES["alpha"], "state": "queued"})
    assert job["id"] in [j["id"] for j in listed.json()["items"]]
    settings = dataclasses.replace(node.app.state.interlink.settings, workers=0)
    run_job(node.store, settings, uuid.UUID(job["id"]))
    done = client.get(f"/api/v1/jobs/{job['id']}").json()
    assert done["state"] == "done", done
    files = done["progress"]["files_done"]
    assert files > 0 and files == done["progress"]["files_total"]
    assert done["result"]["summary"]["files"] >= files - 1
    exhibits = client.get(f"/api/v1/cases/{CASES['alpha']}/exhibits").json()["items"]
    assert {"camera-roll", "exhibit"} <= {e["name"] for e in exhibits}
    # Another agency neither sees the job nor can cancel it.
    beta = _examiner(node, "beta")
    assert beta.get(f"/api/v1/jobs/{job['id']}").status_code == 404
    assert beta.post(f"/api/v1/jobs/{job['id']}/cancel").status_code == 404
    assert job["id"] not in [j["id"] for j in beta.get("/api/v1/jobs").json()["items"]]
    # A finished job cannot be cancelled.
    assert client.post(f"/api/v1/jobs/{job['id']}/cancel").status_code == 409


def test_a_queued_job_is_cancelled_and_the_cancel_is_audited(node: Node) -> None:
    job = _scan(node, str(_root(node) / "exhibit"))
    client = _examiner(node)
    cancelled = client.post(f"/api/v1/jobs/{job['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    records = [r for r in node.store.audit.records() if r.object_id == job["id"]]
    assert [r.action for r in records] == ["job.submit", "job.cancel"]
    assert records[-1].actor == "alpha/alpha-examiner"


@pytest.mark.parametrize(
    ("path", "status", "field"),
    [
        ("{root}/exhibit/../outside", 422, "path"),
        ("exhibit", 422, "path"),
        ("{root}/no-such-folder", 404, None),
        ("{elsewhere}", 403, None),
        ("{root}/link-out", 403, None),
        ("{root}/link-up", 403, None),
        ("/", 403, None),
    ],
)
def test_evidence_paths_out_of_the_roots_are_refused(
    node: Node, path: str, status: int, field: str | None
) -> None:
    root = _root(node)
    elsewhere = root.parent / f"{root.name}-elsewhere"
    for name, target in (("link-out", elsewhere), ("link-up", root.parent)):
        if not (root / name).is_symlink():
            (root / name).symlink_to(target)
    before = len(node.store.jobs.page(_alpha(node), limit=1000))
    answer = _examiner(node).post(
        f"/api/v1/cases/{CASES['alpha']}/scans",
        json={"path": path.format(root=root, elsewhere=elsewhere)},
    )
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    if field:
        assert answer.json()["field"] == field
    assert len(node.store.jobs.page(_alpha(node), limit=1000)) == before  # nothing queued


def _alpha(node: Node) -> uuid.UUID:
    return acting_agency(node.store, "alpha", actor="operator").id


def test_a_node_without_evidence_roots_refuses_every_scan(node: Node) -> None:
    settings = dataclasses.replace(node.app.state.interlink.settings, evidence_roots=())
    with pytest.raises(EvidencePathNotAllowedError, match="INTERLINK_EVIDENCE_ROOTS"):
        scan_jobs_view.submit_scan(
            node.store,
            settings,
            operator(node.store, "alpha"),
            CASES["alpha"],
            path=str(_root(node) / "exhibit"),
        )


def test_a_scan_needs_the_scans_capability_and_an_own_case(node: Node) -> None:
    path = {"path": str(_root(node) / "exhibit")}
    investigator = node.client(node.tokens[("alpha", Role.INVESTIGATOR)])
    assert investigator.post(f"/api/v1/cases/{CASES['alpha']}/scans", json=path).status_code == 403
    assert (
        _examiner(node).post(f"/api/v1/cases/{CASES['beta']}/scans", json=path).status_code == 404
    )
    assert _examiner(node).post("/api/v1/cases/NO-SUCH/scans", json=path).status_code == 404


def _media(node: Node) -> list[dict]:  # type: ignore[type-arg]
    answer = _examiner(node).get(f"/api/v1/cases/{CASES['alpha']}/review", params={"limit": 1000})
    assert answer.status_code == 200, answer.text
    items: list[dict] = answer.json()["items"]  # type: ignore[type-arg]
    return items


def test_a_media_item_shows_its_camera_gps_dates_matches_and_series(node: Node) -> None:
    items = _media(node)
    camera = next(i for i in items if i["camera"] and i["camera"]["serial"] == "4403152")
    item = _examiner(node).get(f"/api/v1/cases/{CASES['alpha']}/media/{camera['sha256']}").json()
    assert item["gps"]["latitude"] == pytest.approx(48.85, abs=0.01)
    assert item["gps"]["longitude"] == pytest.approx(2.35, abs=0.01)
    assert item["dates"]["captured_local"] or item["dates"]["captured_utc"]
    assert item["known"] is False and item["matches"] == []
    known = next(i for i in items if i["known"])
    shown = _examiner(node).get(f"/api/v1/cases/{CASES['alpha']}/media/{known['sha256']}").json()
    assert shown["series"] and shown["series"][0].startswith("Demo series")
    assert {m["list"] for m in shown["matches"]} == {"demo-known"}
    assert shown["matches"][0]["category"] == "projectvic-us:1"
    beta = _examiner(node, "beta")
    assert beta.get(f"/api/v1/cases/{CASES['alpha']}/media/{known['sha256']}").status_code == 404
    assert beta.get(f"/api/v1/cases/{CASES['beta']}/media/{known['sha256']}").status_code == 404


def test_the_queue_puts_new_first_and_known_by_series(node: Node) -> None:
    items = _media(node)
    flags = [(i["reviewed"], i["known"]) for i in items]
    assert flags == sorted(flags)
    series = [i["series"][0] for i in items if i["known"]]
    assert series == sorted(series)
    # Duplicates are one item with their copies.
    assert any(i["copies"] > 1 for i in items)


def test_the_reviewed_mark_is_per_user_persisted_and_audited(node: Node) -> None:
    first = _media(node)[0]
    url = f"/api/v1/cases/{CASES['alpha']}/media/{first['sha256']}/review"
    marked = _examiner(node).put(url, json={"reviewed": True})
    assert marked.status_code == 200 and marked.json()["reviewed"] is True
    after = _media(node)
    assert after[-1]["sha256"] == first["sha256"] and after[-1]["reviewed"] is True
    assert first["sha256"] not in [
        i["sha256"]
        for i in _examiner(node)
        .get(f"/api/v1/cases/{CASES['alpha']}/review", params={"state": "new"})
        .json()["items"]
    ]
    # Another user of the same agency still has it new.
    other = node.client(node.tokens[("alpha", Role.INVESTIGATOR)])
    theirs = other.get(f"/api/v1/cases/{CASES['alpha']}/review").json()["items"]
    assert next(i for i in theirs if i["sha256"] == first["sha256"])["reviewed"] is False
    record = [r for r in node.store.audit.records() if r.action == "media.review"][-1]
    assert record.before == {"sha256": first["sha256"], "reviewed": False}
    assert record.after == {"sha256": first["sha256"], "reviewed": True}
    assert _examiner(node).put(url, json={"reviewed": False}).json()["reviewed"] is False
    assert _examiner(node).put(url, json={"reviewed": "maybe"}).status_code == 422
    assert _examiner(node, "beta").put(url, json={"reviewed": True}).status_code == 404


def test_the_clues_of_a_case_give_cameras_places_and_a_timeline(node: Node) -> None:
    url = f"/api/v1/cases/{CASES['alpha']}/clues"
    counts = _examiner(node).get(url).json()
    clues = {k: _examiner(node).get(f"{url}/{k}").json()["items"] for k in CLUE_KEYS}
    assert {k: counts[k] for k in CLUE_KEYS} == {k: len(v) for k, v in clues.items()}
    camera = next(c for c in clues["cameras"] if c["serial"] == "4403152")
    assert len(camera["media"]) == 3
    assert any(p["latitude"] == pytest.approx(48.85, abs=0.01) for p in clues["places"])
    assert sum(len(d["media"]) for d in clues["timeline"]) == len(clues["captures"]) >= 3
    # Each listing pages by its key: captures by time then SHA-256, one at a time here.
    first = _examiner(node).get(f"{url}/captures", params={"limit": 1}).json()
    rest = _examiner(node).get(
        f"{url}/captures", params={"limit": 500, "cursor": first["next_cursor"]}
    )
    assert first["items"] + rest.json()["items"] == clues["captures"]
    assert [(c["at"], c["sha256"]) for c in clues["captures"]] == sorted(
        (c["at"], c["sha256"]) for c in clues["captures"]
    )
    wrong = _examiner(node).get(f"{url}/places", params={"cursor": first["next_cursor"]})
    assert wrong.status_code == 422 and wrong.json()["field"] == "cursor"
    assert _examiner(node, "beta").get(url).status_code == 404
    assert _examiner(node, "beta").get(f"{url}/places").status_code == 404
