"""The app's custom workflow action, as HubSpot runs it.

* Definitions: ``POST /automation/v4/actions/{appId}`` (create), ``GET`` (list) and
  ``PATCH /automation/v4/actions/{appId}/{definitionId}`` (update), authenticated by the
  developer account's ``hapikey``.
* Runs: the control call ``POST /_sandbox/hubspot/workflow-actions/execute`` has HubSpot run
  the action for one contact: it POSTs HubSpot's signed body to the action URL and waits for
  the answer (``execute``). An answer with ``hs_execution_state`` BLOCK leaves the run
  ``blocked`` until the app completes it with ``POST /automation/v4/actions/callbacks/
  {callbackId}/complete`` (or the batch ``.../callbacks/complete``).
"""

from __future__ import annotations

import json
import secrets
import urllib.error
import urllib.request

from ..common import HubSpotError, Reply
from ..credentials import HUBSPOT_APP_ID, HUBSPOT_DEVELOPER_API_KEY
from ..webhooks.signing import hubspot_signature_v2, hubspot_signature_v3
from ..world import World
from .batch import object_body, validation_error
from .models import WorkflowExecution

ACTION_TIMEOUT_S = 20.0
DONE_STATES = ("SUCCESS", "FAIL_CONTINUE", "FAIL_STOP")
# what completing a blocked run may say (HubSpot's callbacks API)
COMPLETE_STATES = ("SUCCESS", "FAIL_CONTINUE")
SIGNATURES = ("v2", "v3", "both")
OBJECT_TYPES = ("CONTACT", "COMPANY", "DEAL", "TICKET", "QUOTE")


# ------------------------------------------------------------------------------ definitions
def _developer(req) -> None:
    if req.query.get("hapikey") != HUBSPOT_DEVELOPER_API_KEY:
        raise HubSpotError(401, "INVALID_AUTHENTICATION",
                           "The API key provided is invalid. View or manage your API key "
                           "here: https://app.hubspot.com/l/api-key/")
    if req.params["appId"] != HUBSPOT_APP_ID:
        raise HubSpotError(404, "OBJECT_NOT_FOUND", f"App {req.params['appId']} not found")


def _definition_errors(body: dict, *, partial: bool) -> list[str]:
    errors = []
    checks = {
        "actionUrl": lambda v: isinstance(v, str) and v.startswith(("https://", "http://")),
        "objectTypes": lambda v: isinstance(v, list) and bool(v)
        and all(t in OBJECT_TYPES for t in v),
        "inputFields": lambda v: isinstance(v, list)
        and all(isinstance(f, dict) and isinstance(f.get("typeDefinition"), dict)
                for f in v),
        "labels": lambda v: isinstance(v, dict) and bool(v)
        and all(isinstance(lbl, dict) for lbl in v.values()),
    }
    for name, ok in checks.items():
        if name not in body:
            if not partial:
                errors.append(f"{name} is required")
        elif not ok(body[name]):
            errors.append(f"{name} is invalid")
    return errors


def _definition_body(req, *, partial: bool) -> dict:
    """The definition sent with the app's developer key, else HubSpot's 401 or 400."""
    _developer(req)
    body = object_body(req)
    errors = _definition_errors(body, partial=partial)
    if errors:
        raise validation_error("; ".join(errors))
    return body


def create_definition(req) -> Reply:
    body = _definition_body(req, partial=False)
    world: World = req.world
    with world.lock:
        definition = {**body, "id": str(world.next_definition_id), "revisionId": "1",
                      "published": bool(body.get("published", False))}
        world.next_definition_id += 1
        world.action_definitions[definition["id"]] = definition
        return Reply(201, dict(definition))


def list_definitions(req) -> Reply:
    _developer(req)
    world: World = req.world
    with world.lock:
        return Reply(200, {"results": [dict(d) for d in world.action_definitions.values()]})


def update_definition(req) -> Reply:
    body = _definition_body(req, partial=True)
    world: World = req.world
    with world.lock:
        definition = world.action_definitions.get(req.params["definitionId"])
        if definition is None:
            raise HubSpotError(404, "OBJECT_NOT_FOUND",
                               f"Action definition {req.params['definitionId']} not found")
        definition.update({k: v for k, v in body.items() if k not in ("id", "revisionId")})
        definition["revisionId"] = str(int(definition["revisionId"]) + 1)
        return Reply(200, dict(definition))


# ------------------------------------------------------------------------------ callbacks
def _output_fields(item) -> dict:
    outputs = item.get("outputFields") if isinstance(item, dict) else None
    if not isinstance(outputs, dict):
        raise validation_error("outputFields is required")
    if outputs.get("hs_execution_state") not in COMPLETE_STATES:
        raise validation_error("outputFields.hs_execution_state must be one of "
                               f"{', '.join(COMPLETE_STATES)}")
    return outputs


def _blocked(world: World, callback_id) -> WorkflowExecution:
    run = world.workflow_executions.get(str(callback_id))
    if run is None:
        raise HubSpotError(404, "OBJECT_NOT_FOUND", f"Callback {callback_id} not found")
    if run.state != "blocked":
        raise validation_error(f"Callback {callback_id} has already been completed")
    return run


def _finish(world: World, run: WorkflowExecution, outputs: dict) -> None:
    run.state = "completed"
    run.output_fields = dict(outputs)
    run.completed_at = world.now()


def complete_callback(req) -> Reply:
    world: World = req.world
    outputs = _output_fields(object_body(req))
    with world.lock:
        run = _blocked(world, req.params["callbackId"])
        _finish(world, run, outputs)
    return Reply(204, None)


def complete_callbacks(req) -> Reply:
    world: World = req.world
    inputs = object_body(req).get("inputs")
    if not isinstance(inputs, list) or not inputs:
        raise validation_error("inputs must be a non-empty list")
    done = []
    with world.lock:
        seen = set()
        for item in inputs:
            outputs = _output_fields(item)
            callback_id = item.get("callbackId")
            if callback_id in seen:
                raise validation_error(f"Callback {callback_id} is given twice")
            seen.add(callback_id)
            done.append((_blocked(world, callback_id), outputs))
        for run, outputs in done:  # all or nothing
            _finish(world, run, outputs)
    return Reply(204, None)


# ------------------------------------------------------------------------------ runs
def signed_headers(secret: str, url: str, raw: bytes, timestamp_ms: str, signature: str
                   ) -> dict:
    headers = {"Content-Type": "application/json",
               "User-Agent": "HubSpot Connect 2.0 (http://dev.hubspot.com/)"}
    if signature in ("v2", "both"):
        headers["X-HubSpot-Signature"] = hubspot_signature_v2(secret, "POST", url, raw)
        headers["X-HubSpot-Signature-Version"] = "v2"
    if signature in ("v3", "both"):
        headers["X-HubSpot-Signature-v3"] = hubspot_signature_v3(secret, "POST", url, raw,
                                                                 timestamp_ms)
        headers["X-HubSpot-Request-Timestamp"] = timestamp_ms
    return headers


def post_action(url: str, raw: bytes, headers: dict) -> tuple[int | None, object]:
    """(status, the answer parsed as JSON or its text); (None, the error) without one."""
    request = urllib.request.Request(url, data=raw, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=ACTION_TIMEOUT_S) as response:  # noqa: S310
            status, content = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, content = exc.code, exc.read()
    except (OSError, ValueError) as exc:
        return None, str(exc)
    text = content.decode("utf-8", "replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def new_callback_id() -> str:
    return "ap-" + "-".join(str(secrets.randbelow(10**9)) for _ in range(3))


def settle(world: World, run: WorkflowExecution, status: int | None, answer) -> None:
    """The run's state after the action's answer."""
    outputs = answer.get("outputFields") if isinstance(answer, dict) else None
    outputs = outputs if isinstance(outputs, dict) else {}
    state = outputs.get("hs_execution_state")
    with world.lock:
        run.status = status
        run.output_fields = dict(outputs)
        if status is None or not 200 <= status < 300:
            run.state = "failed"
        elif state == "BLOCK":
            run.state = "blocked"
        else:  # a 2xx without a state is a success
            run.state = "completed"
            run.completed_at = world.now()

