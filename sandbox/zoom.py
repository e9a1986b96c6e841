"""Zoom: OAuth (Server-to-Server and user OAuth, auto-approved) and the /v2 REST resources.

Response shapes follow Zoom's official OpenAPI specs (Meetings API and Users API).
"""

from __future__ import annotations

import base64
import binascii
import html
import math
import secrets
import time
from datetime import date, timedelta
from urllib.parse import urlencode, urlsplit

from .common import Reply, ZoomError, ZoomOAuthError, iso_z, utcnow
from .limits import next_midnight_utc
from .tokens import (
    ZOOM_ACCESS,
    ZOOM_REFRESH,
    ZOOM_REFRESH_TTL_S,
    ZOOM_S2S,
    TokenStore,
    make_token,
    parse_token,
    pkce_matches,
)
from .world import (
    API_STATUS,
    REGISTRANT_FIELDS,
    ZOOM_ACCOUNT_ID,
    ZOOM_CLIENT_ID,
    ZOOM_CLIENT_SECRET,
    ZOOM_OAUTH_CLIENT_ID,
    ZOOM_OAUTH_CLIENT_SECRET,
    ZOOM_SCOPE,
    PageTokenError,
    Registrant,
    Webinar,
    World,
)

MAX_REGISTRATIONS_PER_DAY = 3
REGISTRATIONS_MESSAGE = ("You have reached the maximum of 3 registrations per day for this "
                         "registrant for this webinar.")
MAX_REPORT_RANGE_MONTHS = 1
DEFAULT_PAGE_SIZE = 30
MAX_PAGE_SIZE = 300
MAX_USERS_PAGE_SIZE = 2000
UNEXPIRED_WINDOW = timedelta(days=30)


# --------------------------------------------------------------------------------------------
# OAuth: Server-to-Server (account_credentials) and user OAuth (authorization code, refresh)
# --------------------------------------------------------------------------------------------


def _basic_auth(req) -> tuple[str | None, str | None]:
    auth = req.headers.get("authorization", "")
    if auth[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(auth[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return None, None
        client_id, _, client_secret = decoded.partition(":")
        return client_id, client_secret
    return None, None


def _client_app(req) -> str:
    """"s2s" or "oauth" for the HTTP Basic client, else a 401 like Zoom's."""
    client_id, client_secret = _basic_auth(req)
    if client_id == ZOOM_CLIENT_ID and client_secret == ZOOM_CLIENT_SECRET:
        return "s2s"
    if client_id == ZOOM_OAUTH_CLIENT_ID and client_secret == ZOOM_OAUTH_CLIENT_SECRET:
        return "oauth"
    raise ZoomOAuthError(401, "invalid_client", "Invalid client_id or client_secret")


def api_url(world: World) -> str:
    """Where the API lives, as Zoom's token response says it (``api_url`` + "/v2" = base)."""
    return f"{world.base_url}/zoom"


def _user_tokens(world: World, grant: str) -> dict:
    ttl = world.zoom_token_ttl_s
    return {
        "access_token": make_token(ZOOM_ACCESS, grant, ttl),
        "token_type": "bearer",
        "refresh_token": make_token(ZOOM_REFRESH, grant, ZOOM_REFRESH_TTL_S),
        "expires_in": math.ceil(ttl),
        "scope": ZOOM_SCOPE,
        "api_url": api_url(world),
    }


def oauth_token(req) -> Reply:
    world: World = req.world
    app = _client_app(req)
    params = dict(req.query)
    params.update(req.form())
    grant_type = params.get("grant_type")
    if app == "s2s":
        if grant_type != "account_credentials":
            raise ZoomOAuthError(400, "unsupported_grant_type", "Unsupported grant type")
        if params.get("account_id") != ZOOM_ACCOUNT_ID:
            raise ZoomOAuthError(400, "invalid_request", "Invalid request : Invalid account_id")
        ttl = world.zoom_token_ttl_s
        return Reply(200, {
            "access_token": make_token(ZOOM_S2S, TokenStore.new_grant("s"), ttl),
            "token_type": "bearer",
            "expires_in": math.ceil(ttl),
            "scope": ZOOM_SCOPE,
            "api_url": api_url(world),
        })
    store = world.tokens
    if grant_type == "authorization_code":
        code = params.get("code") or ""
        info = store.peek_code(code)
        if info is None or info["service"] != "zoom":
            raise ZoomOAuthError(400, "invalid_grant", "Invalid authorization code")
        if params.get("redirect_uri") != info["redirect_uri"]:
            raise ZoomOAuthError(400, "invalid_request", "Redirect URI mismatch.")
        if info.get("code_challenge") and not pkce_matches(
                info["code_challenge"], info["code_challenge_method"],
                params.get("code_verifier") or ""):
            raise ZoomOAuthError(400, "invalid_request", "Invalid code_verifier.")
        if store.take_code(code) is None:  # used meanwhile by a concurrent request
            raise ZoomOAuthError(400, "invalid_grant", "Invalid authorization code")
        return Reply(200, _user_tokens(world, info["grant"]))
    if grant_type == "refresh_token":
        status, tok = store.check(params.get("refresh_token"), (ZOOM_REFRESH,))
        if status != "ok" or not store.use_refresh(tok):
            raise ZoomOAuthError(400, "invalid_grant", "Invalid Token!")
        return Reply(200, _user_tokens(world, tok.grant))
    raise ZoomOAuthError(400, "unsupported_grant_type", "Unsupported grant type")


def oauth_revoke(req) -> Reply:
    """``POST /oauth/revoke?token=``: the token's whole grant stops working (idempotent)."""
    world: World = req.world
    app = _client_app(req)
    params = dict(req.query)
    params.update(req.form())
    tok = parse_token(params.get("token"))
    kinds = (ZOOM_S2S,) if app == "s2s" else (ZOOM_ACCESS, ZOOM_REFRESH)
    if tok is None or tok.kind not in kinds:
        raise ZoomOAuthError(400, "invalid_request", "Invalid Token!")
    world.tokens.revoke_grant(tok.grant)
    return Reply(200, {"status": "success"})


def _page(status: int, title: str, text: str) -> Reply:
    body = (f"<!doctype html><title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>"
            f"<p>{html.escape(text)}</p>")
    return Reply(status, None, content_type="text/html; charset=utf-8",
                 raw=body.encode("utf-8"))


def authorize_error(req, error: str, reason: str) -> Reply:
    """A 400 for a bad authorize request: a page for browsers, Zoom's OAuth JSON otherwise."""
    if "text/html" in req.headers.get("accept", ""):
        return _page(400, "Zoom authorization failed", f"{reason} ({error})")
    return Reply(400, {"reason": reason, "error": error})


def redirect_with(redirect_uri: str, params: dict) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}"


def valid_redirect_uri(value: str) -> bool:
    parts = urlsplit(value or "")
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not parts.fragment


def oauth_authorize(req) -> Reply:
    """The user clicks "Allow" at once: 302 back to ``redirect_uri`` with a single-use code."""
    q = req.query
    if q.get("client_id") != ZOOM_OAUTH_CLIENT_ID:
        return authorize_error(req, "invalid_client", "Invalid client_id.")
    if q.get("response_type") != "code":
        return authorize_error(req, "unsupported_response_type",
                               "Unsupported response_type: use response_type=code.")
    redirect_uri = q.get("redirect_uri") or ""
    if not valid_redirect_uri(redirect_uri):
        return authorize_error(req, "invalid_request", "Invalid redirect_uri.")
    challenge = q.get("code_challenge") or ""
    method = q.get("code_challenge_method") or ("plain" if challenge else "")
    if challenge and method not in ("S256", "plain"):
        return authorize_error(req, "invalid_request", "Invalid code_challenge_method.")
    code = req.world.tokens.new_code(
        service="zoom", client_id=ZOOM_OAUTH_CLIENT_ID, redirect_uri=redirect_uri,
        grant=TokenStore.new_grant("z"), code_challenge=challenge,
        code_challenge_method=method)
    location = redirect_with(redirect_uri, {"code": code, "state": q.get("state")})
    return Reply(302, None, headers={"Location": location},
                 content_type="text/html; charset=utf-8", raw=b"")


def check_auth(req) -> None:
    status, _tok = req.world.tokens.check(req.bearer(), (ZOOM_S2S, ZOOM_ACCESS))
    if status == "expired":
        raise ZoomError(401, 124, "Access token is expired.")
    if status != "ok":
        raise ZoomError(401, 124, "Invalid access token.")


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _int_param(req, name: str, default: int) -> int:
    raw = req.query.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise ZoomError(400, 300, f"Invalid field: {name}.") from None


def paginate(req, key: tuple, seq, *, max_size: int = MAX_PAGE_SIZE,
             page_number: bool = False):
    """Slice ``seq`` (a list) for this request; returns (items, envelope dict)."""
    world: World = req.world
    size = _int_param(req, "page_size", DEFAULT_PAGE_SIZE)
    if size < 1:
        size = DEFAULT_PAGE_SIZE
    size = min(size, max_size)
    total = len(seq)
    token = req.query.get("next_page_token") or ""
    if token:
        try:
            offset = world.page_token_offset(token, key)
        except PageTokenError:
            raise ZoomError(400, 300, "The next page token is invalid or expired.") from None
    elif page_number:
        offset = (max(1, _int_param(req, "page_number", 1)) - 1) * size
    else:
        offset = 0
    items = seq[offset:offset + size]
    nxt = world.page_token_new(key, offset + size) if offset + size < total else ""
    env = {"page_count": math.ceil(total / size) if total else 0}
    if page_number:
        env["page_number"] = offset // size + 1
    env.update({"page_size": size, "total_records": total, "next_page_token": nxt})
    return items, env


def _webinar_id(ref: str) -> int:
    if not ref.isdigit():
        raise ZoomError(400, 300, "Invalid webinar ID.")
    return int(ref)


def get_webinar(world: World, ref: str) -> Webinar:
    w = world.webinars.get(_webinar_id(ref))
    if w is None:
        raise ZoomError(404, 3001, f"Webinar does not exist: {ref}.")
    return w


def resolve_instance(world: World, ref: str, *, not_found: str | None = None):
    """A past instance from a numeric webinar id (latest ended instance) or an instance uuid."""
    msg = not_found or f"Webinar does not exist: {ref}."
    if ref.isdigit():
        w = world.webinars.get(int(ref))
        if w is None or not w.instances:
            raise ZoomError(404, 3001, msg)
        return w, w.instances[-1]
    inst = world.instances_by_uuid.get(ref)
    if inst is None:
        raise ZoomError(404, 3001, msg)
    return world.webinars[inst.webinar_id], inst


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


# --------------------------------------------------------------------------------------------
# serializers
# --------------------------------------------------------------------------------------------


def user_json(u) -> dict:
    return {
        "id": u.id,
        "first_name": u.first_name,
        "last_name": u.last_name,
        "display_name": u.display_name,
        "email": u.email,
        "type": u.type,
        "pmi": u.pmi,
        "timezone": u.timezone,
        "verified": 1,
        "dept": u.dept,
        "created_at": iso_z(u.created_at),
        "user_created_at": iso_z(u.created_at),
        "last_login_time": iso_z(u.last_login_time),
        "last_client_version": "6.0.2.33403(mac)",
        "status": "active",
        "role_id": "0" if u.type == 2 else "2",
        "employee_unique_id": "",
        "group_ids": [],
        "im_group_ids": [],
        "login_types": [100],
    }


def user_detail_json(u) -> dict:
    data = user_json(u)
    data.update({
        "language": "en-US",
        "account_id": ZOOM_ACCOUNT_ID,
        "account_number": 10_044_221,
        "role_name": "Owner" if u.type != 2 else "Member",
        "use_pmi": False,
        "personal_meeting_url": f"https://sandbox.zoom.example/j/{u.pmi}",
        "jid": f"{u.id.lower()}@xmpp.zoom.us",
        "cluster": "us01",
        "company": "",
        "job_title": "",
        "location": "",
        "phone_number": "",
    })
    return data


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
    settings.update(w.settings)
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
        now = utcnow()
        occ = [o for o in w.occurrences
               if show_previous or o["start_time"] + timedelta(minutes=o["duration"]) > now]
        data["occurrences"] = [occurrence_json(o) for o in occ]
    return data


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


def participant_json(p) -> dict:
    return {
        "id": p.id,
        "name": p.name,
        "user_id": p.user_id,
        "registrant_id": p.registrant_id,
        "user_email": p.user_email,
        "join_time": iso_z(p.join_time),
        "leave_time": iso_z(p.leave_time),
        "duration": p.duration,
        "failover": p.failover,
        "status": p.status,
        "internal_user": p.internal_user,
    }


# --------------------------------------------------------------------------------------------
# handlers
# --------------------------------------------------------------------------------------------


def list_users(req) -> Reply:
    world: World = req.world
    status = req.query.get("status") or "active"
    with world.lock:
        users = world.users if status == "active" else []
        items, env = paginate(req, ("users", status), users, max_size=MAX_USERS_PAGE_SIZE,
                              page_number=True)
        env["users"] = [user_json(u) for u in items]
    return Reply(200, env)


def get_user(req) -> Reply:
    world: World = req.world
    ref = req.params["userId"]
    with world.lock:
        user = world.find_user(ref)
        if user is None:
            raise ZoomError(404, 1001, f"User does not exist: {ref}.")
        return Reply(200, user_detail_json(user))


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
        now = utcnow()
        hosted = [w for w in world.webinars.values() if w.host_id == user.id]
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


def list_registrants(req) -> Reply:
    world: World = req.world
    status = req.query.get("status") or "approved"
    if status not in ("approved", "pending", "denied"):
        raise ZoomError(400, 300, "Invalid field: status.")
    occurrence = req.query.get("occurrence_id") or ""
    with world.lock:
        w = get_webinar(world, req.params["webinarId"])
        seq = w.buckets[status]
        if occurrence:
            if not any(o["occurrence_id"] == occurrence for o in w.occurrences):
                raise ZoomError(400, 3000, f"Invalid occurrence_id: {occurrence}.")
            # O(total) filter, only when an occurrence filter is given
            seq = [r for r in seq if r.occurrence_ids is None or occurrence in r.occurrence_ids]
        items, env = paginate(req, ("registrants", w.id, status, occurrence), seq,
                              page_number=True)
        env["registrants"] = [registrant_json(world, w, r) for r in items]
    return Reply(200, env)


def get_registrant(req) -> Reply:
    world: World = req.world
    with world.lock:
        w = get_webinar(world, req.params["webinarId"])
        r = w.reg_by_id.get(req.params["registrantId"])
        if r is None:
            raise ZoomError(404, 3043, "Webinar Registrant not found.")
        return Reply(200, registrant_json(world, w, r, single=True))


def add_registrant(req) -> Reply:
    world: World = req.world
    body = req.json()
    if not isinstance(body, dict):
        raise ZoomError(400, 300, "Request Body should be a valid JSON object.")
    errors = []
    email = body.get("email")
    if not isinstance(email, str) or "@" not in email or len(email) > 128:
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
    with world.lock:
        w = get_webinar(world, req.params["webinarId"])
        settings = webinar_settings(w, None)
        if settings.get("approval_type") == 2:
            raise ZoomError(400, 3000,
                            f"This webinar does not have registration as required: {w.id}.")
        host = world.users_by_id.get(w.host_id)
        if host and host.email.lower() == email.strip().lower():
            raise ZoomError(400, 3027, "Host cannot register.")
        occ_ids = None
        raw_occ = req.query.get("occurrence_ids") or ""
        if raw_occ:
            occ_ids = [o.strip() for o in raw_occ.split(",") if o.strip()]
            known = {o["occurrence_id"] for o in w.occurrences}
            if not occ_ids or any(o not in known for o in occ_ids):
                raise ZoomError(400, 3000, f"Invalid occurrence_ids: {raw_occ}.")
        new_status = "approved" if settings.get("approval_type", 0) == 0 else "pending"
        day_key = (w.id, email.strip().lower(), int(time.time() // 86400))
        if world.registrations_today[day_key] >= MAX_REGISTRATIONS_PER_DAY:
            raise ZoomError(429, 429, REGISTRATIONS_MESSAGE, headers={
                "X-RateLimit-Category": "Light", "X-RateLimit-Type": "Daily-limit",
                "Retry-After": iso_z(next_midnight_utc())})
        world.registrations_today[day_key] += 1
        existing = w.reg_by_email.get(email.strip().lower())
        if existing is not None:
            if existing.status in ("denied", "cancelled"):
                world.set_registrant_status(w, existing, new_status)
            reg = existing
        else:
            fields = {k: str(body[k]) for k in REGISTRANT_FIELDS
                      if isinstance(body.get(k), str | int) and str(body[k]) != ""}
            reg = Registrant(
                id=_new_registrant_id(),
                email=email.strip(),
                first_name=first.strip(),
                last_name=str(body.get("last_name") or ""),
                fields=fields or None,
                custom_questions=[{"title": q["title"], "value": str(q.get("value", ""))}
                                  for q in questions] or None,
                status=new_status,
                create_time=utcnow(),
                tk=secrets.token_urlsafe(16),
                occurrence_ids=occ_ids,
                language=str(body.get("language") or "en-US"),
            )
            world.add_registrant(w, reg)
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
    return Reply(201, data)


def _new_registrant_id() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(16)).decode().rstrip("=")


def registrant_questions(req) -> Reply:
    world: World = req.world
    with world.lock:
        w = get_webinar(world, req.params["webinarId"])
        questions = w.settings.get("_questions") or [
            {"field_name": "last_name", "required": True},
            {"field_name": "org", "required": False},
            {"field_name": "job_title", "required": False},
            {"field_name": "city", "required": False},
            {"field_name": "country", "required": False},
            {"field_name": "phone", "required": False},
        ]
        return Reply(200, {
            "questions": [dict(q) for q in questions],
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
    with world.lock:
        w = get_webinar(world, req.params["webinarId"])
        for item in regs:
            reg = None
            if item.get("id"):
                reg = w.reg_by_id.get(str(item["id"]))
            if reg is None and item.get("email"):
                reg = w.reg_by_email.get(str(item["email"]).strip().lower())
            if reg is not None:
                world.set_registrant_status(w, reg, _ACTIONS[action])
    return Reply(204, None)


def past_instances(req) -> Reply:
    world: World = req.world
    ref = req.params["webinarId"]
    with world.lock:
        if ref.isdigit():
            w = world.webinars.get(int(ref))
        else:
            inst = world.instances_by_uuid.get(ref)
            w = world.webinars.get(inst.webinar_id) if inst else None
        if w is None:
            raise ZoomError(404, 3001, f"Webinar does not exist: {ref}.")
        return Reply(200, {"webinars": [
            {"uuid": i.uuid, "start_time": iso_z(i.start_time)} for i in w.instances
        ]})


def report_webinar(req) -> Reply:
    world: World = req.world
    ref = req.params["webinarId"]
    with world.lock:
        w, inst = resolve_instance(world, ref,
                                   not_found=f"Meeting {ref} not found or has expired.")
        host = world.users_by_id.get(w.host_id)
        rows = inst.participants
        people = {p.id or p.registrant_id or p.user_email or p.name for p in rows}
        total_s = sum(p.duration for p in rows)
        return Reply(200, {
            "uuid": inst.uuid,
            "id": w.id,
            "type": w.type,
            "topic": w.topic,
            "user_name": host.display_name if host else "",
            "user_email": host.email if host else "",
            "start_time": iso_z(inst.start_time),
            "end_time": iso_z(inst.end_time),
            "duration": round((inst.end_time - inst.start_time).total_seconds() / 60),
            "total_minutes": round(total_s / 60),
            "participants_count": len(people),
            "dept": host.dept if host else "",
            "tracking_fields": [],
            "custom_keys": [],
        })


def past_participants(req) -> Reply:
    world: World = req.world
    with world.lock:
        _w, inst = resolve_instance(world, req.params["webinarId"])
        items, env = paginate(req, ("participants", inst.uuid), inst.participants)
        env["participants"] = [participant_json(p) for p in items]
    return Reply(200, env)


def _date_param(req, name: str, *, required: bool = True) -> date | None:
    raw = req.query.get(name) or ""
    if not raw:
        if required:
            raise ZoomError(400, 300, f"Invalid parameter: {name}.")
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ZoomError(400, 300, f"Invalid parameter: {name}.") from None


def add_months(d: date, months: int) -> date:
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError(d)


def _enum_param(req, name: str, allowed: tuple, default: str) -> str:
    value = req.query.get(name) or default
    if value not in allowed:
        raise ZoomError(400, 300, f"Invalid parameter: {name}.")
    return value


def _max_concurrent(rows) -> int:
    events = []
    for p in rows:
        if not p.internal_user:
            events.append((p.join_time, 1))
            events.append((p.leave_time, -1))
    events.sort(key=lambda e: (e[0], e[1]))
    best = current = 0
    for _when, delta in events:
        current += delta
        best = max(best, current)
    return best


def history_row(world: World, w: Webinar, inst) -> dict:
    host = world.users_by_id.get(w.host_id)
    rows = inst.participants
    people = {p.id or p.registrant_id or p.user_email or p.name for p in rows}
    viewers = {p.id or p.registrant_id or p.user_email or p.name for p in rows
               if not p.internal_user and p.user_email}
    return {
        "meeting_uuid": inst.uuid,
        "meeting_id": w.id,
        "type": "Webinar",
        "host_display_name": host.display_name if host else "",
        "host_email": host.email if host else "",
        "start_time": iso_z(inst.start_time),
        "end_time": iso_z(inst.end_time),
        "topic": w.topic,
        "participants": len(people),
        "duration": round((inst.end_time - inst.start_time).total_seconds() / 60),
        "total_participant_minutes": round(sum(p.duration for p in rows) / 60),
        "department": host.dept if host else "",
        "group": [],
        "source": "Zoom",
        "unique_viewers": len(viewers),
        "max_concurrent_views": _max_concurrent(rows),
        "create_time": iso_z(w.created_at),
        "custom_fields": [],
        "tracking_fields": [],
        "feature_used": {
            "screen_sharing": True,
            "video_on": True,
            "in_meeting_chat": True,
            "poll": False,
            "waiting_room": False,
            "telephone_usage": any(not p.user_email and not p.id for p in rows),
            "record_to_cloud": False,
            "registration": bool(w.registrants),
        },
    }


def history_meetings(req) -> Reply:
    """``GET /report/history_meetings``: one row per held instance in a date range (≤ 1 month).

    Dates are UTC days, both ends included. The sandbox has webinars only, so
    ``meeting_type=meeting`` lists nothing.
    """
    world: World = req.world
    date_from = _date_param(req, "from")
    date_to = _date_param(req, "to")
    if date_to < date_from:
        raise ZoomError(400, 300, "Invalid parameter: to. The to date must not be earlier "
                                  "than the from date.")
    if date_to > add_months(date_from, MAX_REPORT_RANGE_MONTHS):
        raise ZoomError(400, 300, "Invalid parameter: to. The date range defined by the from "
                                  "and to parameters should only be one month.")
    date_type = _enum_param(req, "date_type", ("start_time", "end_time"), "start_time")
    meeting_type = _enum_param(req, "meeting_type", ("meeting", "webinar", "all"), "all")
    _enum_param(req, "report_type", ("all", "poll", "survey", "qa", "resource", "reaction"),
                "all")
    search = (req.query.get("search_key") or "").strip().lower()
    with world.lock:
        found = []
        if meeting_type in ("webinar", "all"):
            for w in world.webinars.values():
                if search and search not in w.topic.lower() and search != str(w.id):
                    continue
                for inst in w.instances:
                    when = inst.start_time if date_type == "start_time" else inst.end_time
                    if date_from <= when.date() <= date_to:
                        found.append((inst.start_time, inst.uuid, w, inst))
        found.sort(key=lambda f: (f[0], f[1]))
        key = ("history", str(date_from), str(date_to), date_type, meeting_type, search)
        items, env = paginate(req, key, found)
        return Reply(200, {
            "next_page_token": env["next_page_token"],
            "page_size": env["page_size"],
            "history_meetings": [history_row(world, w, inst) for _s, _u, w, inst in items],
        })


def join_page(req) -> Reply:
    world: World = req.world
    ref = req.params["webinarId"]
    with world.lock:
        w = world.webinars.get(int(ref)) if ref.isdigit() else None
        topic = w.topic if w else "Unknown webinar"
    body = (f"<!doctype html><title>Sandbox Zoom</title><h1>{html.escape(topic)}</h1>"
            "<p>This is the sandbox stand-in for a Zoom join link.</p>")
    return Reply(200 if w else 404, None, content_type="text/html; charset=utf-8",
                 raw=body.encode("utf-8"))


# Zoom's "Rate Limit Label" of each operation, taken from the official OpenAPI descriptions
# (meetings-api / users-api, "**Rate Limit Label:** `LIGHT`" in each operation's description)
# when this table was written; the spec is never read at run time. Includes a few operations
# the sandbox does not serve yet, so adding their routes needs no lookup.
RATE_LIMIT_LABELS = {
    ("GET", "/users"): "Medium",
    ("GET", "/users/{userId}"): "Light",
    ("GET", "/users/{userId}/webinars"): "Medium",
    ("GET", "/webinars/{webinarId}"): "Light",
    ("PATCH", "/webinars/{webinarId}"): "Light",
    ("GET", "/webinars/{webinarId}/registrants"): "Medium",
    ("POST", "/webinars/{webinarId}/registrants"): "Light",
    ("GET", "/webinars/{webinarId}/registrants/questions"): "Light",
    ("PUT", "/webinars/{webinarId}/registrants/status"): "Medium",
    ("GET", "/webinars/{webinarId}/registrants/{registrantId}"): "Light",
    ("GET", "/past_webinars/{webinarId}/instances"): "Light",
    ("GET", "/past_webinars/{webinarId}/participants"): "Medium",
    ("GET", "/past_webinars/{webinarId}/absentees"): "Heavy",
    ("GET", "/report/webinars/{webinarId}"): "Heavy",
    ("GET", "/report/webinars/{webinarId}/participants"): "Heavy",
    ("GET", "/report/history_meetings"): "Heavy",
    ("POST", "/users/{userId}/meetings"): "Light",
    ("GET", "/meetings/{meetingId}"): "Light",
    ("GET", "/past_meetings/{meetingId}/participants"): "Medium",
    ("GET", "/meetings/{meetingId}/recordings"): "Light",
    ("GET", "/users/{userId}/recordings"): "Medium",
}


def rate_limit_category(method: str, template: str) -> str | None:
    """"Light" | "Medium" | "Heavy" | "Resource-intensive" for a /v2 route, else None."""
    if not template.startswith("/v2/"):
        return None
    return RATE_LIMIT_LABELS[(method, template[3:])]


# (method, template, handler, needs bearer token)
ROUTES = [
    ("GET", "/oauth/authorize", oauth_authorize, False),
    ("POST", "/oauth/token", oauth_token, False),
    ("POST", "/oauth/revoke", oauth_revoke, False),
    ("GET", "/v2/users", list_users, True),
    ("GET", "/v2/users/{userId}", get_user, True),
    ("GET", "/v2/users/{userId}/webinars", list_user_webinars, True),
    ("GET", "/v2/webinars/{webinarId}", get_webinar_detail, True),
    ("GET", "/v2/webinars/{webinarId}/registrants", list_registrants, True),
    ("POST", "/v2/webinars/{webinarId}/registrants", add_registrant, True),
    ("GET", "/v2/webinars/{webinarId}/registrants/questions", registrant_questions, True),
    ("PUT", "/v2/webinars/{webinarId}/registrants/status", update_registrant_status, True),
    ("GET", "/v2/webinars/{webinarId}/registrants/{registrantId}", get_registrant, True),
    ("GET", "/v2/past_webinars/{webinarId}/instances", past_instances, True),
    ("GET", "/v2/past_webinars/{webinarId}/participants", past_participants, True),
    ("GET", "/v2/report/webinars/{webinarId}", report_webinar, True),
    ("GET", "/v2/report/history_meetings", history_meetings, True),
    ("GET", "/w/{webinarId}", join_page, False),
]
