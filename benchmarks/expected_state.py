"""What HubSpot should hold after the sync of one webinar or several, worked out from the
sandbox's own Zoom data — never with the product's functions — and every way HubSpot differs
from it.

Covers every registrant status: approved and pending registrations count and get a `register`
record (when made before the session ended, or when the person attended); a registration
cancelled after it was recorded keeps its `register` record, gets one `cancel` record and no
longer counts; one denied from the start gets no record at all. Each
person (registrant of any status, or attendee) is one contact with exactly the expected
properties, and attendance follows SPEC §5.2 (union of a person's intervals, capped at the
session's length); each attend record runs from the person's first join for as long as they
attended, so HubSpot's duration is theirs; a person in several webinars has roll-ups over all
of them.
"""

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import requests

NOT_PUSHED = {"hs_object_id", "createdate", "lastmodifieddate"}
COUNTED = ("approved", "pending")


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _union_seconds(intervals, length: int) -> int:
    total, end_so_far = 0, None
    for start, end in sorted(intervals):
        if end_so_far is not None and start < end_so_far:
            if end > end_so_far:
                total += (end - end_so_far).total_seconds()
                end_so_far = end
        elif end > start:
            total += (end - start).total_seconds()
            end_so_far = end
    return min(int(total), length)


def _one_decimal(value: Fraction) -> str:
    tenths = math.floor(value * 10 + Fraction(1, 2))
    return f"{tenths // 10}.{tenths % 10}"


def zoom_token(url: str) -> str:
    creds = requests.get(f"{url}/_sandbox/credentials", timeout=30).json()["zoom"]
    response = requests.post(
        f"{url}/zoom/oauth/token", timeout=30,
        data={"grant_type": "account_credentials", "account_id": creds["account_id"]},
        auth=(creds["client_id"], creds["client_secret"]))
    response.raise_for_status()
    return response.json()["access_token"]


def _join_urls(url: str, zoom_id: str) -> dict[str, str]:
    """Each registrant's join URL, read from Zoom's API (the state listing leaves it out)."""
    headers = {"Authorization": f"Bearer {zoom_token(url)}"}
    urls = {}
    for status in COUNTED:
        params = {"page_size": 300, "status": status}
        while True:
            data = requests.get(f"{url}/zoom/v2/webinars/{zoom_id}/registrants",
                                params=params, headers=headers, timeout=60).json()
            urls.update({r["email"].lower(): r["join_url"] for r in data["registrants"]})
            if not data.get("next_page_token"):
                break
            params["next_page_token"] = data["next_page_token"]
    return urls


def _attended_intervals(webinar: dict) -> tuple[dict[str, list], int, datetime, datetime]:
    by_registrant = {r["id"]: r for r in webinar["registrants"]}
    instance = webinar["instances"][0]
    start, end = _time(instance["start_time"]), _time(instance["end_time"])
    intervals = defaultdict(list)
    for row in instance["participants"]:
        if row.get("status") == "in_waiting_room":  # waiting to be admitted is not attending
            continue
        reg = by_registrant.get(row["registrant_id"])
        email = (reg["email"] if reg else row["user_email"]).lower()
        if email:
            intervals[email].append((_time(row["join_time"]), _time(row["leave_time"])))
    return intervals, int((end - start).total_seconds()), start, end


@dataclass
class WebinarFacts:
    """One held webinar (its first session) as Zoom's data tells it."""

    zoom_id: str
    topic: str
    registrants: dict[str, dict]  # by e-mail
    join_urls: dict[str, str]
    intervals: dict[str, list]  # e-mail -> [(join, leave)]
    length: int  # seconds
    start: datetime
    ended: datetime

    @classmethod
    def read(cls, url: str, webinar: dict) -> "WebinarFacts":
        zoom_id = str(webinar["id"])
        intervals, length, start, ended = _attended_intervals(webinar)
        return cls(zoom_id=zoom_id, topic=webinar["topic"],
                   registrants={r["email"].lower(): r for r in webinar["registrants"]},
                   join_urls=_join_urls(url, zoom_id), intervals=intervals, length=length,
                   start=start, ended=ended)

    def seconds(self, email: str) -> int:
        return _union_seconds(self.intervals.get(email, []), self.length)

    def people(self) -> set[str]:
        return set(self.registrants) | set(self.intervals)


def _expected_contact(email: str, webinars: list[WebinarFacts]) -> dict:
    """SPEC §5.2's roll-ups over every webinar the person registered for or attended; on a
    tie of times the larger webinar id wins."""
    regs = [(w, w.registrants[email]) for w in webinars if email in w.registrants]
    counted = [(w, r) for w, r in regs if r["status"] in COUNTED]
    attended = [(w, w.seconds(email)) for w in webinars if w.seconds(email) > 0]
    want = {
        "email": email,
        "zoomsync_webinar_registrations": str(len(counted)),
        "zoomsync_webinars_attended": str(len(attended)),
        "zoomsync_source": "Zoom Integration",
    }
    if regs:
        want.update({"firstname": regs[0][1]["first_name"], "lastname": regs[0][1]["last_name"]})
    if counted:
        last, _reg = max(counted, key=lambda wr: (_time(wr[1]["create_time"]), int(wr[0].zoom_id)))
        want["zoomsync_last_registered_webinar"] = last.topic
        want["zoomsync_last_join_url"] = last.join_urls.get(email, "?")
    if attended:
        pcts = [Fraction(seconds * 100, w.length) for w, seconds in attended]
        want["zoomsync_avg_attendance_pct"] = _one_decimal(sum(pcts) / len(pcts))
        want["zoomsync_avg_attendance_minutes"] = _one_decimal(
            Fraction(sum(seconds for _w, seconds in attended), 60 * len(attended)))
        last, _seconds = max(attended, key=lambda ws: (ws[0].start, int(ws[0].zoom_id)))
        want["zoomsync_last_attended_webinar"] = last.topic
    return {k: v for k, v in want.items() if v != ""}


def check_state(url: str, zoom_id: str) -> list[str]:
    """Every mismatch between HubSpot's state and what Zoom's data says it should be."""
    return check_states(url, [zoom_id])


def check_states(url: str, zoom_ids: list[str]) -> list[str]:
    """The same for several webinars synced into one portal: every contact's roll-ups count
    all of them, and each webinar has its own event and attendance."""
    zoom = requests.get(f"{url}/_sandbox/state", params={"section": "zoom"},
                        timeout=600).json()["zoom"]
    hubspot = requests.get(f"{url}/_sandbox/state", params={"section": "hubspot"},
                           timeout=600).json()["hubspot"]
    by_id = {str(w["id"]): w for w in zoom["webinars"]}
    webinars = [WebinarFacts.read(url, by_id[zoom_id]) for zoom_id in zoom_ids]

    errors = []
    contacts = {c["properties"]["email"]: c["properties"] for c in hubspot["contacts"]}
    expected_emails = set().union(*(w.people() for w in webinars))
    extra = set(contacts) - expected_emails
    if extra:
        errors.append(f"{len(extra)} unexpected HubSpot contact(s), e.g. {sorted(extra)[0]}")
    for email in sorted(expected_emails):
        want = _expected_contact(email, webinars)
        got = {k: v for k, v in (contacts.get(email) or {}).items() if k not in NOT_PUSHED}
        if got != want:
            diff = {k: (got.get(k), want.get(k)) for k in set(got) | set(want)
                    if got.get(k) != want.get(k)}
            errors.append(f"{email}: (HubSpot, expected) {diff}")
    events = {e["externalEventId"]: e for e in hubspot["marketing_events"]}
    for w in webinars:
        event = events.get(f"zoom-webinar-{w.zoom_id}")
        if event is None:
            errors.append(f"no marketing event zoom-webinar-{w.zoom_id}")
            continue
        errors += [f"zoom-webinar-{w.zoom_id}: {e}" if len(webinars) > 1 else e
                   for e in _event_errors(event, w.registrants, w.intervals, w.length,
                                          w.ended)]
    return errors


def _event_errors(event: dict, registrants: dict, intervals: dict, length: int,
                  ended: datetime) -> list[str]:
    errors = [] if event["eventCompleted"] else ["the marketing event is not completed"]
    records = Counter((a["email"], a["state"]) for a in event["attendance"])
    errors += [f"{email}: {n} '{state}' records" for (email, state), n in records.items()
               if n > 1]
    for email, reg in registrants.items():
        # a registration covers the session when made before its end (or if they came)
        in_time = _time(reg["create_time"]) <= ended or email in intervals
        registered = reg["status"] in (*COUNTED, "cancelled") and in_time
        if records[(email, "register")] != int(registered):
            errors.append(f"{email} ({reg['status']}): {records[(email, 'register')]} "
                          f"'register' record(s), expected {int(registered)}")
        if records[(email, "cancel")] != int(reg["status"] == "cancelled"):
            errors.append(f"{email} ({reg['status']}): wrong 'cancel' records")
    attends = {a["email"]: a for a in event["attendance"] if a["state"] == "attend"}
    attended = {e for e, spans in intervals.items() if _union_seconds(spans, length) > 0}
    if set(attends) != attended:
        errors.append(f"'attend' records for {len(attends)} people, expected {len(attended)}")
    for email in attended & set(attends):
        spans = intervals[email]
        # from the first join, as long as the union of their spans: HubSpot's duration
        joined = min(s for s, _ in spans)
        left = joined + timedelta(seconds=_union_seconds(spans, length))
        record = attends[email]
        if (_time(record["joinedAt"]), _time(record["leftAt"])) != (joined, left):
            errors.append(f"{email}: attended {record['joinedAt']}–{record['leftAt']}, "
                          f"expected {joined:%H:%M:%S}–{left:%H:%M:%S}")
    unexpected = {email for email, state in records
                  if state == "cancel" and email not in registrants}
    if unexpected:
        errors.append(f"'cancel' records for non-registrants, e.g. {sorted(unexpected)[0]}")
    return errors
