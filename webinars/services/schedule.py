"""What the periodic pass asks Zoom about, and how often.

Without webhooks it re-syncs every polled webinar on each pass. With Zoom's webhooks on for
the account they bring new webinars, registrations and live attendance as they happen, so the
pass reconciles only what can still change without them: a webinar whose sessions are all over
with their attendance final costs no call at all, and upcoming webinars — and the account's
list of webinars — are read only every SYNC_UPCOMING_MINUTES_WITH_WEBHOOKS minutes. Sessions
that ended but whose attendance is not final yet, and webinars whose last sync failed, are
still synced on every pass.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from integrations.models import SyncRun, ZoomAccount
from integrations.services.webhook_activity import zoom_webhooks_active

from ..models import Lifecycle, Webinar
from .attendance_import import attendance_final
from .lifecycle import webinars_polled


def _upcoming_interval() -> timedelta:
    return timedelta(minutes=settings.SYNC_UPCOMING_MINUTES_WITH_WEBHOOKS)


def webinar_settled(*, webinar: Webinar) -> bool:
    """Nothing about it can change in Zoom any more: every session is over (nobody registers
    for it), each held one has its attendance stored final, and none not held may still be."""
    now = timezone.now()
    instances = list(webinar.instances.all())
    if not instances:
        return False
    for instance in instances:
        over = instance.over_at
        if over is None or over > now:
            return False
        if instance.is_held:
            if not attendance_final(instance):
                return False
        elif instance.lifecycle == Lifecycle.ACTIVE:
            return False  # Zoom may still list it as held
    return True


def _attendance_pending(webinar: Webinar) -> bool:
    now = timezone.now()
    return any(i.over_at and i.over_at <= now and not (i.is_held and attendance_final(i))
               and i.lifecycle == Lifecycle.ACTIVE for i in webinar.instances.all())


def webinars_due(*, account: ZoomAccount) -> list[Webinar]:
    """The account's enabled webinars this pass re-syncs."""
    polled = webinars_polled(webinars=account.webinars.filter(sync_enabled=True))
    if not zoom_webhooks_active(account=account):
        return list(polled)
    stale = timezone.now() - _upcoming_interval()
    due = []
    for webinar in polled.prefetch_related("instances"):
        if webinar.last_sync_status == SyncRun.Status.FAILED:
            due.append(webinar)  # what it read may not have reached HubSpot yet
            continue
        if webinar_settled(webinar=webinar):
            continue
        if (_attendance_pending(webinar) or webinar.last_synced_at is None
                or webinar.last_synced_at <= stale):
            due.append(webinar)
    return due


def webinars_listing_due(*, account: ZoomAccount) -> bool:
    """Whether this pass lists the account's webinars (discovery)."""
    listed = account.webinars_listed_at
    return (not zoom_webhooks_active(account=account) or listed is None
            or listed <= timezone.now() - _upcoming_interval())
