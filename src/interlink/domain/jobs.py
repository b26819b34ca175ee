"""Background jobs as users see them: what was asked, by whom, for which agency, how far."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class JobState(StrEnum):
    """Where a job is. ``cancelling`` is a running job asked to stop; the last three are final."""

    QUEUED = "queued"
    RUNNING = "running"
    CANCELLING = "cancelling"
    CANCELLED = "cancelled"
    FAILED = "failed"
    DONE = "done"

    @property
    def final(self) -> bool:
        """Whether the job will not change any more."""
        return self in (JobState.CANCELLED, JobState.FAILED, JobState.DONE)


#: The kinds of job there are (one today: a scan of a server-side evidence path).
SCAN = "scan"


@dataclass(frozen=True, slots=True)
class Job:
    """One job: its arguments, state, progress (files done of an estimated total), and its
    result (JSON) or problem (a sentence) once final. Times are UTC."""

    id: uuid.UUID
    kind: str
    agency_id: uuid.UUID
    submitted_by: str
    arguments: dict[str, Any]
    state: JobState
    files_done: int
    files_total: int
    result: dict[str, Any] | None
    problem: str | None
    attempts: int
    submitted_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    updated_at: datetime

    def to_json(self) -> dict[str, Any]:
        """The job as JSON (what the CLI and the API show)."""
        return {
            "id": str(self.id),
            "kind": self.kind,
            "agency_id": str(self.agency_id),
            "submitted_by": self.submitted_by,
            "arguments": self.arguments,
            "state": self.state.value,
            "progress": {"files_done": self.files_done, "files_total": self.files_total},
            "result": self.result,
            "problem": self.problem,
            "attempts": self.attempts,
            "submitted_at": self.submitted_at.isoformat(),
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "updated_at": self.updated_at.isoformat(),
        }
