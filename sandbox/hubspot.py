"""HubSpot: OAuth (public app, auto-approved), contact properties, contacts batch read/upsert,
marketing events and attendance."""

from __future__ import annotations

import html
import json
import math
import re
import uuid
from urllib.parse import urlencode, urlsplit

from .common import HubSpotError, Reply, iso_ms, parse_iso, utcnow
from .tokens import HUBSPOT_ACCESS, HUBSPOT_REFRESH, TokenStore, make_token, parse_token
from .world import (
    HUBSPOT_APP_ID,
    HUBSPOT_CLIENT_ID,
    HUBSPOT_CLIENT_SECRET,
    HUBSPOT_DEFAULT_SCOPES,
    HUBSPOT_HUB_DOMAIN,
    HUBSPOT_PORTAL_ID,
    HUBSPOT_TOKEN,
    HUBSPOT_USER,
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


PRIVATE_APP_GROUP = f"publicapi:private-app:{HUBSPOT_PORTAL_ID}"
OAUTH_APP_GROUP = f"publicapi:oauth:{HUBSPOT_APP_ID}:{HUBSPOT_PORTAL_ID}"
_NO_AUTH = ("Authentication credentials not found. This API supports OAuth 2.0 authentication "
            "and you can find more details at "
            "https://developers.hubspot.com/docs/methods/auth/oauth-overview")


def check_auth(req) -> str:
    """The rate-limit group of the caller (private app or OAuth app), else a 401."""
    token = req.bearer()
    if token == HUBSPOT_TOKEN:
        return PRIVATE_APP_GROUP
    status, tok = req.world.tokens.check(token, (HUBSPOT_ACCESS,))
    if status == "ok":
        return OAUTH_APP_GROUP
    if status == "expired":
        ago = max(0, int(tok.expired_for_s()))
        raise HubSpotError(401, "EXPIRED_AUTHENTICATION",
                           f"The OAuth token used to make this call expired {ago} second(s) "
                           "ago.")
    raise HubSpotError(401, "INVALID_AUTHENTICATION", _NO_AUTH)


def rate_limit_group(token: str | None) -> str:
    return PRIVATE_APP_GROUP if token == HUBSPOT_TOKEN else OAUTH_APP_GROUP


# --------------------------------------------------------------------------------------------
# OAuth (public app): authorize, token, introspection, revocation
# --------------------------------------------------------------------------------------------

_OAUTH_MESSAGES = {
    "BAD_CLIENT_ID": "missing or unknown client_id",
    "BAD_CLIENT_SECRET": "client_secret does not match the client_id",
    "BAD_AUTH_CODE": "missing or unknown auth code",
    "BAD_REDIRECT_URI": "redirect_uri does not match the redirect_uri used to create the "
                        "auth code",
    "BAD_REFRESH_TOKEN": "missing or unknown refresh token",
    "BAD_GRANT_TYPE": "grant_type must be authorization_code or refresh_token",
}


def oauth_error(status: str, *, http_status: int = 400, error: str = "invalid_grant") -> Reply:
    message = _OAUTH_MESSAGES[status]
    return Reply(http_status, {"status": status, "message": message,
                               "correlationId": str(uuid.uuid4()), "error": error,
                               "error_description": message})


def _page(status: int, title: str, text: str) -> Reply:
    body = (f"<!doctype html><title>{html.escape(title)}</title><h1>{html.escape(title)}</h1>"
            f"<p>{html.escape(text)}</p>")
    return Reply(status, None, content_type="text/html; charset=utf-8",
                 raw=body.encode("utf-8"))


def oauth_authorize(req) -> Reply:
    """The user installs the app at once: 302 to ``redirect_uri`` with ``code`` and ``state``."""
    q = req.query
    if q.get("client_id") != HUBSPOT_CLIENT_ID:
        return _page(400, "Authorization failed", "Unknown client_id: the app does not exist.")
    redirect_uri = q.get("redirect_uri") or ""
    parts = urlsplit(redirect_uri)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.fragment:
        return _page(400, "Authorization failed", "Invalid redirect_uri.")
    scopes = [s for s in (q.get("scope") or "").replace("+", " ").split() if s]
    if not scopes:
        return _page(400, "Authorization failed", "The scope parameter is required.")
    optional = [s for s in (q.get("optional_scope") or "").replace("+", " ").split() if s]
    store: TokenStore = req.world.tokens
    grant = TokenStore.new_grant("h")
    scopes = list(dict.fromkeys(["oauth", *scopes, *optional]))
    with store.lock:
        store.grant_info[grant] = {"scopes": scopes}
    code = store.new_code(service="hubspot", client_id=HUBSPOT_CLIENT_ID,
                          redirect_uri=redirect_uri, grant=grant)
    params = {"code": code, "state": q.get("state")}
    query = urlencode({k: v for k, v in params.items() if v is not None})
    location = f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}"
    return Reply(302, None, headers={"Location": location},
                 content_type="text/html; charset=utf-8", raw=b"")


def _token_reply(world: World, grant: str, refresh: str | None = None) -> Reply:
    ttl = world.hubspot_token_ttl_s
    return Reply(200, {
        "token_type": "bearer",
        "refresh_token": refresh or make_token(HUBSPOT_REFRESH, grant, None),
        "access_token": make_token(HUBSPOT_ACCESS, grant, ttl),
        "expires_in": math.ceil(ttl),
    })


def oauth_token(req) -> Reply:
    world: World = req.world
    form = req.form()
    if form.get("client_id") != HUBSPOT_CLIENT_ID:
        return oauth_error("BAD_CLIENT_ID", error="invalid_client")
    if form.get("client_secret") != HUBSPOT_CLIENT_SECRET:
        return oauth_error("BAD_CLIENT_SECRET", error="invalid_client")
    store: TokenStore = world.tokens
    grant_type = form.get("grant_type")
    if grant_type == "authorization_code":
        code = form.get("code") or ""
        info = store.peek_code(code)
        if info is None or info["service"] != "hubspot":
            return oauth_error("BAD_AUTH_CODE")
        if form.get("redirect_uri") != info["redirect_uri"]:
            return oauth_error("BAD_REDIRECT_URI", error="invalid_request")
        if store.take_code(code) is None:
            return oauth_error("BAD_AUTH_CODE")
        return _token_reply(world, info["grant"])
    if grant_type == "refresh_token":
        raw = form.get("refresh_token")
        status, tok = store.check(raw, (HUBSPOT_REFRESH,))
        if status != "ok":
            return oauth_error("BAD_REFRESH_TOKEN")
        return _token_reply(world, tok.grant, refresh=raw)  # HubSpot: no rotation
    return oauth_error("BAD_GRANT_TYPE", error="unsupported_grant_type")


def _token_info(world: World, tok, kind: str) -> dict:
    with world.tokens.lock:
        info = world.tokens.grant_info.get(tok.grant) or {}
    data = {
        "token": tok.raw,
        "user": HUBSPOT_USER,
        "hub_domain": HUBSPOT_HUB_DOMAIN,
        "scopes": list(info.get("scopes") or HUBSPOT_DEFAULT_SCOPES),
        "hub_id": int(HUBSPOT_PORTAL_ID),
        "app_id": int(HUBSPOT_APP_ID),
    }
    if kind == "access":
        data["expires_in"] = tok.remaining_s()
    else:
        data["client_id"] = HUBSPOT_CLIENT_ID
    data.update({"user_id": 1, "token_type": kind})
    return data


def _token_not_found() -> HubSpotError:
    return HubSpotError(404, "OBJECT_NOT_FOUND", "Token not found or revoked")


def access_token_info(req) -> Reply:
    world: World = req.world
    status, tok = world.tokens.check(req.params["token"], (HUBSPOT_ACCESS,))
    if status == "expired":
        ago = max(0, int(tok.expired_for_s()))
        raise HubSpotError(401, "EXPIRED_AUTHENTICATION",
                           f"The OAuth token used to make this call expired {ago} second(s) "
                           "ago.")
    if status != "ok":
        raise _token_not_found()
    return Reply(200, _token_info(world, tok, "access"))


def refresh_token_info(req) -> Reply:
    world: World = req.world
    status, tok = world.tokens.check(req.params["token"], (HUBSPOT_REFRESH,))
    if status != "ok":
        raise _token_not_found()
    return Reply(200, _token_info(world, tok, "refresh"))


def refresh_token_delete(req) -> Reply:
    """Revokes the refresh token and every access token of its grant (uninstalls the app)."""
    world: World = req.world
    tok = parse_token(req.params["token"])
    if tok is None or tok.kind != HUBSPOT_REFRESH:
        raise _token_not_found()
    world.tokens.revoke_grant(tok.grant)
    return Reply(204, None)


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


def _partial_category(world: World) -> str:
    return world.faults.as_dict().get("partial_category", "INTERNAL_ERROR")


def _injected_failures(world: World, refs: list[str]) -> set[int]:
    """Indexes of inputs an injected partial fault makes fail (``partial_rate``)."""
    failed = world.faults.failed_inputs("hubspot", len(refs))
    if failed:
        world.count_fault("partial")
    return failed


def _partial_errors(refs: list[str], failed: set[int], category: str) -> list[dict]:
    if category == "VALIDATION_ERROR":
        message = "Input {} was rejected: it is not valid for this object."
    else:
        message = "Internal error while processing input {}: it was not applied; retry it."
    return [{"status": "error", "category": category, "message": message.format(refs[i]),
             "context": {"ids": [refs[i]]}} for i in sorted(failed)]


def _batch_reply(results: list, errors: list, started) -> Reply:
    data = {"status": "COMPLETE", "results": results}
    if errors:
        data["numErrors"] = len(errors)
        data["errors"] = errors
    data.update(_batch_times(started))
    return Reply(207 if errors else 200, data)


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


def list_contacts(req) -> Reply:
    """GET /crm/v3/objects/contacts: pages of at most 100, oldest first, cursor `after`."""
    world: World = req.world
    try:
        limit = int(req.query.get("limit") or 10)
        after = int(req.query.get("after") or 0)
    except ValueError:
        raise _validation("limit and after must be integers.") from None
    if not 1 <= limit <= 100:
        raise _validation(f"limit must be between 1 and 100, got {limit}.")
    props = [p for p in (req.query.get("properties") or "email,firstname,lastname").split(",")
             if p]
    with world.lock:
        ids = sorted(i for i in world.contacts if i > after)
        page = [world.contacts[i] for i in ids[:limit]]
        body = {"results": [contact_json(c, [*props, "hs_object_id", "createdate",
                                             "lastmodifieddate"]) for c in page]}
    if len(ids) > limit:
        next_after = str(page[-1].id)
        body["paging"] = {"next": {"after": next_after, "link": (
            f"{world.base_url}/hubspot/crm/v3/objects/contacts?after={next_after}")}}
    return Reply(200, body)


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
    failed = _injected_failures(world, ids)
    with world.lock:
        names = [p for p in dict.fromkeys(requested) if p in world.properties]
        for extra in ("hs_object_id", "createdate", "lastmodifieddate"):
            if extra not in names:
                names.append(extra)
        results, missing, seen = [], [], set()
        for i, ref in enumerate(ids):
            if i in failed:
                continue
            if id_prop == "email":
                contact = world.contact_by_email(ref)
            else:
                contact = world.contacts.get(int(ref)) if ref.isdigit() else None
            if contact is None:
                missing.append(ref)
            elif contact.id not in seen:
                seen.add(contact.id)
                results.append(contact_json(contact, names))
    errors = []
    if missing:
        errors.append({
            "status": "error",
            "category": "OBJECT_NOT_FOUND",
            "message": "Could not get some CONTACT objects, they may be deleted or not exist. "
                       "Check that ids are valid.",
            "context": {"ids": missing},
        })
    errors += _partial_errors(ids, failed, _partial_category(world))
    return _batch_reply(results, errors, started)


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
        refs = [str(item["id"]).strip() for item in inputs]
        failed = _injected_failures(world, refs)
        now = utcnow()
        results = []
        for i, (email, values) in enumerate(normalized):
            if i in failed:
                continue
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
    return _batch_reply(results, _partial_errors(refs, failed, _partial_category(world)), started)


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
        refs = [email for email, _w, _p, _c in parsed]
        failed = _injected_failures(world, refs)
        results = []
        for i, (email, when, props, contact_props) in enumerate(parsed):
            if i in failed:
                continue
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
    return _batch_reply(results, _partial_errors(refs, failed, _partial_category(world)), started)


_EV = "/marketing/v3/marketing-events"

# (method, template, handler, needs bearer token)
ROUTES = [
    ("GET", "/oauth/authorize", oauth_authorize, False),
    ("POST", "/oauth/v1/token", oauth_token, False),
    ("GET", "/oauth/v1/access-tokens/{token}", access_token_info, False),
    ("GET", "/oauth/v1/refresh-tokens/{token}", refresh_token_info, False),
    ("DELETE", "/oauth/v1/refresh-tokens/{token}", refresh_token_delete, False),
    ("GET", "/crm/v3/properties/contacts/groups", list_groups, True),
    ("POST", "/crm/v3/properties/contacts/groups", create_group, True),
    ("GET", "/crm/v3/properties/contacts", list_properties, True),
    ("POST", "/crm/v3/properties/contacts", create_property, True),
    ("POST", "/crm/v3/properties/contacts/batch/create", batch_create_properties, True),
    ("GET", "/crm/v3/properties/contacts/{propertyName}", get_property, True),
    ("GET", "/crm/v3/objects/contacts", list_contacts, True),
    ("POST", "/crm/v3/objects/contacts/batch/read", contacts_batch_read, True),
    ("POST", "/crm/v3/objects/contacts/batch/upsert", contacts_batch_upsert, True),
    ("POST", _EV + "/events/upsert", upsert_events, True),
    ("PUT", _EV + "/events/{externalEventId}", put_event, True),
    ("GET", _EV + "/events/{externalEventId}", get_event, True),
    ("POST", _EV + "/events/{externalEventId}/complete", complete_event, True),
    ("POST", _EV + "/attendance/{externalEventId}/{subscriberState}/email-create",
     attendance_email_create, True),
]
