"""Seed scenarios: ``demo`` (a small realistic account), ``bench`` (sized by parameters) and
``custom`` (an explicit world, as the product's tests write it), one module each.

Seeding resets the world first. For a given random seed the content is deterministic; times are
relative to "now".
"""

from __future__ import annotations

import random

from ..world import World
from .bench import seed_bench
from .custom import seed_custom
from .demo import seed_demo
from .ids import EXCLUDED_DOMAIN, HOST2_EMAIL, HOST_EMAIL

SCENARIOS = ("demo", "bench", "custom")

__all__ = ["EXCLUDED_DOMAIN", "HOST2_EMAIL", "HOST_EMAIL", "SCENARIOS", "apply_seed", "summary"]


def apply_seed(world: World, scenario: str | None = None, **params) -> dict:
    """Reset ``world`` and load a scenario; returns a small summary dict."""
    if scenario is None:
        scenario = "bench"
    if scenario not in SCENARIOS:
        raise ValueError(f"unknown scenario {scenario!r}; expected one of {SCENARIOS}")
    seed = params.pop("seed", 1)
    with world.lock:
        world.reset()
        rng = random.Random(seed)
        if scenario == "demo":
            seed_demo(world, rng)
        elif scenario == "custom":
            seed_custom(world, rng, **params)
        else:
            seed_bench(world, rng, **params)
        return summary(world, scenario, seed)


def summary(world: World, scenario: str, seed) -> dict:
    webinars = list(world.webinars.values())
    return {
        "scenario": scenario,
        "seed": seed,
        "users": len(world.users),
        "webinars": len(webinars),
        "webinar_ids": [w.id for w in webinars][:100],
        "registrants": sum(len(w.registrants) for w in webinars),
        "instances": sum(len(w.instances) for w in webinars),
        "participants": sum(len(i.participants) for w in webinars for i in w.instances),
        "contacts": len(world.contacts),
    }
