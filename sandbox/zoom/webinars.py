"""Zoom webinars: a host's listing, one webinar's details (with its occurrences and
settings) and the join page the sandbox serves in place of Zoom's."""

from __future__ import annotations

import html
from datetime import timedelta

from ..common import Reply, ZoomError, iso_z
from ..world import World
from .models import Webinar
from .paging import paginate

UNEXPIRED_WINDOW = timedelta(days=30)


def _webinar_id(ref: str) -> int:
    if not ref.isdigit():
        raise ZoomError(400, 300, "Invalid webinar ID.")
    return int(ref)


def get_webinar(world: World, ref: str) -> Webinar:
    """The webinar as its own endpoints see it: a deleted one does not exist (its held
    sessions are reached through the past-webinar and report endpoints)."""
    w = world.webinars.get(_webinar_id(ref))
    if w is None or w.deleted_at is not None:
        raise ZoomError(404, 3001, f"Webinar does not exist: {ref}.")
    return w


def join_url(world: World, w: Webinar, tk: str | None = None) -> str:
    url = f"{world.base_url}/zoom/w/{w.id}"
    if tk:
        return f"{url}?tk={tk}"
    if w.password:
        return f"{url}?pwd={w.password}"
    return url


def registration_url(world: World, w: Webinar) -> str:
    return f"{world.base_url}/zoom/webinar/register/{w.reg_token}"


def _expired(w: Webinar, now) -> bool:
    return all(s < now - UNEXPIRED_WINDOW for s in w.all_starts())


def _upcoming(w: Webinar, now) -> bool:
    return any(s > now for s in w.all_starts())


def webinar_item_json(world: World, w: Webinar) -> dict:
    return {
        "uuid": w.uuid,
        "id": w.id,
        "host_id": w.host_id,
        "topic": w.topic,
        "type": w.type,
        "start_time": iso_z(w.start_time),
        "duration": w.duration,
        "timezone": w.timezone,
        "agenda": w.agenda,
        "created_at": iso_z(w.created_at),
        "join_url": join_url(world, w),
        "is_simulive": w.is_simulive,
    }


def webinar_settings(w: Webinar, host) -> dict:
    settings = {
        "host_video": True,
        "panelists_video": True,
        "practice_session": False,
        "hd_video": False,
        "hd_video_for_attendees": False,
        "send_1080p_video_to_attendees": False,
        "approval_type": 0,
        "registration_type": 1,
        "audio": "both",
        "auto_recording": "none",
        "enforce_login": False,
        "enforce_login_domains": "",
        "alternative_hosts": "",
        "alternative_host_update_polls": False,
        "close_registration": False,
        "show_share_button": True,
        "allow_multiple_devices": True,
        "on_demand": False,
        "global_dial_in_countries": ["US"],
        "contact_name": host.display_name if host else "",
        "contact_email": host.email if host else "",
        "registrants_restrict_number": 0,
        "registrants_email_notification": True,
        "registrants_confirmation_email": True,
        "post_webinar_survey": False,
        "survey_url": "",
        "meeting_authentication": False,
        "panelists_invitation_email_notification": True,
        "attendees_and_panelists_reminder_email_notification": {"enable": True, "type": 0},
        "follow_up_attendees_email_notification": {"enable": False, "type": 0},
        "follow_up_absentees_email_notification": {"enable": False, "type": 0},
        "question_and_answer": {
            "enable": True,
            "allow_submit_questions": True,
            "allow_anonymous_questions": True,
            "answer_questions": "all",
            "attendees_can_comment": True,
            "attendees_can_upvote": True,
        },
        "email_language": "en-US",
        "panelist_authentication": False,
        "add_watermark": False,
        "add_audio_watermark": False,
        "request_permission_to_unmute_participants": False,
        "email_in_attendee_report": True,
    }
    # keys starting with "_" are the sandbox's own (the form's standard questions)
    settings.update({k: v for k, v in w.settings.items() if not k.startswith("_")})
    return settings


def occurrence_json(o: dict) -> dict:
    return {
        "occurrence_id": o["occurrence_id"],
        "start_time": iso_z(o["start_time"]),
        "duration": o["duration"],
        "status": o.get("status", "available"),
    }


def webinar_full_json(world: World, w: Webinar, *, show_previous: bool = False) -> dict:
    host = world.users_by_id.get(w.host_id)
    data = {
        "uuid": w.uuid,
        "id": w.id,
        "host_id": w.host_id,
        "host_email": host.email if host else "",
        "topic": w.topic,
        "type": w.type,
        "start_time": iso_z(w.start_time),
        "duration": w.duration,
        "timezone": w.timezone,
        "agenda": w.agenda,
        "created_at": iso_z(w.created_at),
        "start_url": f"{world.base_url}/zoom/s/{w.id}?zak=sandbox",
        "join_url": join_url(world, w),
        "registration_url": registration_url(world, w),
        "password": w.password,
        "h323_passcode": w.password,
        "settings": webinar_settings(w, host),
        "tracking_fields": [],
        "is_simulive": w.is_simulive,
        "creation_source": "web_portal",
    }
    if w.recurrence is not None:
        data["recurrence"] = dict(w.recurrence)
    if w.occurrences:
        now = world.now()
        occ = [o for o in w.occurrences
               if show_previous or o["start_time"] + timedelta(minutes=o["duration"]) > now]
        data["occurrences"] = [occurrence_json(o) for o in occ]
    return data


def list_user_webinars(req) -> Reply:
    world: World = req.world
    ref = req.params["userId"]
    kind = req.query.get("type") or "scheduled"
    if kind not in ("scheduled", "upcoming"):
        raise ZoomError(400, 300, "Invalid field: type.")
    with world.lock:
        user = world.find_user(ref)
        if user is None:
            raise ZoomError(404, 1001, f"User does not exist: {ref}.")
        now = world.now()
        hosted = [w for w in world.webinars.values()
                  if w.host_id == user.id and w.deleted_at is None]
        if kind == "upcoming":
            hosted = [w for w in hosted if _upcoming(w, now)]
        else:
            hosted = [w for w in hosted if not _expired(w, now)]
        hosted.sort(key=lambda w: (w.start_time, w.id))
        items, env = paginate(req, ("webinars", user.id, kind), hosted, page_number=True)
        env["webinars"] = [webinar_item_json(world, w) for w in items]
    return Reply(200, env)


def get_webinar_detail(req) -> Reply:
    world: World = req.world
    show_prev = (req.query.get("show_previous_occurrences") or "").lower() == "true"
    with world.lock:
        w = get_webinar(world, req.params["webinarId"])
        return Reply(200, webinar_full_json(world, w, show_previous=show_prev))


def join_page_reply(title: str, *, found: bool, stand_in_for: str) -> Reply:
    """The page the sandbox serves in place of Zoom's join page (404 for an unknown id)."""
    body = (f"<!doctype html><title>Sandbox Zoom</title><h1>{html.escape(title)}</h1>"
            f"<p>This is the sandbox stand-in for {stand_in_for}.</p>")
    return Reply(200 if found else 404, None, content_type="text/html; charset=utf-8",
                 raw=body.encode("utf-8"))


def join_page(req) -> Reply:
    world: World = req.world
    ref = req.params["webinarId"]
    with world.lock:
        w = world.webinars.get(int(ref)) if ref.isdigit() else None
    return join_page_reply(w.topic if w else "Unknown webinar", found=w is not None,
                           stand_in_for="a Zoom join link")
