"""The ``bench`` scenario: W webinars held yesterday, R approved registrants each, A of them
attended (a share rejoin once). Built for size: registrants and participant rows are made in
bulk, not one by one through the world."""

from __future__ import annotations

import base64
import random
from datetime import datetime, timedelta

from ..world import World
from ..zoom.models import Instance, Participant, Registrant, User, Webinar
from .ids import CQ_LEARN, HOST_EMAIL, zoom_id22, zoom_uuid

LENGTH_S = 3600
FIRST_USER_ID = 16_778_240


def seed_bench(world: World, rng: random.Random, *, webinars: int = 1,
               registrants: int = 100, attendees: int | None = None,
               attendance: float | None = None, rejoin_rate: float = 0.2,
               overlap: bool = True, **unknown) -> None:
    """W past webinars (each ended yesterday, 60 min), R approved registrants each, A attended.

    ``overlap=True``: the same people (``person{n}@bench.example``) register for every
    webinar; ``overlap=False``: webinar k has its own people ``w{k}.person{n}@bench.example``.
    """
    if unknown:
        raise ValueError(f"unknown bench parameters: {', '.join(sorted(unknown))}")
    webinars, registrants = int(webinars), int(registrants)
    if attendees is None:
        attendees = round(registrants * (0.7 if attendance is None else float(attendance)))
    attendees = max(0, min(int(attendees), registrants))
    base = world.now().replace(minute=0, second=0, microsecond=0)
    host = world.add_user(User(id=zoom_id22(rng), email=HOST_EMAIL, first_name="Maya",
                               last_name="Chen", dept="Marketing", pmi=5_551_234_567,
                               created_at=base - timedelta(days=400)))
    start = base - timedelta(days=1)
    user_id = FIRST_USER_ID
    for k in range(webinars):
        w = world.add_webinar(_webinar(rng, k, host, start))
        prefix = "" if overlap else f"w{k + 1}."
        regs = _registrants(rng, w, registrants, prefix, start)
        inst = Instance(uuid=w.uuid, webinar_id=w.id, start_time=start,
                        end_time=start + timedelta(minutes=60))
        world.add_instance(w, inst)
        inst.participants, user_id = _participant_rows(rng, regs, attendees, rejoin_rate,
                                                       start, user_id)


def _webinar(rng: random.Random, k: int, host: User, start: datetime) -> Webinar:
    return Webinar(id=90_000_000_001 + k, uuid=zoom_uuid(rng), host_id=host.id,
                   topic=f"Bench Webinar {k + 1}", type=5, start_time=start, duration=60,
                   timezone="UTC", agenda="Benchmark webinar",
                   created_at=start - timedelta(days=30), settings={"approval_type": 0},
                   password="123456", reg_token=zoom_id22(rng),
                   custom_questions=[{"title": CQ_LEARN, "type": "short", "required": False,
                                      "answers": []}])


def _registrants(rng: random.Random, w: Webinar, count: int, prefix: str,
                 start: datetime) -> list[Registrant]:
    # Filled in directly rather than through world.add_registrant: the same result, faster.
    getrandbits, randrange = rng.getrandbits, rng.randrange
    regs = []
    for n in range(1, count + 1):
        rid = base64.urlsafe_b64encode(getrandbits(128).to_bytes(16, "big")).decode()[:22]
        regs.append(Registrant(
            id=rid, email=f"{prefix}person{n}@bench.example", first_name="Person",
            last_name=str(n),
            create_time=start - timedelta(seconds=randrange(86400, 20 * 86400)),
            tk=f"{getrandbits(64):016x}"))
    w.registrants = regs
    w.reg_by_id = {r.id: r for r in regs}
    w.reg_by_email = {r.email: r for r in regs}
    w.buckets["approved"] = list(regs)
    return regs


def _participant_rows(rng: random.Random, regs: list[Registrant], attendees: int,
                      rejoin_rate: float, start: datetime, user_id: int
                      ) -> tuple[list[Participant], int]:
    """The rows of ``attendees`` people drawn from ``regs``, and the last user id used."""
    getrandbits, randrange, rand = rng.getrandbits, rng.randrange, rng.random
    rows = []
    for idx in sorted(rng.sample(range(len(regs)), attendees)):
        reg = regs[idx]
        pid = f"{getrandbits(96):024x}"
        name = f"Person {reg.last_name}"
        join = randrange(0, 600)
        if rand() < rejoin_rate:
            leave1 = join + randrange(120, 1200)
            join2 = leave1 + randrange(30, 600)
            leave2 = min(LENGTH_S, join2 + randrange(300, 2400))
            cycles = ((join, leave1), (join2, leave2))
        else:
            cycles = ((join, min(LENGTH_S, join + randrange(300, 3600))),)
        for a, b in cycles:
            user_id += 1
            rows.append(Participant(id=pid, name=name, user_id=str(user_id),
                                    registrant_id=reg.id, user_email=reg.email,
                                    join_time=start + timedelta(seconds=a),
                                    leave_time=start + timedelta(seconds=b)))
    rows.sort(key=lambda r: r.join_time)
    return rows, user_id
