"""HubSpot: contact properties, contacts batch read/upsert, marketing events and attendance."""

from __future__ import annotations

import json
import re

from .common import HubSpotError, Reply, iso_ms, parse_iso, utcnow
from .world import (
    HUBSPOT_PORTAL_ID,
    HUBSPOT_TOKEN,
    READ_ONLY_PROPERTIES,
    MarketingEvent,
    World,
)

BATCH_LIMIT = 100
DEFAULT_READ_PROPERTIES = ("createdate", "email", "firstname", "hs_object_id",
                           "lastmodifieddate", "lastname")
PROPERTY_TYPES = {"string", "number", "date", "datetime", "enumeration", "bool",
                  "phone_number"}
FIELD_TYPES = {"text", "textarea", "number", "select", "radio", "checkbox", "booleancheckbox",
               "date", "file", "calculation_equation", "phonenumber", "html"}
SUBSCRIBER_STATES = ("register", "attend", "cancel")
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,99}$")


def check_auth(req) -> None:
    if req.bearer() != HUBSPOT_TOKEN:
        raise HubSpotError(
            401, "INVALID_AUTHENTICATION",
            "Authentication credentials not found. This API supports OAuth 2.0 authentication "
            "and you can find more details at "
            "https://developers.hubspot.com/docs/methods/auth/oauth-overview")


def _validation(message: str, **extra) -> HubSpotError:
    return HubSpotError(400, "VALIDATION_ERROR", message, **extra)


def _body(req) -> dict:
    body = req.json()
    if not isinstance(body, dict):
        raise _validation("Invalid input JSON: expected a JSON object.")
    return body


def _inputs(body: dict) -> list:
    inputs = body.get("inputs")
    if not isinstance(inputs, list):
        raise _validation("Invalid input JSON: 'inputs' must be a list.")
    if len(inputs) > BATCH_LIMIT:
        raise _validation(f"Batch size {len(inputs)} is greater than the limit of "
                          f"{BATCH_LIMIT} inputs.")
    return inputs


def _batch_times(started) -> dict:
    return {"startedAt": iso_ms(started), "completedAt": iso_ms(utcnow())}


# --------------------------------------------------------------------------------------------
# property groups and properties
# --------------------------------------------------------------------------------------------


def list_groups(req) -> Reply:
    world: World = req.world
    with world.lock:
        return Reply(200, {"results": [dict(g) for g in world.property_groups.values()]})


def create_group(req) -> Reply:
    world: World = req.world
    body = _body(req)
    name, label = body.get("name"), body.get("label")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise _validation("Property group 'name' is required: lower-case letters, digits "
                          "and underscores, starting with a letter.")
    if not isinstance(label, str) or not label.strip():
        raise _validation("Property group 'label' is required.")
    order = body.get("displayOrder", -1)
    if not isinstance(order, int) or isinstance(order, bool):
        raise _validation("'displayOrder' must be an integer.")
    with world.lock:
        if name in world.property_groups:
            raise HubSpotError(409, "CONFLICT",
                               f"A property group named '{name}' already exists.")
        group = world.add_property_group({"name": name, "label": label,
                                          "displayOrder": order})
        return Reply(201, dict(group))


def _property_from_input(world: World, data, now: str) -> dict:
    if not isinstance(data, dict):
        raise _validation("Each property must be a JSON object.")
    missing = [k for k in ("name", "label", "type", "fieldType", "groupName")
               if not isinstance(data.get(k), str) or not data.get(k)]
    if missing:
        raise _validation(f"Missing required field(s): {', '.join(missing)}.")
    name = data["name"]
    if not _NAME_RE.match(name):
        raise _validation(f"Invalid property name '{name}': use lower-case letters, digits "
                          "and underscores, starting with a letter.")
    if data["type"] not in PROPERTY_TYPES:
        raise _validation(f"Invalid type '{data['type']}' for property '{name}'.")
    if data["fieldType"] not in FIELD_TYPES:
        raise _validation(f"Invalid fieldType '{data['fieldType']}' for property '{name}'.")
    if data["groupName"] not in world.property_groups:
        raise _validation(f"Property group '{data['groupName']}' does not exist.")
    options = data.get("options") or []
    if not isinstance(options, list) or not all(
            isinstance(o, dict) and isinstance(o.get("value"), str) for o in options):
        raise _validation(f"Invalid options for property '{name}'.")
    return {
        "name": name,
        "label": data["label"],
        "type": data["type"],
        "fieldType": data["fieldType"],
        "groupName": data["groupName"],
        "description": str(data.get("description") or ""),
        "options": [
            {"label": str(o.get("label", o["value"])), "value": o["value"],
             "displayOrder": int(o.get("displayOrder", i)), "hidden": bool(o.get("hidden"))}
            for i, o in enumerate(options)
        ],
        "displayOrder": data.get("displayOrder", -1),
        "calculated": False,
        "externalOptions": False,
        "hasUniqueValue": bool(data.get("hasUniqueValue", False)),
        "hidden": bool(data.get("hidden", False)),
        "hubspotDefined": False,
        "modificationMetadata": {"archivable": True, "readOnlyDefinition": False,
                                 "readOnlyValue": False},
        "formField": bool(data.get("formField", False)),
        "dataSensitivity": "non_sensitive",
        "createdAt": now,
        "updatedAt": now,
        "archived": False,
    }


def _conflict(name: str) -> HubSpotError:
    return HubSpotError(409, "CONFLICT", f"Property named '{name}' already exists.")


def list_properties(req) -> Reply:
    world: World = req.world
    with world.lock:
        return Reply(200, {"results": [json.loads(json.dumps(p))
                                       for p in world.properties.values()]})


def get_property(req) -> Reply:
    world: World = req.world
    with world.lock:
        prop = world.properties.get(req.params["propertyName"])
        if prop is None:
            raise HubSpotError(404, "OBJECT_NOT_FOUND",
                               f"Property {req.params['propertyName']} does not exist")
        return Reply(200, json.loads(json.dumps(prop)))


def create_property(req) -> Reply:
    world: World = req.world
    body = _body(req)
    with world.lock:
        prop = _property_from_input(world, body, iso_ms(utcnow()))
        if prop["name"] in world.properties:
            raise _conflict(prop["name"])
        world.properties[prop["name"]] = prop
        return Reply(201, json.loads(json.dumps(prop)))


def batch_create_properties(req) -> Reply:
    world: World = req.world
    started = utcnow()
    inputs = _inputs(_body(req))
    with world.lock:
        now = iso_ms(started)
        props = [_property_from_input(world, data, now) for data in inputs]
        names = [p["name"] for p in props]
        for name in names:
            if name in world.properties:
                raise _conflict(name)
        if len(set(names)) != len(names):
            raise _validation("Duplicate property names in batch input.")
        for p in props:
            world.properties[p["name"]] = p
        results = [json.loads(json.dumps(p)) for p in props]
    return Reply(201, {"status": "COMPLETE", "results": results, **_batch_times(started)})


# --------------------------------------------------------------------------------------------
# contacts
# --------------------------------------------------------------------------------------------


def _value_error(name: str, code: str, message: str) -> dict:
    return {"isValid": False, "message": message, "error": code, "name": name,
            "localizedErrorMessage": message, "portalId": int(HUBSPOT_PORTAL_ID)}


def normalize_value(world: World, name: str, value):
    """(string value, error dict or None) for writing ``value`` into contact property."""
    prop = world.properties.get(name)
    if prop is None:
        return None, _value_error(name, "PROPERTY_DOESNT_EXIST",
                                  f'Property "{name}" does not exist')
    if name in READ_ONLY_PROPERTIES:
        return None, _value_error(name, "READ_ONLY_VALUE",
                                  f'"{name}" is a read only property; its value cannot be set.')
    if value is None:
        return "", None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = str(int(value)) if float(value).is_integer() else repr(float(value))
    elif isinstance(value, str):
        text = value
    else:
        return None, _value_error(name, "INVALID_VALUE",
                                  f'{json.dumps(value)} is not a valid value for "{name}"')
    if text == "":
        return "", None
    kind = prop["type"]
    if kind == "number":
        try:
            float(text)
        except ValueError:
            return None, _value_error(name, "INVALID_DOUBLE",
                                      f'{text} was not a valid number.')
    elif kind == "bool":
        if text.lower() not in ("true", "false"):
            return None, _value_error(name, "INVALID_BOOLEAN",
                                      f'{text} was not a valid boolean.')
        text = text.lower()
    elif kind in ("date", "datetime"):
        if not text.isdigit() and parse_iso(text) is None:
            return None, _value_error(name, "INVALID_DATE", f'{text} was not a valid date.')
    elif kind == "enumeration":
        allowed = {o["value"] for o in prop.get("options", [])}
        values = text.split(";") if prop["fieldType"] == "checkbox" else [text]
        bad = [v for v in values if v not in allowed]
        if bad:
            return None, _value_error(
                name, "INVALID_OPTION",
                f'{bad[0]} was not one of the allowed options: '
                f'[{", ".join(sorted(allowed))}]')
    return text, None


def _properties_error(errors: list) -> HubSpotError:
    return _validation(
        "Property values were not valid: " + json.dumps(errors),
        errors=[{"message": e["message"], "code": e["error"],
                 "context": {"propertyName": [e["name"]]}} for e in errors],
    )


def contact_json(contact, props: list[str] | None = None) -> dict:
    if props is None:
        properties = dict(contact.properties)
        for k in ("hs_object_id", "createdate", "lastmodifieddate"):
            properties[k] = contact.value(k)
    else:
        properties = {k: contact.value(k) for k in props}
    return {
        "id": str(contact.id),
        "properties": properties,
        "createdAt": iso_ms(contact.created_at),
        "updatedAt": iso_ms(contact.updated_at),
        "archived": False,
    }


def contacts_batch_read(req) -> Reply:
    world: World = req.world
    started = utcnow()
    body = _body(req)
    inputs = _inputs(body)
    id_prop = body.get("idProperty") or "hs_object_id"
    if id_prop not in ("email", "hs_object_id"):
        raise _validation(f"idProperty '{id_prop}' is not a unique identifier property.")
    requested = body.get("properties") or list(DEFAULT_READ_PROPERTIES)
    if not isinstance(requested, list) or not all(isinstance(p, str) for p in requested):
        raise _validation("'properties' must be a list of property names.")
    ids = []
    for item in inputs:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str | int) \
                or isinstance(item.get("id"), bool) or str(item.get("id")).strip() == "":
            raise _validation("Each input needs an 'id'.")
        ids.append(str(item["id"]).strip())
    with world.lock:
        names = [p for p in dict.fromkeys(requested) if p in world.properties]
        for extra in ("hs_object_id", "createdate", "lastmodifieddate"):
            if extra not in names:
                names.append(extra)
        results, missing, seen = [], [], set()
        for ref in ids:
            if id_prop == "email":
                contact = world.contact_by_email(ref)
            else:
                contact = world.contacts.get(int(ref)) if ref.isdigit() else None
            if contact is None:
                missing.append(ref)
            elif contact.id not in seen:
                seen.add(contact.id)
                results.append(contact_json(contact, names))
    data = {"status": "COMPLETE", "results": results}
    if missing:
        data["numErrors"] = 1
        data["errors"] = [{
            "status": "error",
            "category": "OBJECT_NOT_FOUND",
            "message": "Could not get some CONTACT objects, they may be deleted or not exist. "
                       "Check that ids are valid.",
            "context": {"ids": missing},
        }]
    data.update(_batch_times(started))
    return Reply(207 if missing else 200, data)


def contacts_batch_upsert(req) -> Reply:
    world: World = req.world
    started = utcnow()
    inputs = _inputs(_body(req))
    if not inputs:
        raise _validation("'inputs' must not be empty.")
    parsed, seen, dupes = [], set(), []
    for item in inputs:
        if not isinstance(item, dict):
            raise _validation("Each input must be a JSON object.")
        ref = item.get("id")
        if not isinstance(ref, str) or not ref.strip():
            raise _validation("Each input needs a string 'id'.")
        if item.get("idProperty") != "email":
            raise _validation(f"Unsupported idProperty {item.get('idProperty')!r}: this "
                              "sandbox upserts contacts by 'email'.")
        email = ref.strip().lower()
        if "@" not in email:
            raise _validation(f"Email address {ref} is invalid", errors=[
                {"message": f"Email address {ref} is invalid", "code": "INVALID_EMAIL"}])
        if email in seen:
            dupes.append(ref)
        seen.add(email)
        props = item.get("properties") if item.get("properties") is not None else {}
        if not isinstance(props, dict):
            raise _validation("'properties' must be a JSON object.")
        parsed.append((email, props))
    if dupes:
        raise _validation(f"Duplicate IDs found in batch input: {dupes}. IDs must be unique.")
    with world.lock:
        errors, normalized = [], []
        for email, props in parsed:
            values = {}
            for name, value in props.items():
                if name == "email":
                    continue  # the contact's e-mail is the id
                text, err = normalize_value(world, name, value)
                if err:
                    errors.append(err)
                else:
                    values[name] = text
            normalized.append((email, values))
        if errors:
            raise _properties_error(errors)
        now = utcnow()
        results = []
        for email, values in normalized:
            contact = world.contact_by_email(email)
            new = contact is None
            if new:
                contact = world.create_contact(email, values, when=now)
            else:
                changed = False
                for name, text in values.items():
                    if text == "":
                        if contact.properties.pop(name, None) is not None:
                            changed = True
                    elif contact.properties.get(name) != text:
                        contact.properties[name] = text
                        changed = True
                if changed:
                    contact.updated_at = now
            shown = {name: contact.properties.get(name, "") for name in values}
            shown["email"] = contact.properties.get("email", email)
            for k in ("hs_object_id", "createdate", "lastmodifieddate"):
                shown[k] = contact.value(k)
            results.append({"id": str(contact.id), "new": new, "properties": shown,
                            "createdAt": iso_ms(contact.created_at),
                            "updatedAt": iso_ms(contact.updated_at), "archived": False})
    return Reply(200, {"status": "COMPLETE", "results": results, **_batch_times(started)})


# --------------------------------------------------------------------------------------------
# marketing events
# --------------------------------------------------------------------------------------------


def event_json(ev: MarketingEvent, *, read: bool = False) -> dict:
    data = {
        "id": ev.object_id,
        "objectId": ev.object_id,
        "externalEventId": ev.external_event_id,
        "externalAccountId": ev.external_account_id,
        "eventName": ev.event_name,
        "eventType": ev.event_type,
        "eventOrganizer": ev.event_organizer,
        "eventDescription": ev.event_description,
        "eventUrl": ev.event_url,
        "startDateTime": iso_ms(ev.start),
        "endDateTime": iso_ms(ev.end),
        "eventCancelled": ev.cancelled,
        "eventCompleted": ev.completed,
        "customProperties": [dict(p) for p in ev.custom_properties],
        "createdAt": iso_ms(ev.created_at),
        "updatedAt": iso_ms(ev.updated_at),
    }
    if read:
        states: dict[str, set] = {}
        for rec in ev.attendance:
            states.setdefault(rec["email"], set()).add(rec["state"])
        registered = sum(1 for s in states.values() if "register" in s or "attend" in s)
        attended = sum(1 for s in states.values() if "attend" in s)
        cancelled = sum(1 for s in states.values() if "cancel" in s)
        data.update({
            "registrants": registered,
            "attendees": attended,
            "cancellations": cancelled,
            "noShows": max(0, registered - attended - cancelled) if ev.completed else 0,
        })
    return data


def _event_input(data, path_id: str | None = None) -> dict:
    if not isinstance(data, dict):
        raise _validation("Each marketing event must be a JSON object.")
    missing = [k for k in ("externalAccountId", "externalEventId", "eventName",
                           "eventOrganizer")
               if not isinstance(data.get(k), str) or not data.get(k).strip()]
    if missing:
        raise _validation(f"Missing required field(s): {', '.join(missing)}.")
    if path_id is not None and data["externalEventId"] != path_id:
        raise _validation(f"externalEventId in the body ({data['externalEventId']}) does not "
                          f"match the path ({path_id}).")
    clean = {k: data[k] for k in ("externalAccountId", "externalEventId", "eventName",
                                  "eventOrganizer")}
    for key in ("startDateTime", "endDateTime"):
        if data.get(key) is not None:
            dt = parse_iso(data[key])
            if dt is None:
                raise _validation(f"'{key}' is not a valid date-time: {data[key]!r}.")
            clean[key] = dt
    for key in ("eventType", "eventUrl", "eventDescription"):
        if data.get(key) is not None:
            if not isinstance(data[key], str):
                raise _validation(f"'{key}' must be a string.")
            clean[key] = data[key]
    for key in ("eventCancelled", "eventCompleted"):
        if data.get(key) is not None:
            if not isinstance(data[key], bool):
                raise _validation(f"'{key}' must be a boolean.")
            clean[key] = data[key]
    custom = data.get("customProperties")
    if custom is not None:
        if not isinstance(custom, list) or not all(isinstance(p, dict) for p in custom):
            raise _validation("'customProperties' must be a list of objects.")
        clean["customProperties"] = custom
    return clean


def _apply_event(world: World, clean: dict) -> MarketingEvent:
    key = (clean["externalAccountId"], clean["externalEventId"])
    ev = world.marketing_events.get(key)
    now = utcnow()
    if ev is None:
        ev = MarketingEvent(object_id=world.next_event_object_id(),
                            external_account_id=key[0], external_event_id=key[1])
        ev.created_at = now
        world.marketing_events[key] = ev
    ev.event_name = clean["eventName"]
    ev.event_organizer = clean["eventOrganizer"]
    ev.event_type = clean.get("eventType", ev.event_type)
    ev.event_url = clean.get("eventUrl", ev.event_url)
    ev.event_description = clean.get("eventDescription", ev.event_description)
    ev.start = clean.get("startDateTime", ev.start)
    ev.end = clean.get("endDateTime", ev.end)
    ev.cancelled = clean.get("eventCancelled", ev.cancelled)
    ev.completed = clean.get("eventCompleted", ev.completed)
    if "customProperties" in clean:
        ev.custom_properties = [dict(p) for p in clean["customProperties"]]
    ev.updated_at = now
    return ev


def _account_param(req) -> str:
    account = req.query.get("externalAccountId") or ""
    if not account:
        raise _validation("The query parameter 'externalAccountId' is required.")
    return account


def _event_or_404(world: World, account: str, external_id: str) -> MarketingEvent:
    ev = world.marketing_events.get((account, external_id))
    if ev is None:
        raise HubSpotError(404, "OBJECT_NOT_FOUND",
                           f"No marketing event found for externalAccountId={account} and "
                           f"externalEventId={external_id}.")
    return ev


def put_event(req) -> Reply:
    world: World = req.world
    clean = _event_input(_body(req), req.params["externalEventId"])
    with world.lock:
        return Reply(200, event_json(_apply_event(world, clean)))


def upsert_events(req) -> Reply:
    world: World = req.world
    started = utcnow()
    inputs = _inputs(_body(req))
    cleaned = [_event_input(item) for item in inputs]
    with world.lock:
        results = [event_json(_apply_event(world, c)) for c in cleaned]
    return Reply(200, {"status": "COMPLETE", "results": results, **_batch_times(started)})


def get_event(req) -> Reply:
    world: World = req.world
    account = _account_param(req)
    with world.lock:
        ev = _event_or_404(world, account, req.params["externalEventId"])
        return Reply(200, event_json(ev, read=True))


def complete_event(req) -> Reply:
    world: World = req.world
    account = _account_param(req)
    body = _body(req)
    times = {}
    for key in ("startDateTime", "endDateTime"):
        dt = parse_iso(body.get(key))
        if dt is None:
            raise _validation(f"'{key}' is required and must be a date-time.")
        times[key] = dt
    with world.lock:
        ev = _event_or_404(world, account, req.params["externalEventId"])
        ev.start, ev.end = times["startDateTime"], times["endDateTime"]
        ev.completed = True
        ev.updated_at = utcnow()
        return Reply(200, event_json(ev))


def attendance_email_create(req) -> Reply:
    world: World = req.world
    started = utcnow()
    state = req.params["subscriberState"]
    if state not in SUBSCRIBER_STATES:
        raise _validation(f"Invalid subscriberState '{state}': expected one of "
                          f"{', '.join(SUBSCRIBER_STATES)}.")
    account = _account_param(req)
    inputs = _inputs(_body(req))
    parsed = []
    for i, item in enumerate(inputs):
        if not isinstance(item, dict):
            raise _validation(f"inputs[{i}] must be a JSON object.")
        missing = [k for k in ("email", "interactionDateTime", "properties",
                               "contactProperties") if k not in item]
        if missing:
            raise _validation(f"inputs[{i}] is missing required field(s): "
                              f"{', '.join(missing)}.")
        email = item["email"]
        if not isinstance(email, str) or "@" not in email.strip():
            raise _validation(f"inputs[{i}].email is not a valid e-mail address.")
        when = item["interactionDateTime"]
        if not isinstance(when, int) or isinstance(when, bool):
            raise _validation(f"inputs[{i}].interactionDateTime must be epoch milliseconds "
                              "(an integer).")
        for key in ("properties", "contactProperties"):
            value = item[key]
            if not isinstance(value, dict):
                raise _validation(f"inputs[{i}].{key} must be a JSON object.")
            bad = [k for k, v in value.items() if not isinstance(v, str)]
            if bad:
                raise _validation(f"inputs[{i}].{key} values must be strings: "
                                  f"{', '.join(bad)}.")
        parsed.append((email.strip().lower(), when, item["properties"],
                       item["contactProperties"]))
    with world.lock:
        ev = _event_or_404(world, account, req.params["externalEventId"])
        errors = []
        for _email, _when, _props, contact_props in parsed:
            for name, value in contact_props.items():
                if name == "email":
                    continue
                _text, err = normalize_value(world, name, value)
                if err:
                    errors.append(err)
        if errors:
            raise _properties_error(errors)
        results = []
        for email, when, props, contact_props in parsed:
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
            })
            results.append({"vid": contact.id, "email": email})
        ev.updated_at = utcnow()
    return Reply(200, {"status": "COMPLETE", "results": results, **_batch_times(started)})


_EV = "/marketing/v3/marketing-events"

# (method, template, handler, needs bearer token)
ROUTES = [
    ("GET", "/crm/v3/properties/contacts/groups", list_groups, True),
    ("POST", "/crm/v3/properties/contacts/groups", create_group, True),
    ("GET", "/crm/v3/properties/contacts", list_properties, True),
    ("POST", "/crm/v3/properties/contacts", create_property, True),
    ("POST", "/crm/v3/properties/contacts/batch/create", batch_create_properties, True),
    ("GET", "/crm/v3/properties/contacts/{propertyName}", get_property, True),
    ("POST", "/crm/v3/objects/contacts/batch/read", contacts_batch_read, True),
    ("POST", "/crm/v3/objects/contacts/batch/upsert", contacts_batch_upsert, True),
    ("POST", _EV + "/events/upsert", upsert_events, True),
    ("PUT", _EV + "/events/{externalEventId}", put_event, True),
    ("GET", _EV + "/events/{externalEventId}", get_event, True),
    ("POST", _EV + "/events/{externalEventId}/complete", complete_event, True),
    ("POST", _EV + "/attendance/{externalEventId}/{subscriberState}/email-create",
     attendance_email_create, True),
]
