"""Zoom REST API client: bearer tokens, pacing by rate category, pagination, typed errors.

Knows nothing about our models; the caller hands it a token source.
"""

import re
from collections.abc import Callable, Iterator
from urllib.parse import quote

from django.conf import settings

from ..auth import BearerTokenApi
from ..errors import InvalidRequest, NotFound, RegistrationNotEnabled
from ..pacing import pace, zoom_qps
from ..tokens import TokenSource

PAGE_SIZE = 300
# The user listing takes larger pages than the others.
USERS_PAGE_SIZE = 2000
# How often a listing starts over after its page token expired (Zoom error 300).
MAX_LISTING_RESTARTS = 3
PAGE_TOKEN_EXPIRED = "300"
# What Zoom answers the registrant listing of a webinar without registration (and more).
REGISTRATION_NOT_ENABLED = "3000"

# Zoom's "Rate Limit Label" of each endpoint we call (from the official API reference).
RATE_CATEGORIES = [
    ("GET", r"/users", "medium"),
    ("GET", r"/users/[^/]+", "light"),
    ("GET", r"/users/[^/]+/webinars", "medium"),
    ("GET", r"/webinars/[^/]+", "light"),
    ("PATCH", r"/webinars/[^/]+", "light"),
    ("GET", r"/webinars/[^/]+/registrants", "medium"),
    ("POST", r"/webinars/[^/]+/registrants", "light"),
    ("PUT", r"/webinars/[^/]+/registrants/status", "medium"),
    ("GET", r"/webinars/[^/]+/registrants/questions", "light"),
    ("GET", r"/webinars/[^/]+/panelists", "medium"),
    ("GET", r"/past_webinars/[^/]+/instances", "light"),
    ("GET", r"/past_webinars/[^/]+/participants", "medium"),
    ("GET", r"/past_webinars/[^/]+/absentees", "heavy"),
    ("GET", r"/report/.*", "heavy"),
]
_CATEGORY_PATTERNS = [(m, re.compile(f"^{p}$"), c) for m, p, c in RATE_CATEGORIES]


def rate_category(method: str, path: str) -> str:
    for m, pattern, category in _CATEGORY_PATTERNS:
        if m == method and pattern.match(path):
            return category
    return "light" if method == "GET" else "medium"


def encode_uuid(uuid: str) -> str:
    """Zoom wants a UUID that starts with '/' or contains '//' URL-encoded twice in a path."""
    once = quote(uuid, safe="")
    if uuid.startswith("/") or "//" in uuid:
        return quote(once, safe="")
    return once


class Page(list):
    """One page of a Zoom listing; `total_records` is Zoom's count of the whole listing."""

    total_records: int | None = None


def participant_key(row: dict) -> tuple:
    return (row.get("id"), row.get("user_id"), row.get("join_time"))


def registrant_key(row: dict) -> tuple:
    return (row.get("id"),)


class ZoomClient(BearerTokenApi):
    service_name = "Zoom"

    def __init__(self, *, tokens: TokenSource, account_key: str = "",
                 api_base_url: str | None = None, **kw):
        super().__init__(tokens=tokens, base_url=api_base_url or settings.ZOOM_API_BASE_URL,
                         **kw)
        self.account_key = account_key or "default"

    def __repr__(self):
        return f"ZoomClient(base_url={self.base_url!r}, account={self.account_key!r})"

    # --- hooks ------------------------------------------------------------------------------

    def _pace(self, method, path):
        category = rate_category(method, path.split("?", 1)[0])
        self.stats["paced_s"] += pace(key=f"zoom:{self.account_key}:{category}",
                                      limit=zoom_qps(category), window_s=1)

    def _error_details(self, response):
        try:
            body = response.json()
        except ValueError:
            return response.text[:300], None
        code = body.get("code")
        return body.get("message", response.text[:300]), str(code) if code is not None else None

    # --- pagination ------------------------------------------------------------------------

    def paginate(self, path: str, key: str, params: dict | None = None, *,
                 page_size: int = PAGE_SIZE,
                 item_key: Callable[[dict], tuple] | None = None) -> Iterator[list[dict]]:
        """Yields one page (a list of items) at a time until next_page_token is empty.

        A page token lives 15 minutes; when it has expired (error 300) the listing starts
        over, and items already yielded (by `item_key`) are skipped, so nothing is lost or
        yielded twice.
        """
        seen: set[tuple] = set()
        restarts = 0
        params = dict(params or {}, page_size=page_size)
        while True:
            try:
                data = self.get(path, params=params)
            except InvalidRequest as exc:
                if exc.code != PAGE_TOKEN_EXPIRED or "next_page_token" not in params \
                        or restarts >= MAX_LISTING_RESTARTS or item_key is None:
                    raise
                restarts += 1
                params.pop("next_page_token")
                continue
            items = Page(data.get(key) or [])
            if item_key is not None:
                fresh = Page()
                for item in items:
                    k = item_key(item)
                    if k not in seen:
                        seen.add(k)
                        fresh.append(item)
                items = fresh
            items.total_records = data.get("total_records")
            if items:
                yield items
            token = data.get("next_page_token")
            if not token:
                return
            params["next_page_token"] = token

    def get(self, path, params=None):
        return self.request("GET", path, params=params)

    # --- endpoints -------------------------------------------------------------------------

    def check(self) -> dict:
        """A cheap call that proves the credentials work."""
        return self.get("/users", params={"page_size": 1})

    def get_user(self, user_id: str = "me") -> dict:
        return self.get(f"/users/{quote(user_id, safe='')}")

    def iter_users(self) -> Iterator[dict]:
        for page in self.paginate("/users", "users", page_size=USERS_PAGE_SIZE,
                                  item_key=lambda u: (u.get("id"),)):
            yield from page

    def iter_user_webinars(self, user_id: str) -> Iterator[dict]:
        path = f"/users/{quote(user_id, safe='')}/webinars"
        for page in self.paginate(path, "webinars", {"type": "scheduled"},
                                  item_key=lambda w: (w.get("id"), w.get("uuid"))):
            yield from page

    def get_webinar(self, webinar_id: str) -> dict:
        return self.get(f"/webinars/{webinar_id}", params={"show_previous_occurrences": "true"})

    def iter_registrant_pages(self, webinar_id: str, status: str, *,
                              occurrence_id: str = "") -> Iterator[list[dict]]:
        """The registrants of one status; with `occurrence_id`, only those registered for
        that session of a recurring webinar. A webinar that takes no registration raises
        RegistrationNotEnabled."""
        params = {"status": status}
        if occurrence_id:
            params["occurrence_id"] = occurrence_id
        try:
            yield from self.paginate(f"/webinars/{webinar_id}/registrants", "registrants",
                                     params, item_key=registrant_key)
        except InvalidRequest as exc:
            # Zoom's code 3000 is reused for other refusals, but on a listing of a webinar
            # that exists it can only mean that registration is off.
            if exc.code != REGISTRATION_NOT_ENABLED or occurrence_id:
                raise
            raise exc.with_message(f"Registration is not enabled for webinar {webinar_id}.",
                                   RegistrationNotEnabled) from exc

    def registration_questions(self, webinar_id: str) -> dict:
        """The webinar's registration form: `questions` (standard fields, with `required`)
        and `custom_questions` (title, type, required, answers)."""
        return self.get(f"/webinars/{webinar_id}/registrants/questions")

    def add_registrant(self, webinar_id: str, registrant: dict) -> dict:
        """Registers one person (Zoom answers with the join URL). Sending it again is
        harmless: Zoom answers a second registration of the same address with the same
        registrant."""
        return self.request("POST", f"/webinars/{webinar_id}/registrants", json=registrant)

    def update_webinar_settings(self, webinar_id: str, settings: dict) -> None:
        self.request("PATCH", f"/webinars/{webinar_id}", json={"settings": settings})

    def list_panelists(self, webinar_id: str) -> list[dict]:
        """The webinar's panelists (Zoom lists them all at once); none when Zoom no longer
        has the webinar."""
        try:
            return self.get(f"/webinars/{webinar_id}/panelists").get("panelists") or []
        except NotFound:
            return []

    def list_past_instances(self, webinar_id: str) -> list[dict]:
        try:
            return self.get(f"/past_webinars/{webinar_id}/instances").get("webinars") or []
        except NotFound:
            return []

    def get_webinar_report(self, uuid: str) -> dict | None:
        try:
            return self.get(f"/report/webinars/{encode_uuid(uuid)}")
        except NotFound:
            return None

    def iter_participant_pages(self, uuid: str) -> Iterator[list[dict]]:
        """A held session's participant rows from its report: the one listing that gives each
        row's registrant_id (when asked to), so a person who joined under another address is
        still known by their registration. A Heavy call per page, like the report itself."""
        yield from self.paginate(f"/report/webinars/{encode_uuid(uuid)}/participants",
                                 "participants", {"include_fields": "registrant_id"},
                                 item_key=participant_key)

    def iter_past_webinar_pages(self, *, date_from: str, date_to: str) -> Iterator[list[dict]]:
        """Held webinar sessions that started between two dates (YYYY-MM-DD, ≤ one month)."""
        yield from self.paginate("/report/history_meetings", "history_meetings", {
            "from": date_from, "to": date_to, "meeting_type": "webinar",
            "date_type": "start_time",
        }, item_key=lambda r: (r.get("meeting_uuid"),))
