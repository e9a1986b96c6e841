"""HubSpot marketing-event attendance: register / attend / cancel records by e-mail, which
create the contacts they name."""

from __future__ import annotations

from ..common import Reply
from ..world import World
from .batch import (
    batch_inputs,
    batch_reply,
    email_is_malformed,
    injected_failures,
    object_body,
    partial_errors,
    validation_error,
)
from .events import account_param, event_or_404
from .properties import normalize_value, properties_error

SUBSCRIBER_STATES = ("register", "attend", "cancel")


def _attendance_input(i: int, item) -> tuple[str, int, dict, dict]:
    """(e-mail, interaction time in epoch ms, properties, contact properties) of one input."""
    if not isinstance(item, dict):
        raise validation_error(f"inputs[{i}] must be a JSON object.")
    missing = [k for k in ("email", "interactionDateTime", "properties",
                           "contactProperties") if k not in item]
    if missing:
        raise validation_error(f"inputs[{i}] is missing required field(s): "
                               f"{', '.join(missing)}.")
    email = item["email"]
    if not isinstance(email, str) or email_is_malformed(email.strip()):
        raise validation_error(f"inputs[{i}].email is not a valid e-mail address.")
    when = item["interactionDateTime"]
    if not isinstance(when, int) or isinstance(when, bool):
        raise validation_error(f"inputs[{i}].interactionDateTime must be epoch milliseconds "
                               "(an integer).")
    for key in ("properties", "contactProperties"):
        value = item[key]
        if not isinstance(value, dict):
            raise validation_error(f"inputs[{i}].{key} must be a JSON object.")
        bad = [k for k, v in value.items() if not isinstance(v, str)]
        if bad:
            raise validation_error(f"inputs[{i}].{key} values must be strings: "
                                   f"{', '.join(bad)}.")
    return email.strip().lower(), when, item["properties"], item["contactProperties"]


def _check_contact_properties(world: World, parsed: list) -> None:
    errors = []
    for _email, _when, _props, contact_props in parsed:
        for name, value in contact_props.items():
            if name == "email":
                continue
            _text, err = normalize_value(world, name, value)
            if err:
                errors.append(err)
    if errors:
        raise properties_error(errors)


def _record(world: World, ev, state: str, email: str, when: int, props: dict,
            contact_props: dict) -> dict:
    contact = world.contact_by_email(email)
    if contact is None:
        values = {k: v for k, v in contact_props.items() if k != "email"}
        contact = world.create_contact(email, values)
    ev.attendance.append({
        "email": email,
        "state": state,
        "interactionDateTime": when,
        "joinedAt": props.get("joinedAt"),
        "leftAt": props.get("leftAt"),
        "properties": dict(props),
        "contactId": str(contact.id),
        "recordedAt": world.now(),
    })
    return {"vid": contact.id, "email": email}


def attendance_email_create(req) -> Reply:
    world: World = req.world
    started = world.now()
    state = req.params["subscriberState"]
    if state not in SUBSCRIBER_STATES:
        raise validation_error(f"Invalid subscriberState '{state}': expected one of "
                               f"{', '.join(SUBSCRIBER_STATES)}.")
    account = account_param(req)
    inputs = batch_inputs(object_body(req))
    parsed = [_attendance_input(i, item) for i, item in enumerate(inputs)]
    with world.lock:
        ev = event_or_404(world, account, req.params["externalEventId"])
        _check_contact_properties(world, parsed)
        refs = [email for email, _w, _p, _c in parsed]
        failed = injected_failures(req, refs)
        results = [_record(world, ev, state, *row)
                   for i, row in enumerate(parsed) if i not in failed]
        ev.updated_at = world.now()
    # HubSpot's spec gives this endpoint no 207: input errors come in a 200's ``errors``
    return batch_reply(world, results, partial_errors(world, refs, failed), started,
                       multi_status=False)
