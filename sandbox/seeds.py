"""Seed scenarios: ``demo`` (a small realistic account) and ``bench`` (sized by parameters).

Seeding resets the world first. For a given random seed the content is deterministic; times are
relative to "now" (rounded down to the hour).
"""

from __future__ import annotations

import base64
import random
from datetime import datetime, timedelta

from .common import epoch_ms, parse_iso, utcnow
from .world import REGISTRANT_FIELDS, Instance, Participant, Registrant, User, Webinar, World

SCENARIOS = ("demo", "bench", "custom")

HOST_EMAIL = "host@sandbox.example"
HOST2_EMAIL = "webinars@sandbox.example"
EXCLUDED_DOMAIN = "competitor.example"

CQ_LEARN = "What do you hope to learn?"
CQ_HEAR = "How did you hear about this webinar?"
CQ_CRM = "Which CRM do you use today?"


# --------------------------------------------------------------------------------------------
# id helpers (all drawn from the seeded RNG)
# --------------------------------------------------------------------------------------------


def _b64(rng: random.Random, nbytes: int = 16) -> bytes:
    return rng.getrandbits(nbytes * 8).to_bytes(nbytes, "big")


def zoom_uuid(rng: random.Random) -> str:
    """A Zoom-style meeting/webinar UUID: 24 chars of standard base64, may contain + and /."""
    return base64.b64encode(_b64(rng)).decode()


def zoom_id22(rng: random.Random) -> str:
    """A Zoom-style 22-char user / registrant / participant id (url-safe base64)."""
    return base64.urlsafe_b64encode(_b64(rng)).decode().rstrip("=")


def _tk(rng: random.Random) -> str:
    return base64.urlsafe_b64encode(_b64(rng, 12)).decode()


def _occurrence(start: datetime, duration: int) -> dict:
    return {"occurrence_id": str(epoch_ms(start)), "start_time": start,
            "duration": duration, "status": "available"}


def _zoom_weekday(dt: datetime) -> str:
    # Zoom: 1 = Sunday ... 7 = Saturday
    return str(dt.isoweekday() % 7 + 1)


# --------------------------------------------------------------------------------------------
# entry point
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# demo
# --------------------------------------------------------------------------------------------

_FIRST = ["Avery", "Hannah", "Mateo", "Kenji", "Fatima", "Lucas", "Chloe", "Diego", "Amara",
          "Noah", "Ingrid", "Ravi", "Elena", "Samuel", "Aisha", "Tobias", "Leila", "Mei",
          "Zara", "Hugo", "Maya", "Caleb", "Nadia", "Oscar", "Ruth", "Theo", "Vera", "Wes",
          "Jonas", "Keira", "Liam", "Paula"]
_LAST = ["Johnson", "Schmidt", "Alvarez", "Nakamura", "Rahman", "Martin", "Dubois", "Fernandez",
         "Okoye", "Williams", "Berg", "Sharma", "Popescu", "Cohen", "Bello", "Fischer",
         "Haddad", "Zhang", "Ahmed", "Laurent", "Costa", "Brennan", "Petrova", "Lindgren",
         "Moyo", "Kowalski", "Novak", "Price", "Quinn", "Reyes", "Silva", "Turner"]
_COMPANIES = [
    ("Northwind Traders", "northwind.example", "Retail", "251-500"),
    ("Contoso Ltd", "contoso.example", "Software", "1,001-5,000"),
    ("Fabrikam", "fabrikam.example", "Manufacturing", "501-1,000"),
    ("Globex", "globex.example", "Energy", "5,001-10,000"),
    ("Initech", "initech.example", "Software", "101-250"),
    ("Umbrella Health", "umbrella.example", "Healthcare", "More than 10,000"),
    ("Tailspin Toys", "tailspin.example", "Consumer Goods", "51-100"),
    ("Woodgrove Bank", "woodgrove.example", "Financial Services", "1,001-5,000"),
    ("Lamna Healthcare", "lamna.example", "Healthcare", "251-500"),
    ("Acme Corp", "acme.example", "Manufacturing", "21-50"),
    ("Stark Logistics", "stark.example", "Logistics", "501-1,000"),
    ("Bluebird Analytics", "bluebird.example", "Consulting", "1-20"),
]
_TITLES = ["Marketing Manager", "VP Marketing", "Demand Generation Lead",
           "Marketing Operations Specialist", "Sales Director", "Revenue Operations Manager",
           "CMO", "Growth Marketer", "Product Marketing Manager", "Account Executive",
           "Customer Success Manager", "Data Analyst"]
_CITIES = [("Boston", "MA", "US", "02110"), ("Austin", "TX", "US", "73301"),
           ("Seattle", "WA", "US", "98101"), ("Chicago", "IL", "US", "60601"),
           ("Toronto", "ON", "CA", "M5H 2N2"), ("London", "", "GB", "EC1A 1BB"),
           ("Berlin", "", "DE", "10115"), ("Sydney", "NSW", "AU", "2000"),
           ("Denver", "CO", "US", "80202"), ("Dublin", "", "IE", "D02 X285")]
_LEARN = ["How to automate our webinar follow-up", "Best practices for lead scoring",
          "Reducing churn in the first 90 days", "Attribution that sales trusts",
          "What's on the roadmap", "Tips for our HubSpot rollout", "Benchmarks from peers",
          "How other teams structure their funnel"]
_HEAR = ["LinkedIn", "Newsletter", "Colleague", "Search", "Event"]
_TIMEFRAMES = ["Within a month", "1-3 months", "4-6 months", "More than 6 months",
               "No timeframe"]
_ROLES = ["Decision Maker", "Evaluator/Recommender", "Influencer", "Not involved"]


class _Person:
    def __init__(self, email, first, last, company, fields):
        self.email = email
        self.first = first
        self.last = last
        self.company = company
        self.fields = fields


def _person(rng, first, last, company_idx=None, email=None) -> _Person:
    company = _COMPANIES[company_idx if company_idx is not None
                         else rng.randrange(len(_COMPANIES))]
    city, state, country, zip_code = rng.choice(_CITIES)
    fields = {
        "org": company[0],
        "job_title": rng.choice(_TITLES),
        "industry": company[2],
        "no_of_employees": company[3],
        "city": city,
        "state": state,
        "country": country,
        "zip": zip_code,
        "phone": f"+1 555 01{rng.randrange(100):02d}",
        "purchasing_time_frame": rng.choice(_TIMEFRAMES),
        "role_in_purchase_process": rng.choice(_ROLES),
    }
    if rng.random() < 0.4:
        fields["address"] = f"{rng.randrange(10, 999)} {rng.choice(['Main', 'Oak', 'Pine'])} St"
    if rng.random() < 0.25:
        fields["comments"] = "Looking forward to it!"
    fields = {k: v for k, v in fields.items() if v}
    email = email or f"{first}.{last}@{company[1]}".lower()
    return _Person(email, first, last, company, fields)


def seed_demo(world: World, rng: random.Random) -> None:
    now = utcnow()
    base = now.replace(minute=0, second=0, microsecond=0)

    maya = world.add_user(User(id=zoom_id22(rng), email=HOST_EMAIL, first_name="Maya",
                               last_name="Chen", dept="Marketing", timezone="America/New_York",
                               pmi=5_551_234_567, created_at=base - timedelta(days=400),
                               last_login_time=base - timedelta(hours=3)))
    tom = world.add_user(User(id=zoom_id22(rng), email=HOST2_EMAIL, first_name="Tom",
                              last_name="Rivera", dept="Product Marketing",
                              timezone="Europe/London", pmi=5_559_876_543,
                              created_at=base - timedelta(days=300),
                              last_login_time=base - timedelta(days=1)))

    # ---------------------------------------------------------------- people
    pool: list[_Person] = []
    seen = set()
    for i in range(40):
        first = _FIRST[i % len(_FIRST)]
        last = _LAST[(i * 7 + i // len(_FIRST)) % len(_LAST)]
        p = _person(rng, first, last)
        if p.email not in seen:
            seen.add(p.email)
            pool.append(p)

    special = {
        "jordan": _person(rng, "Jordan", "Blake", 0),  # pre-existing HubSpot contact
        "priya": _person(rng, "Priya", "Natarajan", 3),  # pre-existing HubSpot contact
        "alex": _person(rng, "Alex", "Morgan", email="alex.morgan@competitor.example"),
        "dana": _person(rng, "Dana", "Kim", 1),  # rejoins 3x (webinar 3)
        "lee": _person(rng, "Lee", "Wong", 2),  # rejoins 2x (webinar 4)
        "marcus": _person(rng, "Marcus", "Reed", 9),  # rejoins 2x (recurring, 1st)
        "olivia": _person(rng, "Olivia", "Park", 5, email="Olivia.Park@Umbrella.example"),
        "sofia": _person(rng, "Sofia", "Rossi", 7),  # attends w4 without registrant_id
        "chris": _person(rng, "Chris", "Evans", 10),  # cancelled w3
        "nora": _person(rng, "Nora", "Lindqvist", 9),  # cancelled w1
        "isaac": _person(rng, "Isaac", "Newman", 4),  # cancelled recurring
        "ben": _person(rng, "Ben", "Carter", 6),  # pending w1
        "yuki": _person(rng, "Yuki", "Tanaka", 8),  # pending w1
        "omar": _person(rng, "Omar", "Haddad", 7),  # pending w1
        "grace": _person(rng, "Grace", "Liu", 1),  # pending w2
        "felix": _person(rng, "Felix", "Wagner", 2),  # pending w2
        "tester": _person(rng, "Test", "User", email="test.user@tempmail.example"),  # denied w1
    }
    special["alex"].fields["org"] = "Competitor Inc"
    special["tester"].fields = {}

    def questions(extra_crm: bool = False) -> list[dict]:
        qs = [{"title": CQ_LEARN, "type": "short", "required": False, "answers": []},
              {"title": CQ_HEAR, "type": "single_dropdown", "required": True,
               "answers": list(_HEAR)}]
        if extra_crm:
            qs.append({"title": CQ_CRM, "type": "single_radio", "required": False,
                       "answers": ["HubSpot", "Salesforce", "Other"]})
        return qs

    def answers(w: Webinar) -> list[dict]:
        out = []
        for q in w.custom_questions:
            if q["title"] == CQ_LEARN:
                if rng.random() < 0.8:
                    out.append({"title": CQ_LEARN, "value": rng.choice(_LEARN)})
            elif q["answers"]:
                out.append({"title": q["title"], "value": rng.choice(q["answers"])})
        return out

    def register(w: Webinar, p: _Person, status: str = "approved", *, before: datetime
                 ) -> Registrant:
        reg = Registrant(
            id=zoom_id22(rng), email=p.email, first_name=p.first, last_name=p.last,
            fields=dict(p.fields) or None, custom_questions=answers(w) or None,
            status=status,
            create_time=before - timedelta(days=rng.randrange(1, 15),
                                           minutes=rng.randrange(0, 1440)),
            tk=_tk(rng))
        return world.add_registrant(w, reg)

    def webinar(wid, topic, host, start, duration, *, agenda, settings, tz, extra_crm=False,
                type_=5, recurrence=None, occurrences=None) -> Webinar:
        w = Webinar(id=wid, uuid=zoom_uuid(rng), host_id=host.id, topic=topic, type=type_,
                    start_time=start, duration=duration, timezone=tz, agenda=agenda,
                    created_at=min(start, now) - timedelta(days=30), settings=settings,
                    recurrence=recurrence, occurrences=occurrences,
                    password=f"{rng.randrange(100000, 999999)}", reg_token=zoom_id22(rng),
                    custom_questions=questions(extra_crm))
        return world.add_webinar(w)

    user_ids = iter(range(16_778_240, 16_900_000))

    def attend(inst: Instance, w: Webinar, p: _Person | None, cycles, *, reg_id=None,
               name=None, email=None, pid=None, internal=False) -> None:
        """Add one participant row per (join offset min, leave offset min) in ``cycles``."""
        if p is not None:
            reg = w.reg_by_email[p.email.lower()]
            reg_id = reg.id if reg_id is None else reg_id
            name = name or f"{p.first} {p.last}"
            email = p.email if email is None else email
        pid = zoom_id22(rng) if pid is None else pid
        for join_m, leave_m in cycles:
            join = inst.start_time + timedelta(minutes=join_m, seconds=rng.randrange(60))
            leave = min(inst.end_time,
                        inst.start_time + timedelta(minutes=leave_m, seconds=rng.randrange(60)))
            inst.participants.append(Participant(
                id=pid, name=name, user_id=str(next(user_ids)), registrant_id=reg_id or "",
                user_email=email or "", join_time=join, leave_time=leave,
                internal_user=internal))

    def attend_random(inst: Instance, w: Webinar, people: list[_Person], length: int) -> None:
        for p in people:
            join_m = rng.choice([0, 0, 1, 2, 3, 5, 8, 12])
            leave_m = rng.choice([length, length, length - 5, length // 2 + 5, length - 15])
            attend(inst, w, p, [(join_m, max(join_m + 3, leave_m))])

    def finish(inst: Instance) -> None:
        inst.participants.sort(key=lambda r: r.join_time)

    # ---------------------------------------------------------------- w1 upcoming
    s1 = base + timedelta(days=7, hours=2)
    w1 = webinar(81_234_567_001, "Product Roadmap Live: What's Coming Next", maya, s1, 60,
                 agenda="Our product team walks through the next two quarters.",
                 settings={"approval_type": 1, "registrants_confirmation_email": False},
                 tz="America/New_York")
    for p in rng.sample(pool, 22) + [special["olivia"]]:
        register(w1, p, before=now)
    for key in ("ben", "yuki", "omar"):
        register(w1, special[key], "pending", before=now)
    register(w1, special["tester"], "denied", before=now)
    register(w1, special["nora"], "cancelled", before=now)

    # ---------------------------------------------------------------- w2 upcoming
    s2 = base + timedelta(days=14, hours=4)
    w2 = webinar(81_234_567_002, "Hands-on Workshop: Automating Lead Scoring in HubSpot", tom,
                 s2, 90, agenda="Bring your portal: we build a scoring model together.",
                 settings={"approval_type": 1, "registrants_restrict_number": 100},
                 tz="Europe/London")
    for p in rng.sample(pool, 18) + [special["priya"]]:
        register(w2, p, before=now)
    for key in ("grace", "felix"):
        register(w2, special[key], "pending", before=now)
    register(w2, special["alex"], "denied", before=now)

    # ---------------------------------------------------------------- w3 past (5 days ago)
    s3 = base - timedelta(days=5, hours=2)
    w3 = webinar(81_234_567_003, "Customer Success Playbook: Reducing Churn in 90 Days", maya,
                 s3, 60, agenda="Onboarding, health scores and renewal plays that work.",
                 settings={"approval_type": 0}, tz="America/New_York")
    w3_pool = rng.sample(pool, 24)
    for p in w3_pool:
        register(w3, p, before=s3)
    for key in ("jordan", "alex", "dana", "olivia"):
        register(w3, special[key], before=s3)
    register(w3, special["chris"], "cancelled", before=s3)
    i3 = world.add_instance(w3, Instance(uuid=w3.uuid, webinar_id=w3.id,
                                         start_time=s3 + timedelta(minutes=1),
                                         end_time=s3 + timedelta(minutes=63)))
    attend(i3, w3, None, [(0, 62)], reg_id="", name="Maya Chen", email=HOST_EMAIL,
           pid=maya.id, internal=True)
    attend_random(i3, w3, w3_pool[:16], 62)
    attend(i3, w3, special["jordan"], [(2, 30), (33, 61)])
    attend(i3, w3, special["alex"], [(4, 58)])
    attend(i3, w3, special["dana"], [(1, 12), (14, 35), (40, 62)])
    attend(i3, w3, special["olivia"], [(6, 50)])
    attend(i3, w3, None, [(9, 41)], reg_id="", name="Call-in User 1", email="", pid="")
    finish(i3)

    # ---------------------------------------------------------------- w4 past (12 days ago)
    s4 = base - timedelta(days=12, hours=5)
    w4 = webinar(81_234_567_004, "Marketing Ops Office Hours: Attribution Deep Dive", tom, s4,
                 45, agenda="Multi-touch attribution, UTM hygiene and reporting.",
                 settings={"approval_type": 0, "registrants_email_notification": False},
                 tz="Europe/London", extra_crm=True)
    w4_pool = rng.sample(pool, 20)
    for p in w4_pool:
        register(w4, p, before=s4)
    for key in ("priya", "lee", "sofia"):
        register(w4, special[key], before=s4)
    i4 = world.add_instance(w4, Instance(uuid=w4.uuid, webinar_id=w4.id,
                                         start_time=s4 + timedelta(minutes=2),
                                         end_time=s4 + timedelta(minutes=49)))
    attend(i4, w4, None, [(0, 47)], reg_id="", name="Tom Rivera", email=HOST2_EMAIL,
           pid=tom.id, internal=True)
    attend_random(i4, w4, w4_pool[:13], 47)
    attend(i4, w4, special["priya"], [(1, 45)])
    attend(i4, w4, special["lee"], [(3, 20), (24, 46)])
    attend(i4, w4, special["sofia"], [(5, 40)], reg_id="")  # joined without her personal link
    finish(i4)

    # ---------------------------------------------------------------- w5 recurring
    first = base - timedelta(days=14, hours=1)
    starts = [first, first + timedelta(days=7), first + timedelta(days=21)]
    occurrences = [_occurrence(s, 30) for s in starts]
    w5 = webinar(81_234_567_005, "Weekly Platform Demo & Live Q&A", maya, first, 30,
                 agenda="A 30-minute tour of the platform with open Q&A.",
                 settings={"approval_type": 0, "registration_type": 1}, tz="America/New_York",
                 type_=9,
                 recurrence={"type": 2, "repeat_interval": 1,
                             "weekly_days": _zoom_weekday(first), "end_times": 3},
                 occurrences=occurrences)
    w5_pool = rng.sample(pool, 22)
    for p in w5_pool:
        register(w5, p, before=first)
    for key in ("jordan", "marcus", "olivia"):
        register(w5, special[key], before=first)
    register(w5, special["isaac"], "cancelled", before=first)
    u1 = zoom_uuid(rng)
    u2 = zoom_uuid(rng)
    uuid_a = "/" + u1[1:]  # starts with "/": must be double-encoded in a path
    uuid_b = u2[:6] + "//" + u2[8:]  # contains "//": must be double-encoded too
    i5a = world.add_instance(w5, Instance(uuid=uuid_a, webinar_id=w5.id,
                                          start_time=starts[0], end_time=starts[0]
                                          + timedelta(minutes=31),
                                          occurrence_id=occurrences[0]["occurrence_id"]))
    i5b = world.add_instance(w5, Instance(uuid=uuid_b, webinar_id=w5.id,
                                          start_time=starts[1] + timedelta(minutes=1),
                                          end_time=starts[1] + timedelta(minutes=33),
                                          occurrence_id=occurrences[1]["occurrence_id"]))
    for inst in (i5a, i5b):
        attend(inst, w5, None, [(0, 30)], reg_id="", name="Maya Chen", email=HOST_EMAIL,
               pid=maya.id, internal=True)
    attend_random(i5a, w5, w5_pool[:12], 30)
    attend(i5a, w5, special["jordan"], [(0, 29)])
    attend(i5a, w5, special["marcus"], [(2, 10), (12, 30)])
    attend(i5a, w5, None, [(3, 25)], reg_id="", name="Guest - Conference Room", email="",
           pid="")
    attend_random(i5b, w5, w5_pool[6:16], 31)
    attend(i5b, w5, special["olivia"], [(1, 31)])
    attend(i5b, w5, special["marcus"], [(0, 28)])
    finish(i5a)
    finish(i5b)

    # ---------------------------------------------------------------- HubSpot side
    created = base - timedelta(days=200)
    world.create_contact(special["jordan"].email, {
        "firstname": "Jordy", "lastname": "Blake-Whitman", "company": "Northwind Traders",
        "jobtitle": "Director of Marketing", "lifecyclestage": "customer"}, when=created)
    world.create_contact(special["priya"].email, {
        "firstname": "Priya", "lastname": "Natarajan-Iyer", "company": "Globex",
        "lifecyclestage": "lead"}, when=created + timedelta(days=30))
    world.create_contact("sam.okafor@initech.example", {
        "firstname": "Sam", "lastname": "Okafor", "company": "Initech",
        "lifecyclestage": "subscriber"}, when=created + timedelta(days=60))

    # ---------------------------------------------------------------- older, expired webinars
    # Held 60 and 85 days ago: no longer listed by GET /users/{id}/webinars (Zoom lists only
    # unexpired webinars), but GET /webinars/{id}, /past_webinars/... and /report/... still
    # answer, and GET /report/history_meetings finds them: what a backfill is for.
    # (Drawn from the RNG after everything above, so the rest of the demo is unchanged.)
    s6 = base - timedelta(days=60, hours=3)
    w6 = webinar(81_234_567_006, "Spring Launch Recap: Everything We Shipped", maya, s6, 60,
                 agenda="A walk through the spring release, with customer stories.",
                 settings={"approval_type": 0}, tz="America/New_York")
    w6_pool = rng.sample(pool, 18)
    for p in w6_pool:
        register(w6, p, before=s6)
    for key in ("jordan", "dana"):
        register(w6, special[key], before=s6)
    i6 = world.add_instance(w6, Instance(uuid=w6.uuid, webinar_id=w6.id,
                                         start_time=s6 + timedelta(minutes=1),
                                         end_time=s6 + timedelta(minutes=58)))
    attend(i6, w6, None, [(0, 57)], reg_id="", name="Maya Chen", email=HOST_EMAIL,
           pid=maya.id, internal=True)
    attend_random(i6, w6, w6_pool[:11], 57)
    attend(i6, w6, special["jordan"], [(3, 25), (27, 55)])
    attend(i6, w6, None, [(10, 30)], reg_id="", name="Call-in User 2", email="", pid="")
    finish(i6)

    s7 = base - timedelta(days=85, hours=6)
    w7 = webinar(81_234_567_007, "Benchmark Report Live: How Top Teams Run Webinars", tom, s7,
                 45, agenda="Fresh numbers on registration, attendance and follow-up.",
                 settings={"approval_type": 0}, tz="Europe/London", extra_crm=True)
    w7_pool = rng.sample(pool, 20)
    for p in w7_pool:
        register(w7, p, before=s7)
    register(w7, special["priya"], before=s7)
    register(w7, special["chris"], "cancelled", before=s7)
    i7 = world.add_instance(w7, Instance(uuid=w7.uuid, webinar_id=w7.id,
                                         start_time=s7 + timedelta(minutes=2),
                                         end_time=s7 + timedelta(minutes=48)))
    attend(i7, w7, None, [(0, 46)], reg_id="", name="Tom Rivera", email=HOST2_EMAIL,
           pid=tom.id, internal=True)
    attend_random(i7, w7, w7_pool[:12], 46)
    attend(i7, w7, special["priya"], [(2, 44)])
    finish(i7)


# --------------------------------------------------------------------------------------------
# bench
# --------------------------------------------------------------------------------------------


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
    now = utcnow()
    base = now.replace(minute=0, second=0, microsecond=0)
    host = world.add_user(User(id=zoom_id22(rng), email=HOST_EMAIL, first_name="Maya",
                               last_name="Chen", dept="Marketing", pmi=5_551_234_567,
                               created_at=base - timedelta(days=400)))
    start = base - timedelta(days=1)
    end = start + timedelta(minutes=60)
    length_s = 3600
    user_id = 16_778_240
    getrandbits, randrange, rand = rng.getrandbits, rng.randrange, rng.random
    for k in range(webinars):
        w = Webinar(id=90_000_000_001 + k, uuid=zoom_uuid(rng), host_id=host.id,
                    topic=f"Bench Webinar {k + 1}", type=5, start_time=start, duration=60,
                    timezone="UTC", agenda="Benchmark webinar",
                    created_at=start - timedelta(days=30), settings={"approval_type": 0},
                    password="123456", reg_token=zoom_id22(rng),
                    custom_questions=[{"title": CQ_LEARN, "type": "short", "required": False,
                                       "answers": []}])
        world.add_webinar(w)
        prefix = "" if overlap else f"w{k + 1}."
        regs = []
        for n in range(1, registrants + 1):
            rid = base64.urlsafe_b64encode(getrandbits(128).to_bytes(16, "big")
                                           ).decode()[:22]
            reg = Registrant(id=rid, email=f"{prefix}person{n}@bench.example",
                             first_name="Person", last_name=str(n),
                             create_time=start - timedelta(seconds=randrange(86400,
                                                                             20 * 86400)),
                             tk=f"{getrandbits(64):016x}")
            regs.append(reg)
        w.registrants = regs
        w.reg_by_id = {r.id: r for r in regs}
        w.reg_by_email = {r.email: r for r in regs}
        w.buckets["approved"] = list(regs)
        inst = Instance(uuid=w.uuid, webinar_id=w.id, start_time=start, end_time=end)
        world.add_instance(w, inst)
        rows = []
        for idx in sorted(rng.sample(range(registrants), attendees)):
            reg = regs[idx]
            pid = f"{getrandbits(96):024x}"
            name = f"Person {reg.last_name}"
            join = randrange(0, 600)
            if rand() < rejoin_rate:
                leave1 = join + randrange(120, 1200)
                join2 = leave1 + randrange(30, 600)
                leave2 = min(length_s, join2 + randrange(300, 2400))
                cycles = ((join, leave1), (join2, leave2))
            else:
                cycles = ((join, min(length_s, join + randrange(300, 3600))),)
            for a, b in cycles:
                user_id += 1
                rows.append(Participant(id=pid, name=name, user_id=str(user_id),
                                        registrant_id=reg.id, user_email=reg.email,
                                        join_time=start + timedelta(seconds=a),
                                        leave_time=start + timedelta(seconds=b)))
        rows.sort(key=lambda r: r.join_time)
        inst.participants = rows


# --------------------------------------------------------------------------------------------
# custom (explicit worlds, used by the product's tests)
# --------------------------------------------------------------------------------------------


def _dt(value, what: str) -> datetime:
    dt = parse_iso(value)
    if dt is None:
        raise ValueError(f"{what}: not an ISO-8601 date-time: {value!r}")
    return dt


def seed_custom(world: World, rng: random.Random, *, users=None, webinars=None, hubspot=None,
                **unknown) -> None:
    """Load an explicit world.

    ``{"users": [{"id", "email", "first_name", "last_name"}],
       "webinars": [{"id", "topic", "type", "start_time", "duration", "host_id", "uuid"?,
                     "settings"?, "occurrences"?, "recurrence"?,
                     "registrants": [{"email", "first_name", "last_name", "status",
                                      "create_time", "id"?, <standard fields>,
                                      "custom_questions"}],
                     "instances": [{"uuid", "start_time", "end_time",
                                    "participants": [{"join_time", "leave_time",
                                                      "registrant_email" | "registrant_id",
                                                      "user_email", "name"}]}]}],
       "hubspot": {"contacts": [{"email", "properties": {...}}]}}``
    """
    if unknown:
        raise ValueError(f"unknown custom-world keys: {', '.join(sorted(unknown))}")
    now = utcnow()
    for i, u in enumerate(users or []):
        if not isinstance(u, dict) or not u.get("email"):
            raise ValueError(f"users[{i}] needs an email")
        world.add_user(User(id=str(u.get("id") or zoom_id22(rng)), email=u["email"],
                            first_name=u.get("first_name", ""),
                            last_name=u.get("last_name", ""), dept=u.get("dept", ""),
                            timezone=u.get("timezone", "UTC"),
                            pmi=int(u.get("pmi", 5_550_000_000 + i)),
                            type=int(u.get("type", 2)),
                            created_at=now - timedelta(days=365)))
    if not world.users:
        world.add_user(User(id=zoom_id22(rng), email=HOST_EMAIL, first_name="Maya",
                            last_name="Chen", pmi=5_551_234_567,
                            created_at=now - timedelta(days=365)))
    for i, data in enumerate(webinars or []):
        _custom_webinar(world, rng, data, f"webinars[{i}]")
    contacts = (hubspot or {}).get("contacts") or []
    for i, c in enumerate(contacts):
        if not isinstance(c, dict) or not c.get("email"):
            raise ValueError(f"hubspot.contacts[{i}] needs an email")
        props = c.get("properties")
        if props is None:
            props = {k: v for k, v in c.items() if k != "email"}
        unknown_props = [k for k in props if k not in world.properties]
        if unknown_props:
            raise ValueError(f"hubspot.contacts[{i}]: unknown properties {unknown_props}")
        world.create_contact(c["email"], {k: str(v) for k, v in props.items()
                                          if v is not None},
                             when=now - timedelta(days=100 - i))


def _custom_webinar(world: World, rng: random.Random, data: dict, where: str) -> None:
    if not isinstance(data, dict):
        raise ValueError(f"{where} must be an object")
    try:
        wid = int(data["id"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"{where}.id must be a number") from None
    if wid in world.webinars:
        raise ValueError(f"{where}: duplicate webinar id {wid}")
    host_id = data.get("host_id") or world.users[0].id
    if host_id not in world.users_by_id:
        raise ValueError(f"{where}.host_id {host_id!r} is not one of the users")
    start = _dt(data.get("start_time"), f"{where}.start_time")
    duration = int(data.get("duration", 60))
    occurrences = [
        {"occurrence_id": str(o.get("occurrence_id") or epoch_ms(_dt(o["start_time"], where))),
         "start_time": _dt(o["start_time"], f"{where}.occurrences"),
         "duration": int(o.get("duration", duration)), "status": o.get("status", "available")}
        for o in data.get("occurrences") or []
    ]
    regs_in = data.get("registrants") or []
    titles = []
    for r in regs_in:
        for q in r.get("custom_questions") or []:
            if q.get("title") and q["title"] not in titles:
                titles.append(q["title"])
    questions = data.get("custom_questions") or [
        {"title": t, "type": "short", "required": False, "answers": []} for t in titles]
    w = world.add_webinar(Webinar(
        id=wid, uuid=data.get("uuid") or zoom_uuid(rng), host_id=host_id,
        topic=str(data.get("topic") or f"Webinar {wid}"), type=int(data.get("type", 5)),
        start_time=start, duration=duration, timezone=data.get("timezone", "UTC"),
        agenda=data.get("agenda", ""), created_at=min(start, utcnow()) - timedelta(days=30),
        settings=dict(data.get("settings") or {}), recurrence=data.get("recurrence"),
        occurrences=occurrences, password=str(data.get("password", "")),
        reg_token=zoom_id22(rng), custom_questions=questions))
    for j, r in enumerate(regs_in):
        rw = f"{where}.registrants[{j}]"
        if not isinstance(r, dict) or not r.get("email"):
            raise ValueError(f"{rw} needs an email")
        status = r.get("status", "approved")
        if status not in ("approved", "pending", "denied", "cancelled"):
            raise ValueError(f"{rw}.status {status!r} is not approved|pending|denied|cancelled")
        if r["email"].strip().lower() in w.reg_by_email:
            raise ValueError(f"{rw}: {r['email']} is registered twice")
        created = (_dt(r["create_time"], f"{rw}.create_time") if r.get("create_time")
                   else min(start, utcnow()) - timedelta(days=1, minutes=j))
        fields = {k: str(r[k]) for k in REGISTRANT_FIELDS if r.get(k) not in (None, "")}
        world.add_registrant(w, Registrant(
            id=str(r.get("id") or zoom_id22(rng)), email=r["email"],
            first_name=r.get("first_name", ""), last_name=r.get("last_name", ""),
            fields=fields or None,
            custom_questions=[{"title": q["title"], "value": str(q.get("value", ""))}
                              for q in r.get("custom_questions") or []] or None,
            status=status, create_time=created, tk=_tk(rng),
            occurrence_ids=r.get("occurrence_ids")))
    user_id = 16_778_240
    for j, inst_data in enumerate(data.get("instances") or []):
        iw = f"{where}.instances[{j}]"
        i_start = _dt(inst_data.get("start_time") or data.get("start_time"), f"{iw}.start_time")
        i_end = (_dt(inst_data["end_time"], f"{iw}.end_time") if inst_data.get("end_time")
                 else i_start + timedelta(minutes=duration))
        uuid = inst_data.get("uuid") or (w.uuid if j == 0 and w.type == 5 else zoom_uuid(rng))
        if uuid in world.instances_by_uuid:
            raise ValueError(f"{iw}: duplicate instance uuid {uuid!r}")
        inst = Instance(uuid=uuid, webinar_id=w.id, start_time=i_start, end_time=i_end,
                        occurrence_id=inst_data.get("occurrence_id"))
        ids: dict[str, str] = {}
        for k, p in enumerate(inst_data.get("participants") or []):
            pw = f"{iw}.participants[{k}]"
            reg = None
            if p.get("registrant_id"):
                reg = w.reg_by_id.get(p["registrant_id"])
                if reg is None:
                    raise ValueError(f"{pw}: unknown registrant_id {p['registrant_id']!r}")
            elif p.get("registrant_email"):
                reg = w.reg_by_email.get(p["registrant_email"].strip().lower())
                if reg is None:
                    raise ValueError(f"{pw}: {p['registrant_email']} is not a registrant")
            email = p.get("user_email", reg.email if reg else "") or ""
            name = p.get("name") or (f"{reg.first_name} {reg.last_name}".strip() if reg
                                     else email or "Guest")
            key = reg.id if reg else (email.lower() or "")
            if "id" in p:
                pid = str(p["id"])
            elif key:
                pid = ids.setdefault(key, zoom_id22(rng))
            else:
                pid = ""  # a guest who is not signed in to Zoom
            user_id += 1
            inst.participants.append(Participant(
                id=pid, name=name, user_id=str(p.get("user_id", user_id)),
                registrant_id=reg.id if reg else "", user_email=email,
                join_time=_dt(p.get("join_time"), f"{pw}.join_time"),
                leave_time=_dt(p.get("leave_time"), f"{pw}.leave_time"),
                failover=bool(p.get("failover", False)),
                status=p.get("status", "in_meeting"),
                internal_user=bool(p.get("internal_user", False))))
        inst.participants.sort(key=lambda row: row.join_time)
        world.add_instance(w, inst)
