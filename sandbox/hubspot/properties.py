"""HubSpot property groups and properties of contacts and of marketing events, and the check
of a value written into a contact property (by type, options and read-only rules)."""

from __future__ import annotations

import json
import re

from ..common import HubSpotError, Reply, iso_ms, parse_iso
from ..credentials import HUBSPOT_PORTAL_ID
from ..world import World
from .batch import batch_inputs, batch_times, object_body, validation_error
from .models import READ_ONLY_PROPERTIES

PROPERTY_TYPES = {"string", "number", "date", "datetime", "enumeration", "bool",
                  "phone_number"}
FIELD_TYPES = {"text", "textarea", "number", "select", "radio", "checkbox", "booleancheckbox",
               "date", "file", "calculation_equation", "phonenumber", "html"}
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,99}$")


def _definitions(req) -> tuple[dict, dict]:
    """(groups, properties) of the object type the route names."""
    world: World = req.world
    if req.template.startswith("/crm/v3/properties/marketing_events"):
        return world.event_property_groups, world.event_properties
    return world.property_groups, world.properties


def list_groups(req) -> Reply:
    world: World = req.world
    groups, _ = _definitions(req)
    with world.lock:
        return Reply(200, {"results": [dict(g) for g in groups.values()]})


def create_group(req) -> Reply:
    world: World = req.world
    body = object_body(req)
    name, label = body.get("name"), body.get("label")
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise validation_error("Property group 'name' is required: lower-case letters, digits "
                               "and underscores, starting with a letter.")
    if not isinstance(label, str) or not label.strip():
        raise validation_error("Property group 'label' is required.")
    order = body.get("displayOrder", -1)
    if not isinstance(order, int) or isinstance(order, bool):
        raise validation_error("'displayOrder' must be an integer.")
    groups, _ = _definitions(req)
    with world.lock:
        if name in groups:
            raise HubSpotError(409, "CONFLICT",
                               f"A property group named '{name}' already exists.")
        group = world.add_property_group({"name": name, "label": label,
                                          "displayOrder": order}, groups=groups)
        return Reply(201, dict(group))


def _property_from_input(groups: dict, data, now: str) -> dict:
    if not isinstance(data, dict):
        raise validation_error("Each property must be a JSON object.")
    missing = [k for k in ("name", "label", "type", "fieldType", "groupName")
               if not isinstance(data.get(k), str) or not data.get(k)]
    if missing:
        raise validation_error(f"Missing required field(s): {', '.join(missing)}.")
    name = data["name"]
    if not _NAME_RE.match(name):
        raise validation_error(f"Invalid property name '{name}': use lower-case letters, digits "
                               "and underscores, starting with a letter.")
    if data["type"] not in PROPERTY_TYPES:
        raise validation_error(f"Invalid type '{data['type']}' for property '{name}'.")
    if data["fieldType"] not in FIELD_TYPES:
        raise validation_error(f"Invalid fieldType '{data['fieldType']}' for property '{name}'.")
    if data["groupName"] not in groups:
        raise validation_error(f"Property group '{data['groupName']}' does not exist.")
    options = data.get("options") or []
    if not isinstance(options, list) or not all(
            isinstance(o, dict) and isinstance(o.get("value"), str) for o in options):
        raise validation_error(f"Invalid options for property '{name}'.")
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
    _, properties = _definitions(req)
    with world.lock:
        return Reply(200, {"results": [json.loads(json.dumps(p))
                                       for p in properties.values()]})


def get_property(req) -> Reply:
    world: World = req.world
    _, properties = _definitions(req)
    with world.lock:
        prop = properties.get(req.params["propertyName"])
        if prop is None:
            raise HubSpotError(404, "OBJECT_NOT_FOUND",
                               f"Property {req.params['propertyName']} does not exist")
        return Reply(200, json.loads(json.dumps(prop)))


def create_property(req) -> Reply:
    world: World = req.world
    body = object_body(req)
    groups, properties = _definitions(req)
    with world.lock:
        prop = _property_from_input(groups, body, iso_ms(world.now()))
        if prop["name"] in properties:
            raise _conflict(prop["name"])
        properties[prop["name"]] = prop
        return Reply(201, json.loads(json.dumps(prop)))


def batch_create_properties(req) -> Reply:
    world: World = req.world
    started = world.now()
    inputs = batch_inputs(object_body(req))
    groups, properties = _definitions(req)
    with world.lock:
        now = iso_ms(started)
        props = [_property_from_input(groups, data, now) for data in inputs]
        names = [p["name"] for p in props]
        for name in names:
            if name in properties:
                raise _conflict(name)
        if len(set(names)) != len(names):
            raise validation_error("Duplicate property names in batch input.")
        for p in props:
            properties[p["name"]] = p
        results = [json.loads(json.dumps(p)) for p in props]
    return Reply(201, {"status": "COMPLETE", "results": results, **batch_times(world, started)})


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


def properties_error(errors: list) -> HubSpotError:
    return validation_error(
        "Property values were not valid: " + json.dumps(errors),
        errors=[{"message": e["message"], "code": e["error"],
                 "context": {"propertyName": [e["name"]]}} for e in errors],
    )
