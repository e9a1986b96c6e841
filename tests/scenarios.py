"""Small, explicit sandbox worlds for the sync tests (seeded with the `custom` scenario)."""

from datetime import UTC, datetime, timedelta

HOST = {"id": "host-user-1", "email": "host@acme.example", "first_name": "Hana",
        "last_name": "Host"}


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def past_webinar(*, webinar_id=81234567890, topic="Pipeline Masterclass", days_ago=2,
                 duration=60, registrants=(), participants=(), uuid="pastUUID111==",
                 end_offset_min=None):
    """A held one-off webinar; participants are (who, join minute, leave minute) tuples where
    `who` is a registrant's e-mail, or {"name": ...} for a guest."""
    start = (datetime.now(UTC) - timedelta(days=days_ago)).replace(
        hour=15, minute=0, second=0, microsecond=0)
    end = start + timedelta(minutes=end_offset_min if end_offset_min is not None else duration)
    rows = []
    for who, join_min, leave_min in participants:
        row = {"join_time": iso(start + timedelta(minutes=join_min)),
               "leave_time": iso(start + timedelta(minutes=leave_min))}
        if isinstance(who, dict):
            row.update(who)
        else:
            row.update({"registrant_email": who, "user_email": who})
        rows.append(row)
    return {
        "id": webinar_id, "topic": topic, "type": 5, "start_time": iso(start),
        "duration": duration, "host_id": HOST["id"],
        "registrants": [
            {"create_time": iso(start - timedelta(days=3, minutes=i)), **r}
            for i, r in enumerate(registrants)
        ],
        "instances": [{"uuid": uuid, "start_time": iso(start), "end_time": iso(end),
                       "participants": rows}],
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


def world(*webinars, hubspot_contacts=()):
    return {"users": [HOST], "webinars": list(webinars),
            "hubspot": {"contacts": list(hubspot_contacts)}}
