"""The ``custom`` scenario: an explicit world given as JSON (what the product's tests seed)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from ..common import epoch_ms, iso_z, parse_iso
from ..world import World
from ..zoom.models import (
    PARTICIPANT_STATUSES,
    QUESTION_TYPES,
    REGISTRANT_EMAIL_MAX_LENGTH,
    REGISTRANT_FIELDS,
    Instance,
    Meeting,
    MeetingInstance,
    Panelist,
    Participant,
    Registrant,
    User,
    Webinar,
)
from .ids import HOST_EMAIL, join_tk, zoom_id22, zoom_uuid

FIRST_USER_ID = 16_778_240


def _dt(value, what: str) -> datetime:
    dt = parse_iso(value)
    if dt is None:
        raise ValueError(f"{what}: not an ISO-8601 date-time: {value!r}")
    return dt


def seed_custom(world: World, rng: random.Random, *, users=None, webinars=None, meetings=None,
                hubspot=None, **unknown) -> None:
    """Load an explicit world.

    ``{"users": [{"id", "email", "first_name", "last_name"}],
       "webinars": [{"id", "topic", "type", "start_time", "duration", "host_id", "uuid"?,
                     "settings"?, "occurrences"?, "recurrence"?,
                     "questions"?: [{"field_name", "required"}],
                     "custom_questions"?: [{"title", "type", "required", "answers"}],
                     "registrants": [{"email", "first_name", "last_name", "status",
                                      "create_time", "id"?, <standard fields>,
                                      "custom_questions",
                                      "occurrence_ids"?: the sessions picked (default all)}],
                     "panelists": [{"email", "name"}],
                     "instances": [{"uuid", "start_time", "end_time", "occurrence_id"?,
                                    "participants": [{"join_time", "leave_time",
                                                      "registrant_email" | "registrant_id"
                                                      | "panelist_email",
                                                      "signed_in_as"?,
                                                      "user_email", "name", "id"?,
                                                      "status"?, "failover"?,
                                                      "internal_user"?}]}]}],
       "meetings": [{"id"?, "topic", "host_id" | "host_email", "start_time", "duration"?,
                     "timezone"?, "agenda"?, "password"?, "uuid"?,
                     "instances": [{"uuid"?, "start_time", "end_time"?,
                                    "participants": [{"name", "user_email", "join_time",
                                                      "leave_time", "id"?, "status"?,
                                                      "failover"?}]}]}],
       "hubspot": {"contacts": [{"email", "properties": {...}}]}}``

    A meeting's first held session has the meeting's uuid unless given (like Zoom's); a
    participant who is one of the ``users`` (by e-mail) carries that user's id as ``id``.

    A participant row is time in the webinar unless ``"status": "in_waiting_room"`` (time
    waiting to be admitted; Zoom's other status value). Two instances with their own uuids
    around the same start are one session the host restarted.

    ``"signed_in_as"``: the id of one of the ``users``, who joined signed in to Zoom. Their
    rows carry that id where Zoom puts a signed-in participant's user id (``id``, and the
    report's ``participant_user_id``), the user's e-mail and name unless given, and
    ``internal_user`` (the past-webinar listing's flag for the account's own users). A row's
    ``user_id`` is not a user's: Zoom numbers each join of a webinar with one.

    A webinar's registration form: ``questions`` are its standard fields (``last_name``,
    ``org``, ... with their ``required`` flags; default: none required), ``custom_questions``
    its own questions (``type`` short | single_radio | single_dropdown | multiple, the choices
    in ``answers``); without them, the titles the registrants answered, none required.
    ``settings`` takes Zoom's webinar settings (``approval_type``, ``close_registration``,
    ``registrants_email_notification``, ``registrants_confirmation_email``, ...).
    """
    if unknown:
        raise ValueError(f"unknown custom-world keys: {', '.join(sorted(unknown))}")
    now = world.now()
    _custom_users(world, rng, users or [], now)
    for i, data in enumerate(webinars or []):
        _custom_webinar(world, rng, data, f"webinars[{i}]")
    for i, data in enumerate(meetings or []):
        _custom_meeting(world, rng, data, f"meetings[{i}]")
    _custom_contacts(world, (hubspot or {}).get("contacts") or [], now)


def _custom_users(world: World, rng: random.Random, users: list, now: datetime) -> None:
    for i, u in enumerate(users):
        if not isinstance(u, dict) or not u.get("email"):
            raise ValueError(f"users[{i}] needs an email")
        world.add_user(User(id=str(u.get("id") or zoom_id22(rng)), email=u["email"],
                            first_name=u.get("first_name", ""),
                            last_name=u.get("last_name", ""), dept=u.get("dept", ""),
                            timezone=u.get("timezone", "UTC"),
                            pmi=int(u.get("pmi", 5_550_000_000 + i)),
                            type=int(u.get("type", 2)),
                            created_at=now - timedelta(days=365)))
    if not world.users:
        world.add_user(User(id=zoom_id22(rng), email=HOST_EMAIL, first_name="Maya",
                            last_name="Chen", pmi=5_551_234_567,
                            created_at=now - timedelta(days=365)))


def _custom_contacts(world: World, contacts: list, now: datetime) -> None:
    for i, c in enumerate(contacts):
        if not isinstance(c, dict) or not c.get("email"):
            raise ValueError(f"hubspot.contacts[{i}] needs an email")
        props = c.get("properties")
        if props is None:
            props = {k: v for k, v in c.items() if k != "email"}
        unknown_props = [k for k in props if k not in world.properties]
        if unknown_props:
            raise ValueError(f"hubspot.contacts[{i}]: unknown properties {unknown_props}")
        world.create_contact(c["email"], {k: str(v) for k, v in props.items()
                                          if v is not None},
                             when=now - timedelta(days=100 - i))


def _custom_webinar(world: World, rng: random.Random, data: dict, where: str) -> None:
    if not isinstance(data, dict):
        raise ValueError(f"{where} must be an object")
    try:
        wid = int(data["id"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"{where}.id must be a number") from None
    if wid in world.webinars:
        raise ValueError(f"{where}: duplicate webinar id {wid}")
    host_id = data.get("host_id") or world.users[0].id
    if host_id not in world.users_by_id:
        raise ValueError(f"{where}.host_id {host_id!r} is not one of the users")
    start = _dt(data.get("start_time"), f"{where}.start_time")
    duration = int(data.get("duration", 60))
    occurrences = [
        {"occurrence_id": str(o.get("occurrence_id") or epoch_ms(_dt(o["start_time"], where))),
         "start_time": _dt(o["start_time"], f"{where}.occurrences"),
         "duration": int(o.get("duration", duration)), "status": o.get("status", "available")}
        for o in data.get("occurrences") or []
    ]
    regs_in = data.get("registrants") or []
    titles = []
    for r in regs_in:
        for q in r.get("custom_questions") or []:
            if q.get("title") and q["title"] not in titles:
                titles.append(q["title"])
    questions = _custom_questions(data.get("custom_questions"), where) or [
        {"title": t, "type": "short", "required": False, "answers": []} for t in titles]
    settings = dict(data.get("settings") or {})
    if data.get("questions") is not None:
        settings["_questions"] = _standard_questions(data["questions"], where)
    w = world.add_webinar(Webinar(
        id=wid, uuid=data.get("uuid") or zoom_uuid(rng), host_id=host_id,
        topic=str(data.get("topic") or f"Webinar {wid}"), type=int(data.get("type", 5)),
        start_time=start, duration=duration, timezone=data.get("timezone", "UTC"),
        agenda=data.get("agenda", ""), created_at=min(start, world.now()) - timedelta(days=30),
        settings=settings, recurrence=data.get("recurrence"),
        occurrences=occurrences, password=str(data.get("password", "")),
        reg_token=zoom_id22(rng), custom_questions=questions))
    for j, p in enumerate(data.get("panelists") or []):
        if not isinstance(p, dict) or not p.get("email"):
            raise ValueError(f"{where}.panelists[{j}] needs an email")
        w.panelists.append(Panelist(id=zoom_id22(rng), email=p["email"],
                                    name=str(p.get("name") or p["email"]), tk=join_tk(rng)))
    for j, r in enumerate(regs_in):
        _custom_registrant(world, rng, w, r, j, f"{where}.registrants[{j}]")
    user_id = FIRST_USER_ID
    for j, inst_data in enumerate(data.get("instances") or []):
        user_id = _custom_instance(world, rng, w, data, inst_data, j, user_id,
                                   f"{where}.instances[{j}]")


def _standard_questions(items, where: str) -> list[dict]:
    if not isinstance(items, list):
        raise ValueError(f"{where}.questions must be a list")
    out = []
    for k, q in enumerate(items):
        name = q.get("field_name") if isinstance(q, dict) else None
        if name not in ("last_name", *REGISTRANT_FIELDS):
            raise ValueError(f"{where}.questions[{k}].field_name must be last_name or one of "
                             f"{', '.join(REGISTRANT_FIELDS)}")
        out.append({"field_name": name, "required": bool(q.get("required", False))})
    return out


def _custom_questions(items, where: str) -> list[dict]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise ValueError(f"{where}.custom_questions must be a list")
    out = []
    for k, q in enumerate(items):
        qw = f"{where}.custom_questions[{k}]"
        if not isinstance(q, dict) or not isinstance(q.get("title"), str) or not q["title"]:
            raise ValueError(f"{qw} needs a title")
        kind = q.get("type", "short")
        if kind not in QUESTION_TYPES:
            raise ValueError(f"{qw}.type {kind!r} is not {' | '.join(QUESTION_TYPES)}")
        answers = q.get("answers") or []
        if not isinstance(answers, list):
            raise ValueError(f"{qw}.answers must be a list")
        out.append({"title": q["title"], "type": kind, "required": bool(q.get("required")),
                    "answers": [str(a) for a in answers]})
    return out


def _custom_registrant(world: World, rng: random.Random, w: Webinar, r, j: int,
                       rw: str) -> None:
    if not isinstance(r, dict) or not r.get("email"):
        raise ValueError(f"{rw} needs an email")
    if len(r["email"]) > REGISTRANT_EMAIL_MAX_LENGTH:
        raise ValueError(f"{rw}.email is longer than the {REGISTRANT_EMAIL_MAX_LENGTH} "
                         "characters Zoom documents for a registrant; a longer address can "
                         "come as a participant's user_email")
    status = r.get("status", "approved")
    if status not in ("approved", "pending", "denied", "cancelled"):
        raise ValueError(f"{rw}.status {status!r} is not approved|pending|denied|cancelled")
    if r["email"].strip().lower() in w.reg_by_email:
        raise ValueError(f"{rw}: {r['email']} is registered twice")
    created = (_dt(r["create_time"], f"{rw}.create_time") if r.get("create_time")
               else min(w.start_time, world.now()) - timedelta(days=1, minutes=j))
    fields = {k: str(r[k]) for k in REGISTRANT_FIELDS if r.get(k) not in (None, "")}
    picked = r.get("occurrence_ids")
    if picked is not None:
        known = {o["occurrence_id"] for o in w.occurrences}
        picked = [str(o) for o in picked]
        if not set(picked) <= known:
            raise ValueError(f"{rw}.occurrence_ids: {sorted(set(picked) - known)} are not "
                             "occurrences of the webinar")
    world.add_registrant(w, Registrant(
        id=str(r.get("id") or zoom_id22(rng)), email=r["email"],
        first_name=r.get("first_name", ""), last_name=r.get("last_name", ""),
        fields=fields or None,
        custom_questions=[{"title": q["title"], "value": str(q.get("value", ""))}
                          for q in r.get("custom_questions") or []] or None,
        status=status, create_time=created, tk=join_tk(rng),
        occurrence_ids=picked))


def custom_instance_add(world: World, w: Webinar, inst_data: dict, user_id: int) -> Instance:
    """A held session added after seeding (a session Zoom reports late)."""
    if not isinstance(inst_data.get("uuid"), str) or not inst_data["uuid"]:
        raise ValueError("'uuid' (the held session's UUID) is required")
    _custom_instance(world, random.Random(user_id), w, {"start_time": iso_z(w.start_time)},
                     inst_data, len(w.instances), user_id, "session")
    return world.instances_by_uuid[inst_data["uuid"]]


def _custom_instance(world: World, rng: random.Random, w: Webinar, data: dict, inst_data: dict,
                     j: int, user_id: int, iw: str) -> int:
    """Adds one held instance with its participant rows; returns the last user id used."""
    i_start = _dt(inst_data.get("start_time") or data.get("start_time"), f"{iw}.start_time")
    i_end = (_dt(inst_data["end_time"], f"{iw}.end_time") if inst_data.get("end_time")
             else i_start + timedelta(minutes=w.duration))
    uuid = inst_data.get("uuid") or (w.uuid if j == 0 and w.type == 5 else zoom_uuid(rng))
    if uuid in world.instances_by_uuid:
        raise ValueError(f"{iw}: duplicate instance uuid {uuid!r}")
    inst = Instance(uuid=uuid, webinar_id=w.id, start_time=i_start, end_time=i_end,
                    occurrence_id=inst_data.get("occurrence_id"))
    ids: dict[str, str] = {}
    for k, p in enumerate(inst_data.get("participants") or []):
        user_id += 1
        inst.participants.append(_custom_participant(rng, world, w, p, ids, user_id,
                                                     f"{iw}.participants[{k}]"))
    inst.participants.sort(key=lambda row: row.join_time)
    world.add_instance(w, inst)
    return user_id


def _signed_in_user(world: World, p: dict, pw: str) -> User | None:
    if str(p.get("user_id", "")) in world.users_by_id:
        raise ValueError(f"{pw}.user_id is the number Zoom gives one join, not a user's id: "
                         "name the user who joined signed in with signed_in_as")
    if "signed_in_as" not in p:
        return None
    user = world.users_by_id.get(str(p["signed_in_as"]))
    if user is None:
        raise ValueError(f"{pw}.signed_in_as {p['signed_in_as']!r} is not one of the users")
    return user


def _custom_participant(rng: random.Random, world: World, w: Webinar, p: dict,
                        ids: dict[str, str], user_id: int, pw: str) -> Participant:
    reg = None
    user = _signed_in_user(world, p, pw)
    if user is not None:
        p = {"id": user.id, "user_email": user.email,
             "name": user.display_name or user.email, **p}
    if p.get("panelist_email"):
        panelist = next((x for x in w.panelists
                         if x.email.lower() == p["panelist_email"].strip().lower()), None)
        if panelist is None:
            raise ValueError(f"{pw}: {p['panelist_email']} is not a panelist")
        p = {"user_email": panelist.email, "name": panelist.name, **p}
    elif p.get("registrant_id"):
        reg = w.reg_by_id.get(p["registrant_id"])
        if reg is None:
            raise ValueError(f"{pw}: unknown registrant_id {p['registrant_id']!r}")
    elif p.get("registrant_email"):
        reg = w.reg_by_email.get(p["registrant_email"].strip().lower())
        if reg is None:
            raise ValueError(f"{pw}: {p['registrant_email']} is not a registrant")
    status = p.get("status", PARTICIPANT_STATUSES[0])
    if status not in PARTICIPANT_STATUSES:
        raise ValueError(f"{pw}.status {status!r} is not {' | '.join(PARTICIPANT_STATUSES)}")
    email = p.get("user_email", reg.email if reg else "") or ""
    name = p.get("name") or (f"{reg.first_name} {reg.last_name}".strip() if reg
                             else email or "Guest")
    key = reg.id if reg else (email.lower() or "")
    if "id" in p:
        pid = str(p["id"])
    elif key:
        pid = ids.setdefault(key, zoom_id22(rng))
    else:
        pid = ""  # a guest who is not signed in to Zoom
    return Participant(
        id=pid, name=name, user_id=str(p.get("user_id", user_id)),
        registrant_id=reg.id if reg else "", user_email=email,
        join_time=_dt(p.get("join_time"), f"{pw}.join_time"),
        leave_time=_dt(p.get("leave_time"), f"{pw}.leave_time"),
        failover=bool(p.get("failover", False)),
        status=status,
        # Zoom flags the account's own users, whose signed-in rows carry their user id
        internal_user=bool(p.get("internal_user", pid in world.users_by_id)))


def _custom_meeting(world: World, rng: random.Random, data: dict, where: str) -> None:
    if not isinstance(data, dict):
        raise ValueError(f"{where} must be an object")
    try:
        mid = int(data["id"]) if "id" in data else rng.randint(10**10, 10**11 - 1)
    except (TypeError, ValueError):
        raise ValueError(f"{where}.id must be a number") from None
    if mid in world.meetings:
        raise ValueError(f"{where}: duplicate meeting id {mid}")
    if data.get("host_email"):
        host = world.users_by_email.get(str(data["host_email"]).lower())
        if host is None:
            raise ValueError(f"{where}.host_email {data['host_email']!r} is not one of the users")
    else:
        host = world.users_by_id.get(data.get("host_id") or world.users[0].id)
        if host is None:
            raise ValueError(f"{where}.host_id {data['host_id']!r} is not one of the users")
    start = _dt(data.get("start_time"), f"{where}.start_time")
    m = world.add_meeting(Meeting(
        id=mid, uuid=data.get("uuid") or zoom_uuid(rng), host_id=host.id,
        topic=str(data.get("topic") or f"Meeting {mid}"), type=2, start_time=start,
        duration=int(data.get("duration", 60)), timezone=data.get("timezone", host.timezone),
        agenda=str(data.get("agenda", "")),
        created_at=min(start, world.now()) - timedelta(days=7),
        password=str(data.get("password") or rng.randint(100_000, 999_999))))
    user_id = FIRST_USER_ID
    for j, inst_data in enumerate(data.get("instances") or []):
        iw = f"{where}.instances[{j}]"
        if not isinstance(inst_data, dict):
            raise ValueError(f"{iw} must be an object")
        i_start = _dt(inst_data.get("start_time") or data.get("start_time"), f"{iw}.start_time")
        i_end = (_dt(inst_data["end_time"], f"{iw}.end_time") if inst_data.get("end_time")
                 else i_start + timedelta(minutes=m.duration))
        uuid = inst_data.get("uuid") or (m.uuid if j == 0 else zoom_uuid(rng))
        if uuid in world.meeting_instances_by_uuid:
            raise ValueError(f"{iw}: duplicate instance uuid {uuid!r}")
        inst = MeetingInstance(uuid=uuid, meeting_id=m.id, start_time=i_start, end_time=i_end)
        ids: dict[str, str] = {}
        for k, p in enumerate(inst_data.get("participants") or []):
            user_id += 1
            inst.participants.append(_meeting_participant(world, rng, p, ids, user_id,
                                                          f"{iw}.participants[{k}]"))
        inst.participants.sort(key=lambda row: row.join_time)
        world.add_meeting_instance(m, inst)


def _meeting_participant(world: World, rng: random.Random, p, ids: dict[str, str],
                         user_id: int, pw: str) -> Participant:
    if not isinstance(p, dict):
        raise ValueError(f"{pw} must be an object")
    status = p.get("status", PARTICIPANT_STATUSES[0])
    if status not in PARTICIPANT_STATUSES:
        raise ValueError(f"{pw}.status {status!r} is not {' | '.join(PARTICIPANT_STATUSES)}")
    email = str(p.get("user_email") or "")
    user = world.users_by_email.get(email.lower()) if email else None
    if "id" in p:
        pid = str(p["id"])
    elif user is not None:
        pid = user.id
    elif email:
        pid = ids.setdefault(email.lower(), zoom_id22(rng))
    else:
        pid = ""  # a guest who is not signed in to Zoom
    return Participant(
        id=pid, name=str(p.get("name") or email or "Guest"), user_id=str(user_id),
        user_email=email, join_time=_dt(p.get("join_time"), f"{pw}.join_time"),
        leave_time=_dt(p.get("leave_time"), f"{pw}.leave_time"),
        failover=bool(p.get("failover", False)), status=status,
        internal_user=pid in world.users_by_id)
