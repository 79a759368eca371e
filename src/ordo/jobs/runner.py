"""Jobs: enqueue inside the caller's transaction, claim with a lease, run a registered handler,
retry with backoff. Handlers must be idempotent: a job whose worker died after the handler's
commit but before the job was marked done runs again."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from ordo.db import lease_claim
from ordo.jobs.models import Job

log = logging.getLogger(__name__)

Handler = Callable[[Job], None]
HANDLERS: dict[str, Handler] = {}
MAX_ATTEMPTS = 8


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


def job_enqueue(
    kind: str, *, order_id: int | None = None, payload: dict[str, Any] | None = None, delay: timedelta | None = None
) -> Job:
    """Ask for background work; call inside the transaction of the change that needs it."""
    now = timezone.now()
    return Job.objects.create(
        kind=kind, order_id=order_id, payload=payload or {}, available_at=now + (delay or timedelta()), created_at=now
    )


def claim(*, worker: str, limit: int = 20, now: datetime | None = None) -> list[Job]:
    ids = lease_claim(
        Job,
        waiting=Job.Status.PENDING,
        leased=Job.Status.RUNNING,
        worker=worker,
        limit=limit,
        now=now or timezone.now(),
    )
    return list(Job.objects.filter(id__in=ids, lease_owner=worker).order_by("id"))


def run(job: Job) -> bool:
    """Run one claimed job; True when it is done. A failure is retried 10·2ⁿ seconds later, and
    given up (status ``failed``, the error kept) after ``MAX_ATTEMPTS``."""
    job.attempts += 1
    try:
        fn = HANDLERS.get(job.kind)
        if fn is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        fn(job)
    except Exception as error:
        log.exception("job %s failed", job)
        job.last_error = f"{type(error).__name__}: {error}"
        gave_up = job.attempts >= MAX_ATTEMPTS
        job.status = Job.Status.FAILED if gave_up else Job.Status.PENDING
        job.available_at = timezone.now() + timedelta(seconds=10 * 2 ** (job.attempts - 1))
        job.leased_until, job.lease_owner = None, ""
        job.save(update_fields=["attempts", "last_error", "status", "available_at", "leased_until", "lease_owner"])
        return False
    job.status, job.finished_at, job.leased_until = Job.Status.DONE, timezone.now(), None
    job.save(update_fields=["attempts", "status", "finished_at", "leased_until"])
    return True


def run_due(*, worker: str, limit: int = 20) -> int:
    """Claim and run due jobs; returns how many ran."""
    jobs = claim(worker=worker, limit=limit)
    for job in jobs:
        run(job)
    return len(jobs)
