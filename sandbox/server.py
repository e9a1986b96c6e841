"""HTTP server, routing and ``SandboxServer`` (the importable entry point).

URL layout: Zoom under ``/zoom`` (``/zoom/oauth/token``, ``/zoom/v2/...``), HubSpot under
``/hubspot`` and the control API under ``/_sandbox``.
"""

from __future__ import annotations

import json
import re
import sys
import threading
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
from .seeds import apply_seed
from .world import World

_PCT = re.compile(r"%[0-9A-Fa-f]{2}")
REDACTED = "[redacted]"
SECRET_KEYS = frozenset({"access_token", "refresh_token", "client_secret", "download_token"})
MAX_BODY = 64 * 1024 * 1024

SERVICES = (("zoom", "/zoom"), ("hubspot", "/hubspot"), ("control", "/_sandbox"))


# --------------------------------------------------------------------------------------------
# routing
# --------------------------------------------------------------------------------------------


class Route:
    __slots__ = ("method", "template", "segments", "handler", "auth")

    def __init__(self, method, template, handler, auth):
        self.method = method
        self.template = template
        self.segments = [
            (s[1:-1], True) if s.startswith("{") and s.endswith("}") else (s, False)
            for s in template.strip("/").split("/")
        ]
        self.handler = handler
        self.auth = auth

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
    "zoom": [Route(*r) for r in zoom.ROUTES],
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
        return Reply(exc.status, {"code": exc.code, "message": exc.message, **exc.extra})
    if isinstance(exc, ZoomOAuthError):
        return Reply(exc.status, {"reason": exc.reason, "error": exc.error})
    if isinstance(exc, HubSpotError):
        return Reply(exc.status, hubspot_error_body(exc.category, exc.message, **exc.extra))
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


# --------------------------------------------------------------------------------------------
# recording
# --------------------------------------------------------------------------------------------


def redact(value):
    if isinstance(value, dict):
        return {k: (REDACTED if k.lower() in SECRET_KEYS and v not in (None, "") else redact(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


class Recorder:
    """Writes one JSON line per Zoom/HubSpot exchange (secrets redacted). Appends."""

    def __init__(self, path: str):
        self.path = path
        self._lock = threading.Lock()
        self._fh = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed in close()

    def write(self, entry: dict) -> None:
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
            world.count_call(f"{service} {method} {req.template or '(unmatched)'}")
            if sandbox.recorder is not None:
                sandbox.recorder.write({
                    "ts": iso_ms(utcnow()),
                    "service": service,
                    "method": method,
                    "path": rel,
                    "template": req.template,
                    "query": query,
                    "headers": {k: (REDACTED if k == "authorization" else v)
                                for k, v in headers.items()
                                if k in ("authorization", "content-type")},
                    "request_body": _body_for_record(req),
                    "status": reply.status,
                    "response_body": reply.body if reply.raw is None else None,
                })
        self._send(reply)

    def _dispatch(self, req: Request, service: str | None, rel: str) -> Reply:
        if service is None:
            return not_found_reply(None, req.method, rel, [])
        try:
            segments, doubled = split_path(rel)
            route, params = find_route(service, req.method, segments)
            if route is None:
                return not_found_reply(service, req.method, rel, params)
            req.template = route.template
            req.params = params
            if service == "zoom":
                _check_zoom_uuid_encoding(route, segments, doubled)
                if route.auth:
                    zoom.check_auth(req)
            elif service == "hubspot" and route.auth:
                hubspot.check_auth(req)
            return route.handler(req)
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
