"""Sync runs as every source app shares them: kinds with readable names, and the run's life
(queued → running → succeeded or failed) in one place."""

from django.utils import timezone

from .models import SyncRun

_KIND_LABELS: dict[str, str] = {}
_COUNT_LABELS: dict[str, dict[str, str]] = {}


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
    return SyncRun.objects.create(kind=kind, target=target[:255], target_key=target_key,
                                  trigger=trigger)


def sync_run_start(*, run: SyncRun) -> None:
    run.status, run.started_at, run.done, run.total, run.error = (
        SyncRun.Status.RUNNING, timezone.now(), 0, 0, "")
    run.save(update_fields=["status", "started_at", "done", "total", "error"])


def sync_run_finish(*, run: SyncRun, status: str, error: str = "", counts: dict | None = None
                    ) -> None:
    run.status, run.error, run.finished_at = status, error, timezone.now()
    if counts:
        run.counts = {**run.counts, **counts}
    if status == SyncRun.Status.SUCCEEDED:
        run.done = run.total = max(run.done, run.total)
        run.counts = {**run.counts, "step": "Done"}
    run.save(update_fields=["status", "error", "finished_at", "done", "total", "counts"])


def queued_run_get(*, run_id: int | None, target_missing: str | None = None
                   ) -> SyncRun | None:
    """The run a task was queued with; failed at once when what it was for is gone."""
    run = SyncRun.objects.filter(pk=run_id).first() if run_id else None
    if run is not None and target_missing:
        sync_run_finish(run=run, status=SyncRun.Status.FAILED, error=target_missing)
    return run
