"""``--record FILE``: one JSON line per Zoom/HubSpot exchange, secrets redacted, so that a run
can be checked against Zoom's OpenAPI specs (``service`` tells the REST API from OAuth and web
pages; ``path`` is the full request path)."""

from __future__ import annotations

import json
import threading

from .common import Request

REDACTED = "[redacted]"
SECRET_KEYS = frozenset({"access_token", "refresh_token", "client_secret", "download_token",
                         "token"})
# also secret in what the client sends (query strings and form bodies): OAuth codes
REQUEST_SECRET_KEYS = SECRET_KEYS | {"code", "code_verifier"}
# A test that sends off-spec traffic on purpose (unknown routes, invalid bodies) marks it with
# "X-Sandbox-Record: off" so that the exchange record stays a contract-checkable sample.
NO_RECORD_HEADER = "x-sandbox-record"


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


def body_for_record(req: Request):
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


def exchange_entry(req: Request, service: str, raw_path: str, reply, ts: str) -> dict:
    """The record line of one exchange (``Recorder.write`` redacts its secrets)."""
    path = raw_path
    if "{token}" in req.template:
        path = raw_path.rsplit("/", 1)[0] + "/" + REDACTED
    return {
        "ts": ts,
        "service": record_service(service, req.template or req.path),
        "method": req.method,
        "path": path,
        "template": req.template,
        "query": req.query,
        "headers": {k: (REDACTED if k == "authorization" else v)
                    for k, v in req.headers.items() if k in ("authorization", "content-type")},
        "request_body": body_for_record(req),
        "status": reply.status,
        "response_body": reply.body if reply.raw is None else None,
    }
