"""django-q2 tasks: thin wrappers that load ids and call a service."""

import logging
from datetime import date

from django.db.models import F
from django.utils import timezone

from integrations.errors import IntegrationError
from integrations.models import ConnectionStatus, ZoomAccount
from integrations.runs import queued_run_get, sync_runs_expire

from .models import HubSpotRegistration, Webinar
from .services.discovery import webinars_backfill, webinars_discover
from .services.form_rules import registration_rules_poll
from .services.lifecycle import webinars_polled
from .services.live_push import webinar_changes_push
from .services.registration import hubspot_registration_complete
from .services.schedule import webinars_due, webinars_listing_due
from .services.sync import webinar_sync
from .services.triggers import webinar_sync_enqueue, webinars_discovery_enqueue

logger = logging.getLogger(__name__)


def sync_webinar(webinar_id: int, run_id: int | None = None) -> str:
    """Runs the queued run, unless another process took it (a command-line sync, or a
    redelivered task): then it returns "joined" at once."""
    webinar = Webinar.objects.filter(pk=webinar_id).first()
    run = queued_run_get(run_id=run_id, target_missing=None if webinar else
                      "The webinar no longer exists.")
    if webinar is None:
        return "missing"
    run = webinar_sync(webinar=webinar, run=run, trigger="queue")
    return "joined" if run.joined else run.status


def discover_and_sync_account(account_id: int) -> str:
    account = ZoomAccount.objects.filter(pk=account_id).first()
    if account is None:
        return "missing"
    if account.status == ConnectionStatus.DEAUTHORIZED:
        return "deauthorized"  # nothing is asked of Zoom until it is reconnected
    if webinars_listing_due(account=account):
        try:
            webinars_discover(account=account)
        except IntegrationError as exc:
            logger.warning("Webinar discovery for %s failed: %s", account, exc.message)
            account.status, account.last_error = "error", exc.message
            account.save(update_fields=["status", "last_error"])
            return "failed"
        account.webinars_listed_at = timezone.now()
        account.save(update_fields=["webinars_listed_at"])
    for webinar in webinars_due(account=account):
        webinar_sync_enqueue(webinar=webinar, trigger="schedule")
    return "ok"


def backfill_account(account_id: int, since: str, run_id: int | None = None,
                     sync_all: bool = False) -> str:
    """Discovers the account's upcoming and past webinars, then queues a sync of each enabled
    one (each its own run, so several workers share the work); `sync_all` ticks every one
    found first."""
    account = ZoomAccount.objects.filter(pk=account_id).first()
    run = queued_run_get(run_id=run_id, target_missing=None if account else
                      "The Zoom account no longer exists.")
    if account is None:
        return "missing"
    result = webinars_backfill(account=account, since=date.fromisoformat(since), run=run)
    found = {w.pk for w in result.webinars}
    if sync_all and result.ok:
        Webinar.objects.filter(pk__in=found).update(sync_enabled=True)
    polled = webinars_polled(webinars=account.webinars.filter(sync_enabled=True))
    for webinar in polled.order_by(F("start_time").asc(nulls_last=True)):
        if webinar.pk in found:
            webinar_sync_enqueue(webinar=webinar, trigger="backfill")
    return result.run.status


def sync_all_enabled() -> None:
    """The schedule's entry point: give up runs whose worker stopped, discover new webinars
    and re-sync the enabled ones."""
    sync_runs_expire()
    webinars_discovery_enqueue()


def push_webinar_changes(webinar_id: int) -> str:
    """The batched push of what webhooks changed on one webinar."""
    webinar = Webinar.objects.filter(pk=webinar_id).first()
    if webinar is None:
        return "missing"
    run = webinar_changes_push(webinar=webinar)
    return "deferred" if run is None else run.status


def reconcile_webinar(webinar_id: int) -> str:
    """A full sync after a session ended, for whatever webhooks Zoom did not deliver."""
    webinar = Webinar.objects.filter(pk=webinar_id, sync_enabled=True).first()
    if webinar is None:
        return "skipped"
    run = webinar_sync(webinar=webinar, trigger="session ended")
    return "joined" if run.joined else run.status


def complete_hubspot_registration(registration_id: int) -> str:
    """A registration Zoom kept waiting, tried again; HubSpot's workflow told the outcome."""
    registration = HubSpotRegistration.objects.filter(pk=registration_id).first()
    if registration is None:
        return "missing"
    return hubspot_registration_complete(registration=registration).outcome


def poll_registration_forms() -> str:
    counts = registration_rules_poll()
    return ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())) or (
        "no new submissions")
