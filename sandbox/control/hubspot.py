"""Controls that play people and HubSpot itself:

- ``POST /_sandbox/hubspot/forms`` ``{"guid"?, "name", "fields": ["email", ...]}``: a new
  form (201, the form with its ``guid``);
- ``POST /_sandbox/hubspot/forms/{guid}/submissions`` ``{"values": {"email": ..., ...},
  "submittedAt"?: epoch ms, "pageUrl"?}``: someone submits it (201, the submission); the
  contact is created or updated with the values, as a real submission does;
- ``POST /_sandbox/hubspot/workflow-actions/execute`` ``{"url", "contactEmail",
  "properties"?, "inputFields"?, "secret"?, "portalId"?, "actionDefinitionId"?,
  "signature"?: "v2" | "v3" | "both"}``: a workflow runs the app's custom action for one
  contact: HubSpot's signed request goes to ``url`` and the answer comes back
  (``{"callbackId", "status", "response"}``).
"""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlsplit

from ..common import ControlError, Reply, epoch_ms
from ..credentials import HUBSPOT_CLIENT_SECRET, HUBSPOT_PORTAL_ID
from ..hubspot import workflow_actions as actions
from ..hubspot.models import Form, WorkflowExecution
from ..world import World
from .basics import known_keys_body


def form_json(form: Form) -> dict:
    return {"guid": form.guid, "name": form.name, "fields": list(form.fields),
            "submissions": [dict(s, values=dict(s["values"])) for s in form.submissions]}


def create_form(world: World, *, name, fields, guid=None) -> Form:
    """A new form; ValueError when the description is wrong."""
    if not isinstance(name, str) or not name.strip():
        raise ValueError("'name' (the form's name) is required")
    if (not isinstance(fields, list) or "email" not in fields
            or not all(isinstance(f, str) and f for f in fields)):
        raise ValueError("'fields' must be a list of field names including 'email'")
    guid = str(guid) if guid else str(uuid.uuid4())
    with world.lock:
        if guid in world.forms:
            raise ValueError(f"a form {guid} exists already")
        return world.add_form(guid, name, fields)


def post_form(req) -> Reply:
    body = known_keys_body(req, {"guid", "name", "fields"})
    try:
        form = create_form(req.world, name=body.get("name"), fields=body.get("fields"),
                           guid=body.get("guid"))
    except ValueError as exc:
        raise ControlError(400, str(exc)) from exc
    return Reply(201, form_json(form))


def post_submission(req) -> Reply:
    world: World = req.world
    body = known_keys_body(req, {"values", "submittedAt", "pageUrl"})
    values = body.get("values")
    if (not isinstance(values, dict) or not isinstance(values.get("email"), str)
            or "@" not in values["email"]):
        raise ControlError(400, "'values' must be an object with an 'email'")
    when = body.get("submittedAt")
    if when is None:
        when = epoch_ms(world.now())
    if isinstance(when, bool) or not isinstance(when, int) or when < 0:
        raise ControlError(400, "'submittedAt' must be epoch milliseconds")
    with world.lock:
        form = world.forms.get(req.params["guid"])
        if form is None:
            raise ControlError(404, f"no form {req.params['guid']}")
        unknown = sorted(set(values) - set(form.fields))
        if unknown:
            raise ControlError(400, f"not fields of the form: {', '.join(unknown)}")
        submission = world.submit_form(form, {k: str(v) for k, v in values.items()},
                                       when, str(body.get("pageUrl") or ""))
    return Reply(201, dict(submission))


def execution_json(run: WorkflowExecution) -> dict:
    return {"callbackId": run.callback_id, "contactId": str(run.contact_id),
            "email": run.email, "inputFields": dict(run.input_fields), "state": run.state,
            "status": run.status, "outputFields": dict(run.output_fields),
            "completed_at": epoch_ms(run.completed_at) if run.completed_at else None}


def _execute_body(req) -> dict:
    body = known_keys_body(req, {"url", "secret", "portalId", "actionDefinitionId", "contactEmail",
                       "properties", "inputFields", "signature"})
    url = body.get("url")
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise ControlError(400, "'url' must be the action's http(s) URL")
    if not isinstance(body.get("contactEmail"), str):
        raise ControlError(400, "'contactEmail' is required")
    props = body.get("properties", ["email"])
    if not isinstance(props, list) or not all(isinstance(p, str) for p in props):
        raise ControlError(400, "'properties' must be a list of property names")
    if not isinstance(body.get("inputFields", {}), dict):
        raise ControlError(400, "'inputFields' must be an object")
    if body.get("signature", "both") not in actions.SIGNATURES:
        raise ControlError(400, "'signature' must be v2, v3 or both")
    return body


def execute(req) -> Reply:
    world: World = req.world
    body = _execute_body(req)
    with world.lock:
        contact = world.contact_by_email(body["contactEmail"])
        if contact is None:
            raise ControlError(404, f"no contact {body['contactEmail']}")
        callback_id = actions.new_callback_id()
        while callback_id in world.workflow_executions:
            callback_id = actions.new_callback_id()
        inputs = dict(body.get("inputFields") or {})
        payload = {
            "callbackId": callback_id,
            "origin": {"portalId": int(body.get("portalId") or HUBSPOT_PORTAL_ID),
                       # default: the app's latest definition (0 when it has none)
                       "actionDefinitionId": int(body.get("actionDefinitionId")
                                                 or next(reversed(world.action_definitions),
                                                         0))},
            "object": {"objectId": contact.id, "objectType": "CONTACT",
                       "properties": {p: contact.value(p)
                                      for p in body.get("properties", ["email"])}},
            "inputFields": inputs,
        }
        run = WorkflowExecution(callback_id=callback_id, contact_id=contact.id,
                                email=contact.value("email"), input_fields=inputs,
                                created_at=world.now())
        world.workflow_executions[callback_id] = run
        timestamp = str(int(world.clock.time() * 1000))
    raw = json.dumps(payload, separators=(",", ":")).encode()
    headers = actions.signed_headers(body.get("secret") or HUBSPOT_CLIENT_SECRET, body["url"],
                                     raw, timestamp, body.get("signature", "both"))
    # the lock is not held while the app answers: it may call the sandbox meanwhile
    status, answer = actions.post_action(body["url"], raw, headers)
    actions.settle(world, run, status, answer)
    return Reply(200, {"callbackId": callback_id, "status": status, "response": answer})
