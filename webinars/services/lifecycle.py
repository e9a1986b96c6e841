"""Webinars that will not take place after all: deleted in Zoom (the whole webinar, or one
occurrence of a recurring one) or whose time passed without a session.

Such a session's HubSpot event is cancelled once, and a webinar with nothing more to come from
Zoom is no longer polled by the schedule. Nothing here is final: a webinar Zoom shows again
(restored, or moved to a later date) is active again, and a session Zoom reports late is
synced like any other — its event reopened — by the next sync that sees it (Sync now).
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ..models import Lifecycle, Webinar, WebinarInstance


def not_held_after() -> timedelta:
    """How long after a session's scheduled end Zoom must still list no held session for it
    before it counts as not held (WEBINAR_NOT_HELD_AFTER_H)."""
    return timedelta(hours=settings.WEBINAR_NOT_HELD_AFTER_H)


def webinar_lifecycle_set(*, webinar: Webinar, lifecycle: str) -> bool:
    """Saves the webinar's status in Zoom; returns whether it changed."""
    if webinar.lifecycle == lifecycle:
        return False
    webinar.lifecycle, webinar.lifecycle_changed_at = lifecycle, timezone.now()
    webinar.save(update_fields=["lifecycle", "lifecycle_changed_at"])
    return True


def webinar_lifecycle_seen(*, webinar: Webinar) -> None:
    """Zoom lists the webinar among its host's: a deleted one was restored, and one not held
    that was moved to a later date is active again (its next sync plans the new date)."""
    if webinar.lifecycle == Lifecycle.DELETED:
        webinar_lifecycle_set(webinar=webinar, lifecycle=Lifecycle.ACTIVE)
    elif webinar.lifecycle == Lifecycle.NOT_HELD and webinar.start_time and (
            webinar.start_time + timedelta(minutes=webinar.duration) + not_held_after()
            > timezone.now()):
        webinar_lifecycle_set(webinar=webinar, lifecycle=Lifecycle.ACTIVE)


def _deleted_occurrences(webinar: Webinar) -> set[str]:
    return {str(o.get("occurrence_id")) for o in webinar.raw.get("occurrences") or []
            if o.get("status") == "deleted"}


def _session_lifecycle(instance: WebinarInstance, *, webinar_deleted: bool,
                       deleted_occurrences: set[str], now) -> str:
    if instance.is_held:
        return Lifecycle.ACTIVE
    if webinar_deleted or (instance.occurrence_id and
                           instance.occurrence_id in deleted_occurrences):
        return Lifecycle.DELETED
    start = instance.scheduled_start
    if start is not None and (start + timedelta(minutes=instance.scheduled_duration)
                              + not_held_after()) < now:
        return Lifecycle.NOT_HELD
    return Lifecycle.ACTIVE


def webinar_lifecycle_update(*, webinar: Webinar) -> str:
    """Once Zoom's held sessions are mirrored: each session never held is marked deleted (the
    webinar or its occurrence was) or not held (well past its scheduled end), and the webinar
    is not held when none of its sessions was or will be. Returns the webinar's status."""
    now = timezone.now()
    deleted = webinar.lifecycle == Lifecycle.DELETED
    gone = _deleted_occurrences(webinar)
    instances = list(webinar.instances.all())
    changed = []
    for instance in instances:
        wanted = _session_lifecycle(instance, webinar_deleted=deleted,
                                    deleted_occurrences=gone, now=now)
        if instance.lifecycle != wanted:
            instance.lifecycle = wanted
            changed.append(instance)
    WebinarInstance.objects.bulk_update(changed, ["lifecycle"])
    if not deleted:
        never = bool(instances) and all(i.lifecycle != Lifecycle.ACTIVE for i in instances)
        webinar_lifecycle_set(webinar=webinar,
                              lifecycle=Lifecycle.NOT_HELD if never else Lifecycle.ACTIVE)
    return webinar.lifecycle


def webinars_polled(*, webinars: QuerySet) -> QuerySet:
    """Of these webinars, those the schedule still syncs: not the ones Zoom has nothing more
    for — never held, or deleted before any session was held (a deleted webinar's held
    sessions are still read from Zoom's reports)."""
    held = WebinarInstance.objects.filter(webinar=OuterRef("pk")).exclude(uuid="")
    return webinars.exclude(lifecycle=Lifecycle.NOT_HELD).exclude(
        Q(lifecycle=Lifecycle.DELETED) & ~Exists(held))


def webinar_lifecycle_text(*, webinar: Webinar) -> str:
    """Why the schedule leaves this webinar alone (or what is left of it), for people; "" for
    an active webinar."""
    since = (f" on {timezone.localtime(webinar.lifecycle_changed_at):%Y-%m-%d %H:%M}"
             if webinar.lifecycle_changed_at else "")
    if webinar.lifecycle == Lifecycle.NOT_HELD:
        return (f"Not held: Zoom reported no session {settings.WEBINAR_NOT_HELD_AFTER_H} hours "
                f"after its scheduled end (noticed{since}). Its HubSpot event was cancelled and "
                "the schedule no longer syncs it; Sync now checks Zoom again.")
    if webinar.lifecycle == Lifecycle.DELETED:
        if webinar.instances.exclude(uuid="").exists():
            return (f"Deleted in Zoom (noticed{since}). The sessions it held are still synced "
                    "from Zoom's reports, with its registrants as last read; the events of "
                    "sessions not held were cancelled in HubSpot.")
        return (f"Deleted in Zoom (noticed{since}). Its HubSpot events were cancelled and the "
                "schedule no longer syncs it.")
    return ""
