"""Ways a sync gets started: the checkbox, "Sync now", the schedule, a backfill.

Every one of them goes through `webinar_sync_enqueue`: when a sync of the webinar is already
queued or running, the trigger joins it (nothing more is queued) instead of starting another.
"""

from django.db import transaction
from django_q.tasks import async_task

from integrations.models import SyncRun, ZoomAccount

from ..models import Webinar
from .runs import discovery_run_create, webinar_sync_run_open


def webinar_sync_enqueue(*, webinar: Webinar, trigger: str) -> SyncRun:
    """Opens a queued run and hands it to a worker once the current transaction commits; or,
    when one is already queued or running, returns that one (`run.joined`) and queues
    nothing."""
    run = webinar_sync_run_open(webinar=webinar, trigger=trigger)
    if not run.joined:
        transaction.on_commit(lambda: async_task(
            "webinars.tasks.sync_webinar", webinar.pk, run.pk,
            task_name=f"Sync webinar {webinar.zoom_id}", group="webinar-sync",
        ))
    return run


def webinars_sync_enable(*, webinars, trigger: str) -> list[SyncRun]:
    """Ticks "sync" on these webinars and enqueues a sync for each one that was off (or joins
    the one already under way)."""
    runs = []
    for webinar in webinars:
        if not webinar.sync_enabled:
            webinar.sync_enabled = True
            webinar.save(update_fields=["sync_enabled"])
            runs.append(webinar_sync_enqueue(webinar=webinar, trigger=trigger))
    return runs


def webinars_sync_disable(*, webinars) -> int:
    return Webinar.objects.filter(pk__in=[w.pk for w in webinars]).update(sync_enabled=False)


def webinars_discovery_enqueue() -> None:
    # (not mutated: with no field named, a flat list is of the first column, the pk, too)
    for account_id in ZoomAccount.objects.values_list("pk", flat=True):  # pragma: no mutate
        transaction.on_commit(lambda pk=account_id: async_task(
            "webinars.tasks.discover_and_sync_account", pk,
            task_name=f"Discover webinars of account {pk}", group="webinar-sync",
        ))


def webinar_sync_toggle(*, webinar: Webinar, enabled: bool, trigger: str) -> SyncRun | None:
    """Saves the Sync checkbox; switching it on starts a sync right away."""
    was_enabled = Webinar.objects.filter(pk=webinar.pk).values_list(
        "sync_enabled", flat=True).first()
    webinar.sync_enabled = enabled
    webinar.save(update_fields=["sync_enabled"])
    if enabled and not was_enabled:
        return webinar_sync_enqueue(webinar=webinar, trigger=trigger)
    return None


def account_backfill_enqueue(*, account: ZoomAccount, since, trigger: str = "backfill",
                             sync_all: bool = False) -> SyncRun:
    """Queues a backfill of one account (discovery, then a sync per enabled webinar — with
    `sync_all`, of every webinar found, ticked on the way), shown right away as a queued
    discovery run."""
    run = discovery_run_create(account=account, since=since, trigger=trigger)
    transaction.on_commit(lambda: async_task(
        "webinars.tasks.backfill_account", account.pk, since.isoformat(), run.pk, sync_all,
        task_name=f"Backfill webinars of {account}", group="webinar-sync",
    ))
    return run
