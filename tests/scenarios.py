"""Small, explicit sandbox worlds for the sync tests (seeded with the `custom` scenario)."""

from datetime import UTC, datetime, timedelta

HOST = {"id": "host-user-1", "email": "host@acme.example", "first_name": "Hana",
        "last_name": "Host"}


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_ms(dt: datetime) -> str:
    return str(int(dt.timestamp() * 1000))


def _participant_rows(start: datetime, participants) -> list[dict]:
    """(who, join minute, leave minute) → participant rows; `who` is a registrant's e-mail, or
    {"name": ...} for a guest."""
    rows = []
    for who, join_min, leave_min in participants:
        row = {"join_time": iso(start + timedelta(minutes=join_min)),
               "leave_time": iso(start + timedelta(minutes=leave_min))}
        if isinstance(who, dict):
            row.update(who)
        else:
            row.update({"registrant_email": who, "user_email": who})
        rows.append(row)
    return rows


def past_webinar(*, webinar_id=81234567890, topic="Pipeline Masterclass", days_ago=2,
                 duration=60, registrants=(), participants=(), uuid="pastUUID111==",
                 end_offset_min=None, ended_minutes_ago=None, settings=None, panelists=()):
    """A held one-off webinar; participants are (who, join minute, leave minute) tuples.

    `ended_minutes_ago`: the session ended that many minutes ago (instead of `days_ago` days
    ago at 15:00), for data Zoom is still finishing. `settings` overrides Zoom's webinar
    settings; `panelists` are {"email", "name"}.
    """
    if ended_minutes_ago is not None:
        start = (datetime.now(UTC) - timedelta(minutes=duration + ended_minutes_ago)).replace(
            second=0, microsecond=0)
    else:
        start = (datetime.now(UTC) - timedelta(days=days_ago)).replace(
            hour=15, minute=0, second=0, microsecond=0)
    end = start + timedelta(minutes=end_offset_min if end_offset_min is not None else duration)
    return {
        "id": webinar_id, "topic": topic, "type": 5, "start_time": iso(start),
        "duration": duration, "host_id": HOST["id"], "settings": dict(settings or {}),
        "panelists": list(panelists),
        "registrants": [
            {"create_time": iso(start - timedelta(days=3, minutes=i)), **r}
            for i, r in enumerate(registrants)
        ],
        "instances": [{"uuid": uuid, "start_time": iso(start), "end_time": iso(end),
                       "participants": _participant_rows(start, participants)}],
    }


def upcoming_webinar(*, webinar_id=89876543210, topic="Product Roadmap Live", days_ahead=5,
                     registrants=()):
    start = (datetime.now(UTC) + timedelta(days=days_ahead)).replace(
        hour=16, minute=0, second=0, microsecond=0)
    return {
        "id": webinar_id, "topic": topic, "type": 5, "start_time": iso(start), "duration": 45,
        "host_id": HOST["id"],
        "registrants": [
            {"create_time": iso(datetime.now(UTC) - timedelta(hours=i + 1)), **r}
            for i, r in enumerate(registrants)
        ],
        "instances": [],
    }


def recurring_webinar(*, webinar_id=85550001111, topic="Weekly Platform Demo", duration=30,
                      weeks_ago=(2, 1), weeks_ahead=(1,), registrants=(), sessions=(),
                      settings=None):
    """A recurring webinar (type 9) with a weekly occurrence `weeks_ago` (held) and
    `weeks_ahead` (upcoming). `sessions` lists, per held occurrence, (uuid, participants).
    A registrant's `"sessions": [i, …]` picks occurrences by index (Zoom's occurrence_ids)."""
    base = (datetime.now(UTC) - timedelta(weeks=max(weeks_ago, default=0))).replace(
        hour=17, minute=0, second=0, microsecond=0)
    starts = sorted([datetime.now(UTC).replace(hour=17, minute=0, second=0, microsecond=0)
                     - timedelta(weeks=w) for w in weeks_ago]
                    + [datetime.now(UTC).replace(hour=17, minute=0, second=0, microsecond=0)
                       + timedelta(weeks=w) for w in weeks_ahead])
    occurrences = [{"occurrence_id": epoch_ms(s), "start_time": iso(s), "duration": duration}
                   for s in starts]
    instances = []
    for occurrence, (uuid, participants) in zip(occurrences, sessions, strict=False):
        start = datetime.fromisoformat(occurrence["start_time"].replace("Z", "+00:00"))
        instances.append({
            "uuid": uuid, "occurrence_id": occurrence["occurrence_id"],
            "start_time": iso(start), "end_time": iso(start + timedelta(minutes=duration)),
            "participants": _participant_rows(start, participants),
        })
    return {
        "id": webinar_id, "topic": topic, "type": 9, "start_time": iso(base),
        "duration": duration, "host_id": HOST["id"], "occurrences": occurrences,
        "recurrence": {"type": 2, "repeat_interval": 1, "end_times": len(occurrences)},
        "settings": dict(settings or {}),
        "registrants": [
            {"create_time": iso(base - timedelta(days=2, minutes=i)),
             **{k: v for k, v in r.items() if k != "sessions"},
             **({"occurrence_ids": [occurrences[n]["occurrence_id"] for n in r["sessions"]]}
                if "sessions" in r else {})}
            for i, r in enumerate(registrants)
        ],
        "instances": instances,
    }


def world(*webinars, hubspot_contacts=()):
    return {"users": [HOST], "webinars": list(webinars),
            "hubspot": {"contacts": list(hubspot_contacts)}}


def sync_one(account, zoom_id):
    """Discovers the account's webinars, ticks one and syncs it; the run must succeed."""
    from integrations.models import SyncRun
    from webinars.models import Webinar
    from webinars.services.discovery import webinars_discover
    from webinars.services.sync import webinar_sync

    webinars_discover(account=account)
    webinar = Webinar.objects.get(zoom_id=str(zoom_id))
    webinar.sync_enabled = True
    webinar.save()
    run = webinar_sync(webinar=webinar, trigger="test")
    assert run.status == SyncRun.Status.SUCCEEDED, run.error
    return webinar, run
