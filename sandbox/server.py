"""HTTP server, routing and ``SandboxServer`` (the importable entry point).

URL layout: Zoom under ``/zoom`` (``/zoom/oauth/token``, ``/zoom/v2/...``), HubSpot under
``/hubspot`` and the control API under ``/_sandbox``.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote

from . import control, hubspot, zoom
from .common import (
    BadJson,
    ControlError,
    HubSpotError,
    Reply,
    Request,
    ZoomError,
    ZoomOAuthError,
    iso_ms,
    utcnow,
)
from .limits import ERROR_TEXT, ZOOM_QPS_MESSAGE, hubspot_429, zoom_429
from .seeds import apply_seed
from .world import HUBSPOT_PORTAL_ID, World

_PCT = re.compile(r"%[0-9A-Fa-f]{2}")
REDACTED = "[redacted]"
SECRET_KEYS = frozenset({"access_token", "refresh_token", "client_secret", "download_token",
                         "token"})
# A test that sends off-spec traffic on purpose (unknown routes, invalid bodies) marks it with
# "X-Sandbox-Record: off" so that the exchange record stays a contract-checkable sample.
NO_RECORD_HEADER = "x-sandbox-record"
# also secret in what the client sends (query strings and form bodies): OAuth codes
REQUEST_SECRET_KEYS = SECRET_KEYS | {"code", "code_verifier"}
MAX_BODY = 64 * 1024 * 1024

SERVICES = (("zoom", "/zoom"), ("hubspot", "/hubspot"), ("control", "/_sandbox"))


# --------------------------------------------------------------------------------------------
# routing
# --------------------------------------------------------------------------------------------


class Route:
    __slots__ = ("method", "template", "segments", "handler", "auth", "category", "is_oauth")

    def __init__(self, method, template, handler, auth, category=None):
        self.method = method
        self.template = template
        self.segments = [
            (s[1:-1], True) if s.startswith("{") and s.endswith("}") else (s, False)
            for s in template.strip("/").split("/")
        ]
        self.handler = handler
        self.auth = auth
        self.category = category  # Zoom rate-limit category ("Light", ...) or None
        self.is_oauth = template.startswith("/oauth/")

    def match(self, segments: list[str]) -> dict | None:
        if len(segments) != len(self.segments):
            return None
        params = {}
        for (name, is_param), value in zip(self.segments, segments, strict=True):
            if is_param:
                if value == "":
                    return None
                params[name] = value
            elif name != value:
                return None
        return params


ROUTES = {
    "zoom": [Route(*r, zoom.rate_limit_category(r[0], r[1])) for r in zoom.ROUTES],
    "hubspot": [Route(*r) for r in hubspot.ROUTES],
    "control": [Route(*r) for r in control.ROUTES],
}


def split_path(rel: str) -> tuple[list[str], list[bool]]:
    """Percent-decode each segment; decode once more when the result still has ``%XX``.

    Returns the decoded segments and, per segment, whether it was double-encoded.
    """
    raw = rel.strip("/")
    if not raw:
        return [], []
    segments, doubled = [], []
    for seg in raw.split("/"):
        once = unquote(seg)
        if _PCT.search(once):
            segments.append(unquote(once))
            doubled.append(True)
        else:
            segments.append(once)
            doubled.append(False)
    return segments, doubled


def find_route(service: str, method: str, segments: list[str]):
    """(route, params) or (None, allowed_methods)."""
    allowed = []
    for route in ROUTES[service]:
        params = route.match(segments)
        if params is None:
            continue
        if route.method == method:
            return route, params
        allowed.append(route.method)
    return None, allowed


# --------------------------------------------------------------------------------------------
# error shapes
# --------------------------------------------------------------------------------------------


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
                            hubspot.rate_limit_group(req.bearer()), headers)
    reply.fault = "rate_limit"
    return reply


# --------------------------------------------------------------------------------------------
# recording
# --------------------------------------------------------------------------------------------


def redact(value, keys=SECRET_KEYS):
    if isinstance(value, dict):
        return {k: (REDACTED if k.lower() in keys and isinstance(v, str) and v != ""
                    else redact(v, keys))
                for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, keys) for v in value]
    return value


class Recorder:
    """Writes one JSON line per Zoom/HubSpot exchange (secrets redacted). Appends."""

    def __init__(self, path: str):
        self.path = path
        self._lock = threading.Lock()
        self._fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()

    def write(self, entry: dict) -> None:
        for key in ("query", "request_body"):
            entry[key] = redact(entry.get(key), REQUEST_SECRET_KEYS)
        line = json.dumps(redact(entry), ensure_ascii=False, default=str)
        with self._lock:
            if self._fh.closed:
                return
            self._fh.write(line + "\n")
            self._fh.flush()

    def close(self) -> None:
        with self._lock:
            if not self._fh.closed:
                self._fh.close()


def record_service(service: str, template: str) -> str:
    """The API an exchange belongs to: Zoom's REST API ("zoom", api.zoom.us) is recorded apart
    from its OAuth server ("zoom-oauth", zoom.us/oauth) and web pages ("zoom-web"), so that a
    contract check of "zoom" against the REST API specs sees only REST traffic."""
    if service != "zoom" or template.startswith("/v2/") or template == "/v2":
        return service
    return "zoom-oauth" if template.startswith("/oauth/") else "zoom-web"


def _body_for_record(req: Request):
    raw = req.raw_body
    if not raw:
        return None
    ctype = req.headers.get("content-type", "")
    if "application/x-www-form-urlencoded" in ctype:
        return req.form()
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return raw.decode("utf-8", "replace")


# --------------------------------------------------------------------------------------------
# HTTP handler
# --------------------------------------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Sandbox/1.0"
    sys_version = ""
    # headers + body leave in one write (flushed per request by BaseHTTPRequestHandler), and
    # no Nagle: otherwise keep-alive clients stall ~40 ms per request on delayed ACKs.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        if self.server.sandbox.verbose:
            sys.stderr.write(f"sandbox: {self.address_string()} - {format % args}\n")

    def do_GET(self):
        self._handle()

    def do_POST(self):
        self._handle()

    def do_PUT(self):
        self._handle()

    def do_PATCH(self):
        self._handle()

    def do_DELETE(self):
        self._handle()

    # ------------------------------------------------------------------ body
    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks = []
            while True:
                size_line = self.rfile.readline(65537).split(b";", 1)[0].strip()
                size = int(size_line or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("request body too large")
        return self.rfile.read(length) if length > 0 else b""

    # ------------------------------------------------------------------ dispatch
    def _handle(self):
        sandbox: SandboxServer = self.server.sandbox
        world = sandbox.world
        method = self.command.upper()
        raw_path, _, raw_query = self.path.partition("?")
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self._send(Reply(400, {"error": "bad request body"}))
            return
        query = dict(parse_qsl(raw_query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}

        service, rel = None, raw_path
        for name, prefix in SERVICES:
            if raw_path == prefix or raw_path.startswith(prefix + "/"):
                service, rel = name, raw_path[len(prefix):] or "/"
                break

        req = Request(service=service or "", method=method, path=rel, template="",
                      params={}, query=query, headers=headers, raw_body=body, world=world)
        reply = self._dispatch(req, service, rel)
        if service in ("zoom", "hubspot"):
            key = f"{service} {method} {req.template or '(unmatched)'}"
            world.count_call(key, status=reply.status, rate_limited=reply.status == 429)
            if reply.fault:
                world.count_fault(reply.fault)
            elif sandbox.recorder is not None and headers.get(NO_RECORD_HEADER) != "off":
                path = raw_path
                if "{token}" in req.template:
                    path = raw_path.rsplit("/", 1)[0] + "/" + REDACTED
                sandbox.recorder.write({
                    "ts": iso_ms(utcnow()),
                    "service": record_service(service, req.template or rel),
                    "method": method,
                    "path": path,
                    "template": req.template,
                    "query": query,
                    "headers": {k: (REDACTED if k == "authorization" else v)
                                for k, v in headers.items()
                                if k in ("authorization", "content-type")},
                    "request_body": _body_for_record(req),
                    "status": reply.status,
                    "response_body": reply.body if reply.raw is None else None,
                })
        if reply.fault == "reset":
            self._reset_connection()
            return
        self._send(reply)

    def _reset_connection(self) -> None:
        """Drop the connection with a TCP RST, without a byte of response."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _dispatch(self, req: Request, service: str | None, rel: str) -> Reply:
        if service is None:
            return not_found_reply(None, req.method, rel, [])
        world: World = req.world
        try:
            segments, doubled = split_path(rel)
            route, params = find_route(service, req.method, segments)
            if route is None:
                return not_found_reply(service, req.method, rel, params)
            req.template = route.template
            req.params = params
            if service == "control":
                return route.handler(req)
            fault = world.faults.draw(service)
            if fault is not None:
                if fault.slow_s:
                    world.count_fault("slow")
                    time.sleep(fault.slow_s)
                if fault.kind is not None:
                    return fault_reply(world, service, route, req, fault)
            headers = {}
            if service == "zoom":
                _check_zoom_uuid_encoding(route, segments, doubled)
                if route.auth:
                    zoom.check_auth(req)
                    limited, headers = world.limits.zoom_admit(route.category)
                    if limited is not None:
                        return limited
            elif route.auth:
                group = hubspot.check_auth(req)
                limited, headers = world.limits.hubspot_admit(group, HUBSPOT_PORTAL_ID)
                if limited is not None:
                    return limited
            reply = route.handler(req)
            if headers:
                reply.headers = {**headers, **reply.headers}
            return reply
        except (ZoomError, ZoomOAuthError, HubSpotError, ControlError, BadJson) as exc:
            return error_reply(service, exc)
        except Exception as exc:  # a sandbox bug: answer 500 in the service's shape
            traceback.print_exc()
            return internal_error_reply(service, exc)

    def _send(self, reply: Reply) -> None:
        if reply.status == 204:
            payload = b""
        elif reply.raw is not None:
            payload = reply.raw
        else:
            payload = json.dumps(reply.body, separators=(",", ":")).encode("utf-8")
        try:
            self.send_response(reply.status)
            if reply.status != 204:
                ctype = reply.content_type
                if ctype == "application/json":
                    ctype = "application/json;charset=utf-8"
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(payload)))
            for k, v in reply.headers.items():
                self.send_header(k, v)
            self.end_headers()
            if payload:
                self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


def _check_zoom_uuid_encoding(route: Route, segments: list[str], doubled: list[bool]) -> None:
    """Like Zoom: a UUID that starts with "/" or contains "//" must be double-encoded."""
    for (name, is_param), value, was_doubled in zip(route.segments, segments, doubled,
                                                    strict=True):
        if is_param and name == "webinarId" and not was_doubled and (
                value.startswith("/") or "//" in value):
            raise ZoomError(404, 3001, f"Webinar does not exist: {value}.")


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


# --------------------------------------------------------------------------------------------
# public API
# --------------------------------------------------------------------------------------------


class SandboxServer:
    """A Zoom + HubSpot stand-in served over real HTTP.

    >>> with SandboxServer() as srv:            # port 0 = a free port
    ...     requests.get(srv.url + "/_sandbox/credentials")
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, record_path: str | None = None,
                 *, world: World | None = None, verbose: bool = False):
        self.world = world if world is not None else World()
        self.host = host
        self.verbose = verbose
        self.record_path = record_path
        self.recorder = Recorder(record_path) if record_path else None
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.sandbox = self
        self.port = self._httpd.server_address[1]
        public_host = "127.0.0.1" if host in ("", "0.0.0.0", "::") else host
        self.url = f"http://{public_host}:{self.port}"
        self.world.base_url = self.url
        self._thread: threading.Thread | None = None
        self._closed = False

    def start(self) -> SandboxServer:
        if self._thread is None:
            self._thread = threading.Thread(target=self._httpd.serve_forever,
                                            kwargs={"poll_interval": 0.05},
                                            name=f"sandbox-{self.port}", daemon=True)
            self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the calling thread until ``stop()`` (from another thread) or Ctrl-C."""
        self._httpd.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()
        if self.recorder is not None:
            self.recorder.close()

    def seed(self, scenario: str | None = None, **params) -> dict:
        return apply_seed(self.world, scenario, **params)

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
