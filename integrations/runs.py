"""Sync runs as every source app shares them: kinds with readable names, and the run's life
(queued → running → succeeded or failed) in one place.

Single flight: at most one run per target (one webinar, say) is queued or running, whichever
process or machine started it. A run holds its target's `active_key`, a unique column, from
the moment it is queued until it ends, so the database refuses a second one; a trigger that
finds one joins it instead. A queued run is taken by exactly one worker (a conditional
UPDATE from queued to running), and a running run renews its lease with every progress save.
A run whose lease lapsed — its worker was killed, its machine went away — is marked failed by
the next trigger (or the schedule), and a fresh run can start.
"""

import os
import socket
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import SyncRun

_KIND_LABELS: dict[str, str] = {}
_COUNT_LABELS: dict[str, dict[str, str]] = {}
ACTIVE = (SyncRun.Status.QUEUED, SyncRun.Status.RUNNING)
FINISHED = (SyncRun.Status.SUCCEEDED, SyncRun.Status.FAILED)


class RunTakenOver(Exception):
    """This process's run lapsed (it made no progress for the whole lease) and was marked
    failed; whatever it was doing must stop, since a fresh run may be doing it now."""


def run_kind_register(*, kind: str, label: str, count_labels: dict[str, str] | None = None
                      ) -> None:
    """A source app names the kinds of run it creates and the counts a person reads on them,
    in the order to show them (at start-up, in its AppConfig)."""
    _KIND_LABELS[kind] = label
    _COUNT_LABELS[kind] = dict(count_labels or {})


def run_counts_text(*, run: SyncRun, skip_zero: bool = False) -> str:
    """The run's named counts as one line, e.g. "Registrants: 6 · Invalid e-mails: 5"."""
    counts = run.counts or {}
    return " · ".join(
        f"{label}: {counts[key]}" for key, label in _COUNT_LABELS.get(run.kind, {}).items()
        if key in counts and not (skip_zero and not counts[key]))


def run_kind_label(kind: str) -> str:
    return _KIND_LABELS.get(kind) or kind.replace("_", " ").capitalize()


def run_kinds() -> dict[str, str]:
    return dict(_KIND_LABELS)


def sync_run_create(*, kind: str, target: str, target_key: str = "", trigger: str = ""
                    ) -> SyncRun:
    """A run that does not take part in single flight (e.g. a discovery)."""
    return SyncRun.objects.create(kind=kind, target=target[:255], target_key=target_key,
                                  trigger=trigger)


def _worker_name() -> str:
    return f"{socket.gethostname()} pid {os.getpid()}"[:100]


def _after(seconds: float):
    return timezone.now() + timedelta(seconds=seconds)


def sync_run_key(*, kind: str, target_key: str) -> str:
    return f"{kind}:{target_key}"[:150]


def sync_run_open(*, kind: str, target: str, target_key: str, trigger: str,
                  flight_of: str | None = None) -> SyncRun:
    """A queued run of this target, or the one already queued or running (then `joined` is
    True on what is returned). Safe across processes: the unique `active_key` decides.
    `flight_of` names another kind whose runs of the same target this one must not overlap
    (they then share one active key)."""
    key = sync_run_key(kind=flight_of or kind, target_key=target_key)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return SyncRun.objects.create(
                    kind=kind, target=target[:255], target_key=target_key, trigger=trigger,
                    active_key=key, lease_expires_at=_after(settings.SYNC_QUEUE_MAX_WAIT_S))
        except IntegrityError:
            existing = SyncRun.objects.filter(active_key=key).first()
            if existing is None:
                continue  # it ended between our insert and our read: try again
            if sync_runs_expire(active_key=key):
                continue  # its worker had stopped: the key is free now
            existing.joined = True
            return existing
    raise RuntimeError(f"Could not open or join a sync run for {key}.")


def sync_run_claim(*, run: SyncRun) -> bool:
    """Takes a queued run for this process. False when another process took it first, or it
    ended (or lapsed) meanwhile: then this process must not do the work."""
    now = timezone.now()
    fields = {"status": SyncRun.Status.RUNNING, "started_at": now, "done": 0, "total": 0,
              "error": "", "worker": _worker_name(),
              "lease_expires_at": now + timedelta(seconds=settings.SYNC_LEASE_S)}
    if not SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.QUEUED).update(**fields):
        return False
    for name, value in fields.items():
        setattr(run, name, value)
    return True


def sync_run_progress_save(*, run: SyncRun) -> None:
    """Saves done/total/counts and renews the lease, in one UPDATE; raises RunTakenOver when
    the run is no longer this process's to run."""
    renewed = SyncRun.objects.filter(pk=run.pk, status=SyncRun.Status.RUNNING).update(
        done=run.done, total=run.total, counts=run.counts,
        lease_expires_at=_after(settings.SYNC_LEASE_S))
    if not renewed:
        raise RunTakenOver(f"Sync run {run.pk} lapsed and was taken over.")


def sync_run_finish(*, run: SyncRun, status: str, error: str = "", counts: dict | None = None
                    ) -> None:
    run.status, run.error, run.finished_at = status, error, timezone.now()
    run.active_key, run.lease_expires_at = None, None
    if counts:
        run.counts = {**run.counts, **counts}
    if status == SyncRun.Status.SUCCEEDED:
        run.done = run.total = max(run.done, run.total)
        run.counts = {**run.counts, "step": "Done"}
    run.save(update_fields=["status", "error", "finished_at", "done", "total", "counts",
                            "active_key", "lease_expires_at"])


def sync_runs_expire(*, active_key: str | None = None) -> int:
    """Marks failed the runs whose lease lapsed (all of them, or the one holding this key),
    freeing their target for a new run. Returns how many."""
    now = timezone.now()
    stale = SyncRun.objects.filter(active_key__isnull=False, lease_expires_at__lt=now)
    if active_key is not None:
        stale = stale.filter(active_key=active_key)
    expired = 0
    for run in stale:
        if run.status == SyncRun.Status.RUNNING:
            error = (f"The worker stopped ({run.worker or 'unknown worker'}): it made no "
                     "progress until its lease ran out at "
                     f"{timezone.localtime(run.lease_expires_at):%Y-%m-%d %H:%M:%S}. "
                     "The next sync starts afresh.")
        else:
            error = (f"No worker started this sync within "
                     f"{settings.SYNC_QUEUE_MAX_WAIT_S // 60} minutes; is `manage.py qcluster` "
                     "running? The next sync starts afresh.")
        # conditional: a worker renewing or claiming it at this very moment wins
        expired += SyncRun.objects.filter(
            pk=run.pk, status=run.status, lease_expires_at__lt=now).update(
            status=SyncRun.Status.FAILED, error=error, finished_at=now, active_key=None)
    return expired


def sync_run_wait(*, run: SyncRun, on_progress: Callable[[SyncRun], None] | None = None,
                  poll_s: float = 1.0) -> SyncRun:
    """Follows another process's run until it ends, or until its lease lapses (then it is
    returned still marked running: its worker has stopped)."""
    while True:
        run.refresh_from_db()
        if on_progress:
            on_progress(run)
        if run.status in FINISHED:
            return run
        if run.lease_expires_at is not None and run.lease_expires_at < timezone.now():
            return run
        time.sleep(poll_s)


def sync_run_joined_text(*, run: SyncRun) -> str:
    """What a person is told when their trigger joined a run already queued or running."""
    what = f"“{run.target}”" if run.target else "this"
    state = "running" if run.status == SyncRun.Status.RUNNING else "queued"
    since = run.started_at if run.status == SyncRun.Status.RUNNING else run.created_at
    text = (f"A sync of {what} is already {state} — started "
            f"{timezone.localtime(since):%Y-%m-%d %H:%M:%S}")
    if run.trigger:
        text += f" ({run.trigger})"
    if run.status == SyncRun.Status.RUNNING and run.worker:
        text += f" on {run.worker}"
    return f"{text}; this request joined it."


def queued_run_get(*, run_id: int | None, target_missing: str | None = None
                   ) -> SyncRun | None:
    """The run a task was queued with; failed at once when what it was for is gone."""
    run = SyncRun.objects.filter(pk=run_id).first() if run_id else None
    if run is not None and target_missing:
        sync_run_finish(run=run, status=SyncRun.Status.FAILED, error=target_missing)
    return run
