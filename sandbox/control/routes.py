"""The control API's routes: (method, template under ``/_sandbox``, handler, needs auth)."""

from __future__ import annotations

from .basics import (
    calls,
    calls_reset,
    get_clock,
    get_credentials,
    get_faults,
    get_limits,
    health,
    post_clock,
    post_faults,
    post_limits,
    reset,
    seed,
)
from .hubspot import execute, post_form, post_submission
from .state import state
from .webhooks import get_log, get_targets, live_run, post_targets
from .zoom import expire_page_tokens, participants, report, session_add

ROUTES = [
    ("POST", "/reset", reset, False),
    ("POST", "/seed", seed, False),
    ("GET", "/state", state, False),
    ("GET", "/calls", calls, False),
    ("POST", "/calls/reset", calls_reset, False),
    ("GET", "/credentials", get_credentials, False),
    ("GET", "/health", health, False),
    ("GET", "/limits", get_limits, False),
    ("POST", "/limits", post_limits, False),
    ("GET", "/faults", get_faults, False),
    ("POST", "/faults", post_faults, False),
    ("GET", "/clock", get_clock, False),
    ("POST", "/clock", post_clock, False),
    ("POST", "/zoom/report", report, False),
    ("POST", "/zoom/participants", participants, False),
    ("POST", "/zoom/page-tokens/expire", expire_page_tokens, False),
    ("POST", "/zoom/sessions", session_add, False),
    ("GET", "/webhooks", get_targets, False),
    ("POST", "/webhooks", post_targets, False),
    ("GET", "/webhooks/log", get_log, False),
    ("POST", "/zoom/webinars/{webinarId}/live", live_run, False),
    ("POST", "/hubspot/forms", post_form, False),
    ("POST", "/hubspot/forms/{guid}/submissions", post_submission, False),
    ("POST", "/hubspot/workflow-actions/execute", execute, False),
]
