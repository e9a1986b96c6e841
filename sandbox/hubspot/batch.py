"""What HubSpot's batch endpoints share: body and ``inputs`` validation, 207 answers with
per-input errors, and the partial failures ``/_sandbox/faults`` injects."""

from __future__ import annotations

from ..common import HubSpotError, Reply, iso_ms
from ..world import World

BATCH_LIMIT = 100


def validation_error(message: str, **extra) -> HubSpotError:
    return HubSpotError(400, "VALIDATION_ERROR", message, **extra)


def object_body(req) -> dict:
    body = req.json()
    if not isinstance(body, dict):
        raise validation_error("Invalid input JSON: expected a JSON object.")
    return body


def email_is_malformed(email: str) -> bool:
    """What HubSpot refuses as a contact's e-mail (and with it the whole batch): whitespace
    inside it, or not one @ between a local part and a domain — "foo@", "@bar.com", "a@b@c",
    "spaces in@x.com". A quoted local part may hold an @."""
    local, at, domain = email.rpartition("@")
    quoted = len(local) > 1 and local.startswith('"') and local.endswith('"')
    return (not at or not local or not domain or ("@" in local and not quoted)
            or any(ch.isspace() for ch in email))


def batch_inputs(body: dict) -> list:
    inputs = body.get("inputs")
    if not isinstance(inputs, list):
        raise validation_error("Invalid input JSON: 'inputs' must be a list.")
    if len(inputs) > BATCH_LIMIT:
        raise validation_error(f"Batch size {len(inputs)} is greater than the limit of "
                               f"{BATCH_LIMIT} inputs.")
    return inputs


def batch_times(world: World, started) -> dict:
    return {"startedAt": iso_ms(started), "completedAt": iso_ms(world.now())}


def partial_category(world: World) -> str:
    return world.faults.as_dict().get("partial_category", "INTERNAL_ERROR")


def injected_failures(req, refs: list[str]) -> set[int]:
    """Indexes of inputs an injected partial fault makes fail (``partial_rate``)."""
    world: World = req.world
    failed = world.faults.failed_inputs("hubspot", len(refs), req.path)
    if failed:
        world.count_fault("partial")
    return failed


def partial_errors(world: World, refs: list[str], failed: set[int]) -> list[dict]:
    """One error per input an injected partial fault made fail, classified as configured."""
    category = partial_category(world)
    if category == "VALIDATION_ERROR":
        message = "Input {} was rejected: it is not valid for this object."
    else:
        message = "Internal error while processing input {}: it was not applied; retry it."
    return [batch_error(category, message.format(refs[i]), [refs[i]]) for i in sorted(failed)]


def batch_error(category: str, message: str, ids: list[str]) -> dict:
    """One entry of a batch answer's ``errors``, with every field HubSpot's StandardError
    requires."""
    return {"status": "error", "category": category, "message": message,
            "context": {"ids": list(ids)}, "errors": [], "links": {}}


def batch_reply(world: World, results: list, errors: list, started, *,
                multi_status: bool = True) -> Reply:
    """A batch answer; with errors it is a 207 where HubSpot documents one (the CRM object
    endpoints), else a 200 that lists them (the marketing-event endpoints)."""
    data = {"status": "COMPLETE", "results": results}
    if errors:
        data["numErrors"] = len(errors)
        data["errors"] = errors
    data.update(batch_times(world, started))
    return Reply(207 if errors and multi_status else 200, data)
