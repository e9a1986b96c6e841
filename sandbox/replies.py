"""Answers made up by the server rather than by a handler, in each service's own shape: errors
raised by handlers, unknown routes, sandbox bugs and injected faults."""

from __future__ import annotations

import uuid

from .common import (
    BadJson,
    ControlError,
    HubSpotError,
    Reply,
    Request,
    ZoomError,
    ZoomOAuthError,
)
from .faults import ERROR_TEXT
from .hubspot.oauth import rate_limit_group
from .limits import ZOOM_QPS_MESSAGE, hubspot_429, zoom_429
from .routing import Route
from .world import World


def hubspot_error_body(category: str, message: str, **extra) -> dict:
    body = {"status": "error", "message": message, "correlationId": str(uuid.uuid4()),
            "category": category}
    body.update(extra)
    return body


def error_reply(service: str, exc: Exception) -> Reply:
    if isinstance(exc, ZoomError):
        return Reply(exc.status, {"code": exc.code, "message": exc.message, **exc.extra},
                     headers=dict(exc.headers))
    if isinstance(exc, ZoomOAuthError):
        return Reply(exc.status, {"reason": exc.reason, "error": exc.error})
    if isinstance(exc, HubSpotError):
        return Reply(exc.status, hubspot_error_body(exc.category, exc.message, **exc.extra),
                     headers=dict(exc.headers))
    if isinstance(exc, ControlError):
        return Reply(exc.status, {"error": exc.message})
    if isinstance(exc, BadJson):
        if service == "zoom":
            return Reply(400, {"code": 300, "message": "Request Body should be a valid JSON "
                                                       "object."})
        if service == "hubspot":
            return Reply(400, hubspot_error_body("VALIDATION_ERROR",
                                                 f"Invalid input JSON: {exc}"))
        return Reply(400, {"error": f"invalid JSON: {exc}"})
    raise exc


def not_found_reply(service: str | None, method: str, path: str, allowed: list[str]) -> Reply:
    status = 405 if allowed else 404
    if service == "zoom":
        return Reply(status, {"code": 2300, "message": "This API endpoint is not recognized."})
    if service == "hubspot":
        category = "VALIDATION_ERROR" if allowed else "OBJECT_NOT_FOUND"
        return Reply(status, hubspot_error_body(category, f"No route for {method} {path}"))
    return Reply(status, {"error": f"No route for {method} {path}"})


def internal_error_reply(service: str | None, exc: Exception) -> Reply:
    message = f"Sandbox internal error: {type(exc).__name__}: {exc}"
    if service == "zoom":
        return Reply(500, {"code": 500, "message": message})
    if service == "hubspot":
        return Reply(500, hubspot_error_body("INTERNAL_ERROR", message))
    return Reply(500, {"error": message})


def fault_reply(world: World, service: str, route: Route, req: Request, fault) -> Reply:
    """The answer to a request hit by an injected fault (nothing in the world changed)."""
    if fault.kind == "reset":
        return Reply(0, None, fault="reset")
    if fault.kind == "error":
        status, text = fault.status, ERROR_TEXT[fault.status]
        if service == "zoom" and route.is_oauth:
            body = {"reason": text, "error": "server_error"}
        elif service == "zoom":
            body = {"code": status, "message": text}
        else:
            body = hubspot_error_body("INTERNAL_ERROR", f"{text} (injected fault)")
        return Reply(status, body, fault="error")
    retry = world.faults.retry_after_headers()
    if service == "zoom":
        headers = {"X-RateLimit-Category": route.category or "Light",
                   "X-RateLimit-Type": "QPS", **retry}
        reply = zoom_429(ZOOM_QPS_MESSAGE, headers)
    else:
        limit = world.limits.hubspot_per_10s or 190
        headers = {"X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
                   "X-HubSpot-RateLimit-Max": str(limit),
                   "X-HubSpot-RateLimit-Remaining": "0", **retry}
        reply = hubspot_429("TEN_SECONDLY_ROLLING",
                            "You have reached your ten_secondly_rolling limit.",
                            rate_limit_group(req.bearer()), headers)
    reply.fault = "rate_limit"
    return reply


