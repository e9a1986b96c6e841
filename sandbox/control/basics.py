"""Control basics: reset, seed, limits, faults, the clock, call counts, credentials and health."""

from __future__ import annotations

from ..common import ControlError, Reply, iso_ms
from ..credentials import credentials
from ..seeds import SCENARIOS, apply_seed
from ..world import World


def reset(req) -> Reply:
    """Empty world, no limits (default token lifetimes), no faults, no webhook targets or log,
    the clock on real time. Seeding keeps the last four."""
    req.world.reset()
    req.world.limits.clear()
    req.world.faults.clear()
    req.world.clock.reset()
    req.world.webhooks.clear()
    return Reply(200, {"ok": True})


def object_body(req) -> dict:
    body = req.json()
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise ControlError(400, "body must be a JSON object")
    return body


def known_keys_body(req, allowed: set[str]) -> dict:
    """The JSON object body, refused (400) when it has a key the endpoint does not know."""
    body = object_body(req)
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ControlError(400, f"unknown key(s): {', '.join(unknown)}; "
                                f"known: {', '.join(sorted(allowed))}")
    return body


def get_limits(req) -> Reply:
    return Reply(200, req.world.limits.as_dict())


def post_limits(req) -> Reply:
    try:
        req.world.limits.update(object_body(req))
    except ValueError as exc:
        raise ControlError(400, str(exc)) from exc
    return Reply(200, req.world.limits.as_dict())


def get_faults(req) -> Reply:
    return Reply(200, req.world.faults.as_dict())


def post_faults(req) -> Reply:
    try:
        req.world.faults.configure(object_body(req))
    except ValueError as exc:
        raise ControlError(400, str(exc)) from exc
    return Reply(200, req.world.faults.as_dict())


def clock_json(world: World) -> dict:
    return {"now": iso_ms(world.now()), "offset_s": world.clock.offset_s}


def get_clock(req) -> Reply:
    return Reply(200, clock_json(req.world))


def post_clock(req) -> Reply:
    """``{"advance_s": N}``: the sandbox's time moves N seconds forward (never back)."""
    body = object_body(req)
    unknown = sorted(set(body) - {"advance_s"})
    if unknown or "advance_s" not in body:
        raise ControlError(400, 'give {"advance_s": N} (seconds >= 0)')
    try:
        req.world.clock.advance(body["advance_s"])
    except ValueError as exc:
        raise ControlError(400, str(exc)) from exc
    return Reply(200, clock_json(req.world))


def seed(req) -> Reply:
    params = dict(object_body(req))
    scenario = params.pop("scenario", None)
    if scenario is None and not params:
        raise ControlError(400, f"give a 'scenario' ({', '.join(SCENARIOS)}) or bench sizes")
    try:
        result = apply_seed(req.world, scenario, **params)
    except (TypeError, ValueError) as exc:
        raise ControlError(400, str(exc)) from exc
    return Reply(200, result)


def calls(req) -> Reply:
    world: World = req.world
    with world.lock:
        return Reply(200, {
            "total": world.calls_total,
            "rate_limited": world.calls_rate_limited,
            "by_endpoint": dict(sorted(world.calls.items())),
            "rate_limited_by_endpoint": dict(sorted(world.calls_rate_limited_by.items())),
            "by_status": dict(sorted(world.calls_by_status.items())),
            "faults": dict(world.fault_counts),
        })


def calls_reset(req) -> Reply:
    req.world.reset_calls()
    return Reply(200, {"ok": True})


def get_credentials(req) -> Reply:
    return Reply(200, credentials())


def health(req) -> Reply:
    return Reply(200, {"ok": True, "url": req.world.base_url})
