"""Writing a source's entries onto contacts' timelines, in bulk and idempotently.

A source app (webinars, later meetings) works out which entries its facts call for; this
module makes the stored timeline match: new entries created, changed ones updated, entries of
a retractable kind that are no longer called for removed (a no-show that turned out to have
attended). What was already pushed to HubSpot stays marked as pushed.
"""

from ..models import Activity
from .bulk import rows_insert_new, rows_update

EntryKey = tuple[int, str, str]  # (contact id, kind, source key)


def timeline_entries_apply(*, wanted: dict[EntryKey, Activity], source_keys: list[str],
                           kinds: list[str], contact_ids: list[int],
                           retractable_kinds: tuple[str, ...] = (),
                           retractable_source_keys: tuple[str, ...] = ()) -> None:
    """Makes these contacts' entries of these kinds and sources equal to `wanted`. Entries
    no longer wanted are removed when their kind or source is retractable; the others stay
    (what was recorded in HubSpot is not taken back)."""
    existing = {
        (a.contact_id, a.kind, a.source_key): a
        for a in Activity.objects.filter(source_key__in=source_keys, kind__in=kinds,
                                         contact_id__in=contact_ids)
    }
    to_create = [a for key, a in wanted.items() if key not in existing]
    to_update = []
    for key, activity in wanted.items():
        current = existing.get(key)
        if current is None:
            continue
        if (current.details, current.title, current.occurred_at) != (
            activity.details, activity.title, activity.occurred_at
        ):
            current.details, current.title = activity.details, activity.title
            current.occurred_at = activity.occurred_at
            to_update.append(current)
    stale = [a.id for key, a in existing.items() if key not in wanted and (
        a.kind in retractable_kinds or a.source_key in retractable_source_keys)]
    rows_insert_new(model=Activity, objs=to_create)
    rows_update(model=Activity, objs=to_update, fields=["details", "title", "occurred_at"])
    if stale:
        Activity.objects.filter(id__in=stale).delete()
