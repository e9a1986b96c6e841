"""Zoom's routes (method, template, handler, needs a bearer token) and each REST operation's
rate-limit category."""

from __future__ import annotations

from .changes import delete_webinar, update_webinar
from .meetings import (
    create_meeting,
    delete_meeting,
    get_meeting_detail,
    past_meeting_participants,
    update_meeting,
)
from .meetings import join_page as meeting_join_page
from .oauth import oauth_authorize, oauth_revoke, oauth_token
from .panelists import list_panelists
from .past import past_instances, past_participants
from .registrants import (
    add_registrant,
    get_registrant,
    list_registrants,
    registrant_questions,
    update_registrant_status,
)
from .report_participants import report_participants
from .reports import history_meetings, report_webinar
from .users import get_user, list_users
from .webinars import get_webinar_detail, join_page, list_user_webinars

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
    ("DELETE", "/webinars/{webinarId}"): "Light",
    ("GET", "/webinars/{webinarId}/registrants"): "Medium",
    ("POST", "/webinars/{webinarId}/registrants"): "Light",
    ("GET", "/webinars/{webinarId}/registrants/questions"): "Light",
    ("PUT", "/webinars/{webinarId}/registrants/status"): "Medium",
    ("GET", "/webinars/{webinarId}/registrants/{registrantId}"): "Light",
    ("GET", "/webinars/{webinarId}/panelists"): "Medium",
    ("GET", "/past_webinars/{webinarId}/instances"): "Light",
    ("GET", "/past_webinars/{webinarId}/participants"): "Medium",
    ("GET", "/past_webinars/{webinarId}/absentees"): "Heavy",
    ("GET", "/report/webinars/{webinarId}"): "Heavy",
    ("GET", "/report/webinars/{webinarId}/participants"): "Heavy",
    ("GET", "/report/history_meetings"): "Heavy",
    ("POST", "/users/{userId}/meetings"): "Light",
    ("GET", "/meetings/{meetingId}"): "Light",
    ("PATCH", "/meetings/{meetingId}"): "Light",
    ("DELETE", "/meetings/{meetingId}"): "Light",
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
    ("PATCH", "/v2/webinars/{webinarId}", update_webinar, True),
    ("DELETE", "/v2/webinars/{webinarId}", delete_webinar, True),
    ("GET", "/v2/webinars/{webinarId}/registrants", list_registrants, True),
    ("POST", "/v2/webinars/{webinarId}/registrants", add_registrant, True),
    ("GET", "/v2/webinars/{webinarId}/registrants/questions", registrant_questions, True),
    ("PUT", "/v2/webinars/{webinarId}/registrants/status", update_registrant_status, True),
    ("GET", "/v2/webinars/{webinarId}/registrants/{registrantId}", get_registrant, True),
    ("GET", "/v2/webinars/{webinarId}/panelists", list_panelists, True),
    ("GET", "/v2/past_webinars/{webinarId}/instances", past_instances, True),
    ("GET", "/v2/past_webinars/{webinarId}/participants", past_participants, True),
    ("GET", "/v2/report/webinars/{webinarId}", report_webinar, True),
    ("GET", "/v2/report/webinars/{webinarId}/participants", report_participants, True),
    ("GET", "/v2/report/history_meetings", history_meetings, True),
    ("POST", "/v2/users/{userId}/meetings", create_meeting, True),
    ("GET", "/v2/meetings/{meetingId}", get_meeting_detail, True),
    ("PATCH", "/v2/meetings/{meetingId}", update_meeting, True),
    ("DELETE", "/v2/meetings/{meetingId}", delete_meeting, True),
    ("GET", "/v2/past_meetings/{meetingId}/participants", past_meeting_participants, True),
    ("GET", "/w/{webinarId}", join_page, False),
    ("GET", "/j/{meetingId}", meeting_join_page, False),
]
