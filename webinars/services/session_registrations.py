"""Who registered for which session of a recurring webinar whose registrants pick their
sessions (Zoom's registration_type 2 or 3).

Zoom's registrant objects do not say which sessions they are for; only a listing by
`occurrence_id` does. So after the whole registrant list is read, each session that can
still change is listed once per status that has anybody in it (one call per 300
registrants). A session's list is final once read after the session was over (nobody
registers for a past session), so a series costs these calls for its coming sessions only.
"""

from django.utils import timezone

from ..models import Registrant, Webinar, WebinarInstance
from .mirror import registrant_sessions_apply

# The statuses that make someone registered for a session (cancelled ones are listed as
# denied by Zoom and keep the sessions they had).
SESSION_STATUSES = (Registrant.Status.APPROVED, Registrant.Status.PENDING)


def _sessions_to_list(webinar: Webinar) -> list[WebinarInstance]:
    scheduled = {str(o.get("occurrence_id")) for o in webinar.raw.get("occurrences") or []
                 if o.get("status", "available") != "deleted"}
    return [i for i in webinar.instances.all()
            if i.occurrence_id in scheduled and not _list_final(i)]


def _list_final(instance: WebinarInstance) -> bool:
    over = instance.over_at
    listed = instance.registrants_listed_at
    return bool(listed and over and listed >= over)


def session_registrations_import(*, zoom, webinar: Webinar, statuses: set[str]) -> int:
    """Reads the registrant list of each session that can still change, for each of
    `statuses` (those the whole list had anybody in), and stores each registrant's sessions.
    Returns how many session lists were read."""
    sessions = _sessions_to_list(webinar)
    if not sessions:
        return 0
    listed_at = timezone.now()
    members: dict[str, set[str]] = {}
    wanted = [status for status in SESSION_STATUSES if status in statuses]
    for instance in sessions:
        for status in wanted:
            for page in zoom.iter_registrant_pages(webinar.zoom_id, status,
                                                   occurrence_id=instance.occurrence_id):
                for row in page:
                    members.setdefault(str(row["id"]), set()).add(instance.occurrence_id)
    registrant_sessions_apply(webinar=webinar, members=members,
                              listed={i.occurrence_id for i in sessions})
    WebinarInstance.objects.filter(pk__in=[i.pk for i in sessions]).update(
        registrants_listed_at=listed_at)
    return len(sessions)
