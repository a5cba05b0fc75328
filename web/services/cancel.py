"""Staff stopping a job: the job row is cancelled first (a worker finishing it later is
ignored), then the sandboxes of a job that was running are killed (they carry its id)."""
from __future__ import annotations

from dataclasses import dataclass

from grader import sandbox
from grader.errors import SandboxError

from ..grading import jobs
from ..storage.models import JobStatus


@dataclass(frozen=True)
class Cancelled:
    was: JobStatus | None        # the job's status before; None: it had ended already
    killed: int                  # sandboxes killed
    error: str | None            # the engine could not be reached to kill them


def cancel_job(job_id: int) -> Cancelled:
    was = jobs.stop(job_id)
    killed, error = 0, None
    if was is JobStatus.RUNNING:
        try:
            killed = sandbox.cancel(str(job_id))
        except SandboxError as exc:
            error = str(exc)
    return Cancelled(was, killed, error)
