"""Zoom webinar registrants: listing by status (and occurrence), one registrant, a
registration (with Zoom's three-per-day rule), the registration questions and status updates.

A registration is checked against the webinar's form: its required standard fields
(``GET .../registrants/questions``' ``questions``), its required custom questions and the
answers of its choice questions (400, code 300, with ``errors``). A webinar that is over, or
that has started while ``close_registration`` is set, answers 400 with code 3038.

A webinar without registration (approval_type 2) answers each of them with Zoom's 400, code
3000. On a recurring webinar whose registrants pick their sessions (registration_type 2 or 3),
a listing by ``occurrence_id`` holds only the registrants of that session; with
registration_type 1 everybody is registered for every session.
"""

from __future__ import annotations

import base64
import secrets
from datetime import timedelta

from ..common import Reply, ZoomError, iso_z
from ..limits import next_midnight_utc
from ..webhooks import zoom_events
from ..world import World
from .models import (
    API_STATUS,
    QUESTION_TYPES,
    REGISTRANT_EMAIL_MAX_LENGTH,
    REGISTRANT_FIELDS,
    Registrant,
    Webinar,
)
from .paging import paginate
from .webinars import get_webinar, join_url, occurrence_json, webinar_settings

# The standard questions of a webinar whose host set none (``settings["_questions"]``, set by
# a seed): none of them required, so a registration needs only e-mail and first name. Zoom's
# own default requires nothing more either unless the host ticks "Required" on the form.
DEFAULT_QUESTIONS = (
    {"field_name": "last_name", "required": False},
    {"field_name": "org", "required": False},
    {"field_name": "job_title", "required": False},
    {"field_name": "city", "required": False},
    {"field_name": "country", "required": False},
    {"field_name": "phone", "required": False},
)
CHOICE_TYPES = QUESTION_TYPES[1:3]  # single_radio, single_dropdown
WEBINAR_OVER = ("Webinar is over, you cannot register now. If you have any questions, contact "
                "the webinar host.")
MAX_REGISTRATIONS_PER_DAY = 3
REGISTRATIONS_MESSAGE = ("You have reached the maximum of 3 registrations per day for this "
                         "registrant for this webinar.")


def registrant_json(world: World, w: Webinar, r: Registrant, *, single: bool = False
                    ) -> dict:
    data = {"id": r.id, "first_name": r.first_name, "last_name": r.last_name,
            "email": r.email}
    fields = r.fields or {}
    for name in REGISTRANT_FIELDS:
        data[name] = fields.get(name, "")
    data["custom_questions"] = [dict(q) for q in (r.custom_questions or [])]
    if single:
        data["language"] = r.language
    data["status"] = API_STATUS[r.status]
    data["create_time"] = iso_z(r.create_time)
    data["join_url"] = join_url(world, w, r.tk)
    return data


def registration_webinar(world: World, ref: str) -> Webinar:
    """The webinar, when it takes registrations; Zoom's 400 (code 3000) when it does not."""
    w = get_webinar(world, ref)
    if not w.registration_required:
        raise ZoomError(400, 3000, f"Registration has not been enabled for this webinar: {w.id}.")
    return w


def list_registrants(req) -> Reply:
    world: World = req.world
    status = req.query.get("status") or "approved"
    if status not in ("approved", "pending", "denied"):
        raise ZoomError(400, 300, "Invalid field: status.")
    occurrence = req.query.get("occurrence_id") or ""
    with world.lock:
        w = registration_webinar(world, req.params["webinarId"])
        seq = w.buckets[status]
        if occurrence:
            if not any(o["occurrence_id"] == occurrence for o in w.occurrences):
                raise ZoomError(400, 3000, f"Invalid occurrence_id: {occurrence}.")
            if w.registers_per_occurrence:
                # O(total) filter, only when an occurrence filter is given
                seq = [r for r in seq
                       if r.occurrence_ids is None or occurrence in r.occurrence_ids]
        items, env = paginate(req, ("registrants", w.id, status, occurrence), seq,
                              page_number=True)
        env["registrants"] = [registrant_json(world, w, r) for r in items]
    return Reply(200, env)


def get_registrant(req) -> Reply:
    world: World = req.world
    with world.lock:
        w = registration_webinar(world, req.params["webinarId"])
        r = w.reg_by_id.get(req.params["registrantId"])
        if r is None:
            raise ZoomError(404, 3043, "Webinar Registrant not found.")
        return Reply(200, registrant_json(world, w, r, single=True))


def _registration_input(body) -> tuple[str, str, list]:
    """(e-mail, first name, custom questions) of a registration body, else Zoom's 400."""
    if not isinstance(body, dict):
        raise ZoomError(400, 300, "Request Body should be a valid JSON object.")
    errors = []
    email = body.get("email")
    if (not isinstance(email, str) or "@" not in email
            or len(email) > REGISTRANT_EMAIL_MAX_LENGTH):
        errors.append({"field": "email", "message": "Invalid field."})
    first = body.get("first_name")
    if not isinstance(first, str) or not first.strip() or len(first) > 64:
        errors.append({"field": "first_name", "message": "Invalid field."})
    questions = body.get("custom_questions") or []
    if not isinstance(questions, list) or not all(
            isinstance(q, dict) and isinstance(q.get("title"), str) for q in questions):
        errors.append({"field": "custom_questions", "message": "Invalid field."})
    if errors:
        raise ZoomError(400, 300, "Validation Failed.", errors=errors)
    return email, first, questions


def standard_questions(w: Webinar) -> list[dict]:
    """The standard fields the registration form asks for, with their ``required`` flags."""
    return [dict(q) for q in (w.settings.get("_questions") or DEFAULT_QUESTIONS)]


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _answer_errors(w: Webinar, body: dict, questions: list) -> list[dict]:
    """Zoom's validation of a registration against the webinar's form: its required standard
    fields, its required custom questions, and the answers of its choice questions."""
    errors = []
    for q in standard_questions(w):
        name = q.get("field_name")
        if q.get("required") and name not in ("email", "first_name") and _blank(body.get(name)):
            errors.append({"field": name, "message": f"{name} is required."})
    answers = {q["title"]: q.get("value") for q in questions}
    for q in w.custom_questions:
        title = q["title"]
        value = answers.get(title)
        if _blank(value):
            if q.get("required"):
                errors.append({"field": "custom_questions",
                               "message": f"Required question is not answered: {title}"})
            continue
        choices = [str(a) for a in q.get("answers") or []]
        kind = q.get("type", "short")
        if kind in CHOICE_TYPES and choices:
            parts = [str(value).strip()]
        elif kind == "multiple" and choices:
            parts = [p.strip() for p in str(value).split(",") if p.strip()]
        else:
            continue
        if not parts or any(p not in choices for p in parts):
            errors.append({"field": "custom_questions",
                           "message": f"Invalid answer to the question: {title}"})
    return errors


def _check_open(world: World, w: Webinar, settings: dict) -> None:
    """Zoom's 3038 once the webinar is over (every session ended) or, with the host's
    ``close_registration``, once it has started (the sandbox's reading of "close registration
    after the event date"; for a recurring webinar, its first session's start)."""
    now = world.now()
    if w.occurrences:
        ends = [o["start_time"] + timedelta(minutes=o["duration"]) for o in w.occurrences
                if o.get("status") != "deleted"]
        over = not any(end > now for end in ends)
    elif w.type == 6:
        over = False  # recurring with no fixed time: never over
    else:
        over = w.start_time + timedelta(minutes=w.duration) <= now
    if over or (settings.get("close_registration") and w.start_time <= now):
        raise ZoomError(400, 3038, WEBINAR_OVER)


def _occurrence_ids(req, w: Webinar) -> list[str] | None:
    raw_occ = req.query.get("occurrence_ids") or ""
    if not raw_occ:
        return None
    occ_ids = [o.strip() for o in raw_occ.split(",") if o.strip()]
    known = {o["occurrence_id"] for o in w.occurrences}
    if not occ_ids or any(o not in known for o in occ_ids):
        raise ZoomError(400, 3000, f"Invalid occurrence_ids: {raw_occ}.")
    return occ_ids


def _count_registration(world: World, w: Webinar, email: str) -> None:
    """Zoom's rule: at most three registrations per day per person and webinar."""
    now = world.clock.time()
    day_key = (w.id, email.strip().lower(), int(now // 86400))
    if world.registrations_today[day_key] >= MAX_REGISTRATIONS_PER_DAY:
        raise ZoomError(429, 429, REGISTRATIONS_MESSAGE, headers={
            "X-RateLimit-Category": "Light", "X-RateLimit-Type": "Daily-limit",
            "Retry-After": iso_z(next_midnight_utc(now))})
    world.registrations_today[day_key] += 1


def _new_registrant(world: World, body: dict, email: str, first: str, questions: list,
                    status: str, occ_ids: list[str] | None) -> Registrant:
    fields = {k: str(body[k]) for k in REGISTRANT_FIELDS
              if isinstance(body.get(k), str | int) and str(body[k]) != ""}
    return Registrant(
        id=_new_registrant_id(),
        email=email.strip(),
        first_name=first.strip(),
        last_name=str(body.get("last_name") or ""),
        fields=fields or None,
        custom_questions=[{"title": q["title"], "value": str(q.get("value", ""))}
                          for q in questions] or None,
        status=status,
        create_time=world.now(),
        tk=secrets.token_urlsafe(16),
        occurrence_ids=occ_ids,
        language=str(body.get("language") or "en-US"),
    )


def add_registrant(req) -> Reply:
    world: World = req.world
    body = req.json()
    email, first, questions = _registration_input(body)
    with world.lock:
        w = get_webinar(world, req.params["webinarId"])
        settings = webinar_settings(w, None)
        if settings.get("approval_type") == 2:
            raise ZoomError(400, 3000,
                            f"This webinar does not have registration as required: {w.id}.")
        host = world.users_by_id.get(w.host_id)
        if host and host.email.lower() == email.strip().lower():
            raise ZoomError(400, 3027, "Host cannot register.")
        if any(p.email.lower() == email.strip().lower() for p in w.panelists):
            raise ZoomError(400, 3000, "You have been invited as a panelist for the webinar, "
                                       "please check your email to find more information "
                                       "about this webinar.")
        occ_ids = _occurrence_ids(req, w)
        _check_open(world, w, settings)
        errors = _answer_errors(w, body, questions)
        if errors:
            raise ZoomError(400, 300, "Validation Failed.", errors=errors)
        new_status = "approved" if settings.get("approval_type", 0) == 0 else "pending"
        _count_registration(world, w, email)
        reg = w.reg_by_email.get(email.strip().lower())
        event = None
        if reg is None:
            reg = world.add_registrant(w, _new_registrant(world, body, email, first,
                                                          questions, new_status, occ_ids))
            event = zoom_events.registration(world, w, reg, "webinar.registration_created",
                                             world.now())
        elif reg.status in ("denied", "cancelled"):
            # registering again re-opens a denied or cancelled registration
            world.set_registrant_status(w, reg, new_status)
            event = zoom_events.registration(world, w, reg, "webinar.registration_created",
                                             world.now())
        data = {
            "id": w.id,
            "join_url": join_url(world, w, reg.tk),
            "registrant_id": reg.id,
            "start_time": iso_z(w.start_time),
            "topic": w.topic,
        }
        if w.occurrences:
            data["occurrences"] = [occurrence_json(o) for o in w.occurrences
                                   if occ_ids is None or o["occurrence_id"] in occ_ids]
    if event is not None:
        world.webhooks.zoom(event)
    return Reply(201, data)


def _new_registrant_id() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("=")


def registrant_questions(req) -> Reply:
    world: World = req.world
    with world.lock:
        w = registration_webinar(world, req.params["webinarId"])
        return Reply(200, {
            "questions": standard_questions(w),
            "custom_questions": [
                {"title": q["title"], "type": q.get("type", "short"),
                 "required": bool(q.get("required", False)),
                 "answers": list(q.get("answers", []))}
                for q in w.custom_questions
            ],
        })


_ACTIONS = {"approve": "approved", "deny": "denied", "cancel": "cancelled"}


def update_registrant_status(req) -> Reply:
    world: World = req.world
    body = req.json()
    if not isinstance(body, dict):
        raise ZoomError(400, 300, "Request Body should be a valid JSON object.")
    action = body.get("action")
    if action not in _ACTIONS:
        raise ZoomError(400, 300, "Invalid field: action.")
    regs = body.get("registrants") or []
    if not isinstance(regs, list) or not all(isinstance(r, dict) for r in regs):
        raise ZoomError(400, 300, "Invalid field: registrants.")
    if len(regs) > 30:
        raise ZoomError(400, 300, "The maximum number of registrants is 30.")
    new_status = _ACTIONS[action]
    events = []
    with world.lock:
        w = registration_webinar(world, req.params["webinarId"])
        for item in regs:
            reg = None
            if item.get("id"):
                reg = w.reg_by_id.get(str(item["id"]))
            if reg is None and item.get("email"):
                reg = w.reg_by_email.get(str(item["email"]).strip().lower())
            if reg is not None and reg.status != new_status:
                world.set_registrant_status(w, reg, new_status)
                events.append(zoom_events.registration(
                    world, w, reg, zoom_events.REGISTRANT_EVENTS[new_status], world.now()))
    for event in events:
        world.webhooks.zoom(event)
    return Reply(204, None)
