"""Old sync runs and handled webhook deliveries are pruned; recent, failed and unfinished ones
stay."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.models import Schedule

from integrations.models import SyncRun, WebhookDelivery

pytestmark = pytest.mark.django_db

S = WebhookDelivery.Status


def _run(days_ago: int, status=SyncRun.Status.SUCCEEDED, key="1") -> SyncRun:
    run = SyncRun.objects.create(kind="webinar_sync", target_key=key, status=status)
    SyncRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return run


def _delivery(days_ago: int, status: str) -> WebhookDelivery:
    return WebhookDelivery.objects.create(
        provider="zoom", event_type="webinar.updated", body="{}", status=status,
        received_at=timezone.now() - timedelta(days=days_ago))


@pytest.fixture
def history():
    return {
        "old_run": _run(91), "old_failed_run": _run(91, SyncRun.Status.FAILED, key="2"),
        "recent_run": _run(89), "old_running": _run(200, SyncRun.Status.RUNNING, key="3"),
        "old_processed": _delivery(31, S.PROCESSED), "old_ignored": _delivery(31, S.IGNORED),
        "old_duplicate": _delivery(31, S.DUPLICATE), "recent": _delivery(29, S.PROCESSED),
        "failed": _delivery(60, S.FAILED), "old_failed": _delivery(91, S.FAILED),
        "old_pending": _delivery(200, S.PENDING),
    }


def _left() -> set:
    return ({("run", pk) for pk in SyncRun.objects.values_list("pk", flat=True)}
            | {("delivery", pk) for pk in WebhookDelivery.objects.values_list("pk", flat=True)})


def _ids(history, *names) -> set:
    return {("run" if isinstance(history[n], SyncRun) else "delivery", history[n].pk)
            for n in names}


def test_pruning_removes_old_runs_and_handled_deliveries_and_keeps_the_rest(history, capsys):
    call_command("prune_history")

    assert _left() == _ids(history, "recent_run", "old_running", "recent", "failed",
                           "old_pending")
    assert "Deleted 2 sync run(s) older than 90 days, 3 webhook delivery(ies) older than 30 " \
           "days and 1 failed one(s) older than 90 days." in capsys.readouterr().out


def test_dry_run_only_counts(history, capsys):
    before = _left()
    call_command("prune_history", "--dry-run")
    assert _left() == before
    assert "Would delete 2 sync run(s)" in capsys.readouterr().out


def test_retention_follows_the_settings(history, settings):
    settings.WEBHOOK_RETENTION_DAYS = 10
    settings.WEBHOOK_FAILED_RETENTION_DAYS = 50
    settings.SYNC_RUN_RETENTION_DAYS = 100
    call_command("prune_history")
    assert _left() == _ids(history, "old_run", "old_failed_run", "recent_run", "old_running",
                           "old_pending")


def test_pruning_is_scheduled_daily():
    call_command("migrate", verbosity=0)
    schedule = Schedule.objects.get(func="integrations.tasks.prune_history")
    assert schedule.minutes == 24 * 60 and schedule.repeats == -1
