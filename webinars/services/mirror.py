"""Writing Zoom's data into our mirror: one entry point per model, safe to run twice.

People enter through `registrants_sync_from_zoom` and `attendance_sessions_sync_from_zoom`:
there each address is trimmed, lower-cased and checked once (contacts.services.people). A
valid one is linked to its contact; an invalid one is kept with the reason and linked to none,
so it never reaches HubSpot and never stops the others.
"""

from datetime import datetime, timedelta
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Q

from contacts.services.people import email_normalise, people_identify
from integrations.models import SyncSettings, ZoomAccount
from integrations.services.zoom_users import NO_USERS, AccountUsers
from integrations.timefmt import parse_api_time

from ..models import (
    MIRROR_EMAIL_LENGTH,
    AttendanceSession,
    Registrant,
    Webinar,
    WebinarInstance,
)

STANDARD_ANSWER_FIELDS = (
    "address", "city", "country", "zip", "state", "phone", "industry", "org", "job_title",
    "purchasing_time_frame", "role_in_purchase_process", "no_of_employees", "comments",
)
# Rows per bulk write: one statement each (see webinars.apps for SQLite's variable limit).
BULK_BATCH = 2000
# A participant row of time spent waiting to be admitted (Zoom's other status: in_meeting).
PARTICIPANT_WAITING_ROOM = "in_waiting_room"
# A held session is matched to the scheduled occurrence that starts closest to it, within this.
OCCURRENCE_MATCH_WINDOW = timedelta(hours=12)


def _auto_synced(data: dict, *, just_created: bool) -> bool:
    """Auto-sync ticks webinars created in Zoom since it was turned on, never the history a
    backfill finds: Zoom's `created_at` says which (its start, when Zoom gives no creation
    time: a webinar held before auto-sync was on is history)."""
    settings = SyncSettings.get_solo()
    if not settings.auto_sync_new_webinars:
        return False
    since = settings.auto_sync_enabled_at
    if just_created or since is None:
        return True
    created = parse_api_time(data.get("created_at")) or parse_api_time(data.get("start_time"))
    return created is None or created >= since


def webinar_sync_from_zoom(*, account: ZoomAccount, data: dict,
                           just_created: bool = False) -> Webinar:
    """Creates or updates a webinar from Zoom's webinar object (list item or full details);
    `just_created`: Zoom reported its creation now (webinar.created)."""
    zoom_id = str(data["id"])
    fields = {
        "zoom_account": account,
        "uuid": data.get("uuid", ""),
        "host_id": data.get("host_id", ""),
        "topic": data.get("topic") or f"Webinar {zoom_id}",
        "type": int(data.get("type") or 5),
        "start_time": parse_api_time(data.get("start_time")),
        "duration": int(data.get("duration") or 0),
        "timezone": data.get("timezone", ""),
        "join_url": data.get("join_url", ""),
    }
    if "host_email" in data:
        fields["host_email"] = data["host_email"]
    if "registration_url" in data:
        fields["registration_url"] = data["registration_url"]
    if "settings" in data:
        fields["settings"] = data["settings"]
    occurrences = data.get("occurrences") or []
    if occurrences and not fields["start_time"]:
        fields["start_time"] = parse_api_time(occurrences[0].get("start_time"))
    try:
        webinar, created = Webinar.objects.get_or_create(zoom_id=zoom_id, defaults={
            **fields, "raw": data,
            "sync_enabled": _auto_synced(data, just_created=just_created),
        })
    except IntegrityError:  # a concurrent webhook or worker created it first
        webinar, created = Webinar.objects.get(zoom_id=zoom_id), False
    if not created:
        raw = {**webinar.raw, **data}
        for key, value in fields.items():
            setattr(webinar, key, value)
        webinar.raw = raw
        # Only Zoom's fields: a sync or a Sync box saved by another process meanwhile stays.
        webinar.save(update_fields=[*fields, "raw"])
    return webinar


def webinar_instances_plan(*, webinar: Webinar) -> list[WebinarInstance]:
    """One instance per scheduled occurrence (one for a one-off webinar)."""
    occurrences = webinar.raw.get("occurrences") or []
    if webinar.is_recurring and occurrences:
        wanted = {
            str(o["occurrence_id"]): (parse_api_time(o.get("start_time")),
                                      int(o.get("duration") or webinar.duration))
            for o in occurrences if o.get("status", "available") != "deleted"
        }
    elif webinar.is_recurring:
        wanted = {}
    else:
        wanted = {"": (webinar.start_time, webinar.duration)}
    existing = {i.occurrence_id: i for i in webinar.instances.all()}
    for occurrence_id, (start, duration) in wanted.items():
        instance = existing.get(occurrence_id)
        if instance is None:
            existing[occurrence_id] = _instance_create(
                webinar=webinar, occurrence_id=occurrence_id,
                scheduled_start=start, scheduled_duration=duration,
            )
        elif (instance.scheduled_start, instance.scheduled_duration) != (start, duration):
            instance.scheduled_start, instance.scheduled_duration = start, duration
            instance.save(update_fields=["scheduled_start", "scheduled_duration"])
    return sorted(existing.values(), key=lambda i: (i.scheduled_start is None, i.scheduled_start))


def _instance_create(*, webinar, occurrence_id, **fields) -> WebinarInstance:
    try:
        with transaction.atomic():
            return WebinarInstance.objects.create(
                webinar=webinar, occurrence_id=occurrence_id, **fields
            )
    except IntegrityError:
        return WebinarInstance.objects.get(webinar=webinar, occurrence_id=occurrence_id)


def webinar_instance_sync_from_zoom(*, webinar: Webinar, uuid: str, report: dict | None,
                                    start_time: datetime | None) -> WebinarInstance:
    """Attaches a held session (uuid + report) to its occurrence. A session the host restarted
    comes as a second uuid starting right after the first: it is the same occurrence, and
    the session remembers both."""
    started = parse_api_time((report or {}).get("start_time")) or start_time
    ended = parse_api_time((report or {}).get("end_time"))
    instances = list(webinar.instances.all())
    instance = next((i for i in instances if uuid in i.zoom_uuids), None)
    if instance is None and not webinar.is_recurring:
        instance = next((i for i in instances if i.occurrence_id == ""), None)
    if instance is None and started:
        candidates = [i for i in instances if i.scheduled_start
                      and abs(i.scheduled_start - started) <= OCCURRENCE_MATCH_WINDOW]
        candidates.sort(key=lambda i: abs(i.scheduled_start - started))
        instance = candidates[0] if candidates else None
    if instance is None:
        occurrence_id = str(int(started.timestamp() * 1000)) if (
            webinar.is_recurring and started) else ""
        instance = _instance_create(webinar=webinar, occurrence_id=occurrence_id,
                                    scheduled_start=started,
                                    scheduled_duration=webinar.duration)
    instance.uuid = uuid
    if uuid not in instance.held_uuids:
        instance.held_uuids = [*instance.held_uuids, uuid]
    if started and (instance.started_at is None or started < instance.started_at):
        instance.started_at = started
    if ended and (instance.ended_at is None or ended > instance.ended_at):
        instance.ended_at = ended
    instance.save(update_fields=["uuid", "held_uuids", "started_at", "ended_at"])
    return instance


def registrant_answers(row: dict) -> dict:
    answers = {key: row[key] for key in STANDARD_ANSWER_FIELDS if row.get(key)}
    for question in row.get("custom_questions") or []:
        if question.get("title"):
            answers[question["title"]] = question.get("value", "")
    return answers


class Mirrored(NamedTuple):
    rows: int  # rows written
    contact_ids: dict[str, int]  # the contacts of the batch's valid addresses, by address


def _mirror_email(value) -> str:
    # An address longer than the column is far past the 254 characters of a valid one:
    # cutting it changes no verdict, and a participant's copy is cut like the registrant's,
    # so the two still match.
    return email_normalise(value)[:MIRROR_EMAIL_LENGTH]


def registrants_sync_from_zoom(*, webinar: Webinar, rows: list[dict],
                               excluded_domains: set[str] | None = None,
                               panelists: frozenset[str] = frozenset(),
                               account_users: AccountUsers = NO_USERS) -> Mirrored:
    """Upserts one batch of registrants (Zoom's registrant objects, any status), linked to
    their contacts. Called once per few pages, so a webinar of any size costs a few queries
    per batch.

    Zoom lists a cancelled registration under "denied": one we knew as registered that turns up
    denied was cancelled. A registrant who is also one of the webinar's panelists (their
    e-mails, normalised), its host or another of our account's users is kept without a
    contact: a speaker or a colleague is not a lead.
    """
    emails = [_mirror_email(row.get("email")) for row in rows]
    people = people_identify(
        emails=set(emails), excluded_domains=excluded_domains,
        leads={email for email in emails
               if not registrant_on_stage(email, webinar=webinar, panelists=panelists,
                                          account_users=account_users)})
    ids = [str(row["id"]) for row in rows]
    previous = dict(webinar.registrants.filter(zoom_registrant_id__in=ids).values_list(
        "zoom_registrant_id", "status"))
    # keyed by id: someone whose status changed while we listed shows up in two listings
    objs: dict[str, Registrant] = {}
    for row, email in zip(rows, emails, strict=True):
        rid = str(row["id"])
        status = row.get("status") or "approved"
        if status == Registrant.Status.DENIED and previous.get(rid) in (
            Registrant.Status.APPROVED, Registrant.Status.PENDING, Registrant.Status.CANCELLED,
        ):
            status = Registrant.Status.CANCELLED
        objs[rid] = Registrant(
            webinar=webinar, zoom_registrant_id=rid, email=email,
            email_problem=people.problems.get(email, ""),
            first_name=(row.get("first_name") or "")[:100],
            last_name=(row.get("last_name") or "")[:100],
            answers=registrant_answers(row), status=status,
            join_url=row.get("join_url", ""), registered_at=parse_api_time(row.get("create_time")),
            contact_id=people.contact_ids.get(email), raw=row,
        )
    Registrant.objects.bulk_create(
        list(objs.values()), batch_size=BULK_BATCH, update_conflicts=True,
        unique_fields=["webinar", "zoom_registrant_id"],
        update_fields=["email", "email_problem", "first_name", "last_name", "answers",
                       "status", "join_url", "registered_at", "contact", "raw"],
    )
    return Mirrored(len(objs), people.contact_ids)


def registrant_sessions_apply(*, webinar: Webinar, listed: set[str],
                              members: dict[str, set[str]]) -> int:
    """Records which sessions each registrant registered for, from the registrant lists of
    the sessions in `listed` (occurrence ids) that were just read from Zoom: `members` maps a
    Zoom registrant id to the listed sessions whose lists hold it. Sessions not listed keep
    what an earlier read found. Returns how many registrants changed.

    Only approved and pending registrants are updated: a cancelled one is off every list, yet
    still cancelled the sessions it had registered for.
    """
    changed = []
    rows = webinar.registrants.filter(
        status__in=[Registrant.Status.APPROVED, Registrant.Status.PENDING],
    ).order_by("id").values_list("id", "zoom_registrant_id", "occurrence_ids")
    for pk, registrant_id, old in rows.iterator(chunk_size=BULK_BATCH):
        kept = {o for o in (old or []) if o not in listed}
        new = sorted(kept | members.get(registrant_id, set()))
        if new != old:
            changed.append(Registrant(id=pk, occurrence_ids=new))
    Registrant.objects.bulk_update(changed, ["occurrence_ids"], batch_size=BULK_BATCH)
    return len(changed)


def registrant_on_stage(email: str, *, webinar: Webinar, panelists: frozenset[str],
                        account_users: AccountUsers = NO_USERS) -> bool:
    """A registrant (by normalised e-mail) who is no lead: a panelist of the webinar, its
    host, or another user of our own account."""
    return bool(email) and (email in panelists or _ours_by_email(email, webinar, account_users))


def participant_role(row: dict, email: str, panelists: frozenset[str],
                     webinar: Webinar | None = None,
                     account_users: AccountUsers = NO_USERS) -> str:
    """Who a participant row is: one of our own account's users (the host, colleagues), one
    of the webinar's panelists (by e-mail, whatever its case), or the audience.

    Zoom's past-participants listing flags our own users (internal_user); its participant
    report does not, but names a signed-in user by their Zoom user id, and gives an address
    that may be one of the account's users' (`account_users`) or the host's."""
    if row.get("internal_user") or (
            webinar is not None and _is_ours(row, email, webinar, account_users)):
        return AttendanceSession.Role.HOST
    if email and email in panelists:
        return AttendanceSession.Role.PANELIST
    return AttendanceSession.Role.ATTENDEE


def _is_ours(row: dict, email: str, webinar: Webinar, account_users: AccountUsers) -> bool:
    # The report gives a signed-in participant's Zoom user id in participant_user_id (and in
    # id, which Zoom deprecates); its user_id is a number for one join, not the person.
    user_id = str(row.get("participant_user_id") or row.get("id") or "")
    if user_id and (user_id == webinar.host_id or account_users.includes(user_id=user_id)):
        return True
    return _ours_by_email(email, webinar, account_users)


def _ours_by_email(email: str, webinar: Webinar, account_users: AccountUsers) -> bool:
    return bool(email) and (email == _mirror_email(webinar.host_email)
                            or account_users.includes(email=email))


def attendance_sessions_sync_from_zoom(*, instance: WebinarInstance, uuid: str, rows: list[dict],
                                       seen_at: datetime,
                                       excluded_domains: set[str] | None = None,
                                       panelists: frozenset[str] = frozenset(),
                                       account_users: AccountUsers = NO_USERS) -> Mirrored:
    """Upserts one batch of a held session's participant rows (one per join/leave cycle).

    Time in the waiting room is not time in the webinar: those rows are left out, so someone
    who was never admitted is no attendee (a registrant stays a registrant, a no-show). A row
    is matched to its registrant by registrant_id, then by e-mail (both lower-cased), and then
    has the registrant's contact, whatever address it was joined with; a row of no registrant
    has the contact of its own valid address. The row of a panelist (`panelists`: their
    e-mails, normalised), of the host or of another of our account's users (`account_users`:
    by Zoom user id or address) has no contact at all, registered or not. The rows the
    listing no longer returns are removed by `attendance_sessions_prune` once it is complete.
    """
    rows = [row for row in rows if row.get("status") != PARTICIPANT_WAITING_ROOM]
    emails = [_mirror_email(row.get("user_email")) for row in rows]
    roles = [participant_role(row, email, panelists, instance.webinar, account_users)
             for row, email in zip(rows, emails, strict=True)]
    registrant_ids = {str(row["registrant_id"]) for row in rows if row.get("registrant_id")}
    by_id, by_email = {}, {}
    for reg in Registrant.objects.filter(webinar_id=instance.webinar_id).filter(
        Q(zoom_registrant_id__in=registrant_ids) | Q(email__in=set(emails) - {""})
    ).values("id", "zoom_registrant_id", "email", "email_problem", "contact_id"):
        by_id[reg["zoom_registrant_id"]] = reg
        by_email.setdefault(reg["email"], reg)
    registrants = [by_id.get(str(row.get("registrant_id") or "")) or by_email.get(email)
                   for row, email in zip(rows, emails, strict=True)]
    # Registrants already have their contact, and the host, our own account's users and the
    # panelists are not leads: an address only they joined with makes no contact.
    people = people_identify(
        emails=set(emails), excluded_domains=excluded_domains,
        leads={email for email, registrant, role in zip(emails, registrants, roles, strict=True)
               if registrant is None and role == AttendanceSession.Role.ATTENDEE})
    sessions: dict[tuple, AttendanceSession] = {}
    for row, email, registrant, role in zip(rows, emails, registrants, roles, strict=True):
        join = parse_api_time(row.get("join_time"))
        if join is None:
            continue
        leave = parse_api_time(row.get("leave_time"))
        duration = int(row.get("duration") or 0)
        if leave is None and duration:
            leave = join + timedelta(seconds=duration)
        problem = people.problems.get(email, "")
        if registrant is not None and (problem or not email):
            # the registration says who it is better than a blank or mistyped user_email
            email, problem = registrant["email"], registrant["email_problem"]
        if role != AttendanceSession.Role.ATTENDEE:
            # on stage: no attend record, even for someone whose registration is a lead
            contact_id = None
        elif registrant is not None:
            contact_id = registrant["contact_id"]
        else:
            contact_id = people.contact_ids.get(email)
        participant_id = str(row.get("id") or "")
        sessions[(participant_id, join)] = AttendanceSession(
            instance=instance, zoom_uuid=uuid, participant_id=participant_id,
            registrant_id=registrant["id"] if registrant else None, contact_id=contact_id,
            name=(row.get("name") or "")[:200], email=email, email_problem=problem,
            role=role, join_time=join, leave_time=leave,
            duration_s=duration or (int((leave - join).total_seconds()) if leave else 0),
            raw=row, seen_at=seen_at,
        )
    AttendanceSession.objects.bulk_create(
        list(sessions.values()), batch_size=BULK_BATCH, update_conflicts=True,
        unique_fields=["instance", "zoom_uuid", "participant_id", "join_time"],
        update_fields=["registrant", "contact", "name", "email", "email_problem", "role",
                       "leave_time", "duration_s", "raw", "seen_at"],
    )
    return Mirrored(len(sessions), people.contact_ids)


def attendance_sessions_prune(*, instance: WebinarInstance, uuid: str,
                              seen_at: datetime) -> int:
    """After a complete listing: deletes the rows of that session Zoom no longer returns."""
    return instance.sessions.filter(zoom_uuid=uuid).exclude(seen_at=seen_at).delete()[0]


def attendance_sessions_discard(*, instance: WebinarInstance, uuid: str) -> None:
    """Forgets a session's rows whose data Zoom has not finished (they come back next sync).
    Rows built from live joins and leaves (never seen in a listing) stay until a complete
    listing replaces them."""
    instance.sessions.filter(zoom_uuid=uuid, seen_at__isnull=False).delete()
