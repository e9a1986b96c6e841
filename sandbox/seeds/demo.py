"""The ``demo`` scenario: a small, realistic account (two hosts, eight webinars, about sixty
people, three HubSpot contacts already there, one HubSpot form), one builder per webinar.
Times are relative to "now" rounded down to the hour.

The builders run in a fixed order and each draws from the same random generator: keep that
order, and add new draws after the existing ones, or every later id and answer changes.
"""

from __future__ import annotations

import random
from datetime import timedelta

from ..world import World
from ..zoom.models import Webinar
from .demo_builder import Demo, load_data
from .ids import occurrence, zoom_uuid, zoom_weekday


def build_roadmap(demo: Demo) -> None:
    """Upcoming in a week; approval required: pending, denied and cancelled registrations."""
    now, pool = demo.now, demo.pool
    w = demo.webinar("w1", demo.maya, demo.base + timedelta(days=7, hours=2))
    demo.register_all(w, demo.rng.sample(pool, 22) + [demo.special["olivia"]], before=now)
    demo.register_all(w, ["ben", "yuki", "omar"], "pending", before=now)
    demo.register_all(w, ["tester"], "denied", before=now)
    demo.register_all(w, ["nora"], "cancelled", before=now)


def build_workshop(demo: Demo) -> None:
    """Upcoming in two weeks, hosted by the second host; a competitor's registration denied."""
    now = demo.now
    w = demo.webinar("w2", demo.tom, demo.base + timedelta(days=14, hours=4))
    demo.register_all(w, demo.rng.sample(demo.pool, 18) + [demo.special["priya"]], before=now)
    demo.register_all(w, ["grace", "felix"], "pending", before=now)
    demo.register_all(w, ["alex"], "denied", before=now)


def build_playbook(demo: Demo) -> None:
    """Held five days ago: rejoins (one person three times), a competitor, a dial-in guest."""
    start = demo.base - timedelta(days=5, hours=2)
    w = demo.webinar("w3", demo.maya, start)
    people = demo.rng.sample(demo.pool, 24)
    demo.register_all(w, people, before=start)
    demo.register_all(w, ["jordan", "alex", "dana", "olivia"], before=start)
    demo.register_all(w, ["chris"], "cancelled", before=start)
    inst = demo.held(w, start + timedelta(minutes=1), start + timedelta(minutes=63))
    demo.attend_host(inst, w, demo.maya, 62)
    demo.attend_random(inst, w, people[:16], 62)
    demo.attend(inst, w, "jordan", [(2, 30), (33, 61)])
    demo.attend(inst, w, "alex", [(4, 58)])
    demo.attend(inst, w, "dana", [(1, 12), (14, 35), (40, 62)])
    demo.attend(inst, w, "olivia", [(6, 50)])
    demo.attend_guest(inst, w, "Call-in User 1", (9, 41))
    demo.finish(inst)


def build_office_hours(demo: Demo) -> None:
    """Held twelve days ago; one attendee joined without her personal link."""
    start = demo.base - timedelta(days=12, hours=5)
    w = demo.webinar("w4", demo.tom, start)
    people = demo.rng.sample(demo.pool, 20)
    demo.register_all(w, people, before=start)
    demo.register_all(w, ["priya", "lee", "sofia"], before=start)
    inst = demo.held(w, start + timedelta(minutes=2), start + timedelta(minutes=49))
    demo.attend_host(inst, w, demo.tom, 47)
    demo.attend_random(inst, w, people[:13], 47)
    demo.attend(inst, w, "priya", [(1, 45)])
    demo.attend(inst, w, "lee", [(3, 20), (24, 46)])
    demo.attend(inst, w, "sofia", [(5, 40)], reg_id="")
    demo.finish(inst)


def build_recurring(demo: Demo) -> None:
    """Weekly, three occurrences: two held (their UUIDs must be double-encoded in a path, one
    starts with "/" and one contains "//"), one upcoming."""
    rng = demo.rng
    first = demo.base - timedelta(days=14, hours=1)
    starts = [first, first + timedelta(days=7), first + timedelta(days=21)]
    occurrences = [occurrence(s, 30) for s in starts]
    w = demo.webinar("w5", demo.maya, first, type_=9, occurrences=occurrences,
                     recurrence={"type": 2, "repeat_interval": 1,
                                 "weekly_days": zoom_weekday(first), "end_times": 3})
    people = rng.sample(demo.pool, 22)
    demo.register_all(w, people, before=first)
    demo.register_all(w, ["jordan", "marcus", "olivia"], before=first)
    demo.register_all(w, ["isaac"], "cancelled", before=first)
    u1, u2 = zoom_uuid(rng), zoom_uuid(rng)
    a = demo.held(w, starts[0], starts[0] + timedelta(minutes=31), uuid="/" + u1[1:],
                  occurrence_id=occurrences[0]["occurrence_id"])
    b = demo.held(w, starts[1] + timedelta(minutes=1), starts[1] + timedelta(minutes=33),
                  uuid=u2[:6] + "//" + u2[8:], occurrence_id=occurrences[1]["occurrence_id"])
    for inst in (a, b):
        demo.attend_host(inst, w, demo.maya, 30)
    demo.attend_random(a, w, people[:12], 30)
    demo.attend(a, w, "jordan", [(0, 29)])
    demo.attend(a, w, "marcus", [(2, 10), (12, 30)])
    demo.attend_guest(a, w, "Guest - Conference Room", (3, 25))
    demo.attend_random(b, w, people[6:16], 31)
    demo.attend(b, w, "olivia", [(1, 31)])
    demo.attend(b, w, "marcus", [(0, 28)])
    demo.finish(a)
    demo.finish(b)


# Held 60 and 85 days ago: no longer listed by GET /users/{id}/webinars (Zoom lists only
# unexpired webinars), but GET /webinars/{id}, /past_webinars/... and /report/... still answer,
# and GET /report/history_meetings finds them: what a backfill is for.
def build_launch_recap(demo: Demo) -> None:
    start = demo.base - timedelta(days=60, hours=3)
    w = demo.webinar("w6", demo.maya, start)
    people = demo.rng.sample(demo.pool, 18)
    demo.register_all(w, people, before=start)
    demo.register_all(w, ["jordan", "dana"], before=start)
    inst = demo.held(w, start + timedelta(minutes=1), start + timedelta(minutes=58))
    demo.attend_host(inst, w, demo.maya, 57)
    demo.attend_random(inst, w, people[:11], 57)
    demo.attend(inst, w, "jordan", [(3, 25), (27, 55)])
    demo.attend_guest(inst, w, "Call-in User 2", (10, 30))
    demo.finish(inst)


def build_benchmark_report(demo: Demo) -> None:
    start = demo.base - timedelta(days=85, hours=6)
    w = demo.webinar("w7", demo.tom, start)
    people = demo.rng.sample(demo.pool, 20)
    demo.register_all(w, people, before=start)
    demo.register_all(w, ["priya"], before=start)
    demo.register_all(w, ["chris"], "cancelled", before=start)
    inst = demo.held(w, start + timedelta(minutes=2), start + timedelta(minutes=48))
    demo.attend_host(inst, w, demo.tom, 46)
    demo.attend_random(inst, w, people[:12], 46)
    demo.attend(inst, w, "priya", [(2, 44)])
    demo.finish(inst)


def add_hubspot_contacts(demo: Demo) -> None:
    """Three people HubSpot knows already, with names that differ from their registrations."""
    created = demo.base - timedelta(days=200)
    world, special = demo.world, demo.special
    world.create_contact(special["jordan"].email, {
        "firstname": "Jordy", "lastname": "Blake-Whitman", "company": "Northwind Traders",
        "jobtitle": "Director of Marketing", "lifecyclestage": "customer"}, when=created)
    world.create_contact(special["priya"].email, {
        "firstname": "Priya", "lastname": "Natarajan-Iyer", "company": "Globex",
        "lifecyclestage": "lead"}, when=created + timedelta(days=30))
    world.create_contact("sam.okafor@initech.example", {
        "firstname": "Sam", "lastname": "Okafor", "company": "Initech",
        "lifecyclestage": "subscriber"}, when=created + timedelta(days=60))


# The sign-up webinar and form: what registering HubSpot contacts into a webinar starts from.
SIGNUP_WEBINAR_ID = 81234567008
SIGNUP_FORM_GUID = "0c6d3a5e-8b1f-4d2a-9e7c-5a4b3c2d1e0f"
SIGNUP_QUESTION = "What would you like to learn?"


def add_signup(demo: Demo) -> None:
    """Upcoming in three days, nobody registered yet: its form requires the company (``org``)
    and an answer to one custom question; and HubSpot's "Webinar sign-up" form, no submissions
    yet. Fixed ids, no random draws."""
    start = demo.base + timedelta(days=3, hours=3)
    standard = [{"field_name": "last_name", "required": False},
                {"field_name": "org", "required": True},
                {"field_name": "job_title", "required": False},
                {"field_name": "country", "required": False}]
    demo.world.add_webinar(Webinar(
        id=SIGNUP_WEBINAR_ID, uuid="c2FuZGJveC1zaWdudXAtdzg=", host_id=demo.maya.id,
        topic="Inbound Playbook: Turning Form Fills into Webinar Seats", type=5,
        start_time=start, duration=45, timezone="America/New_York",
        agenda="How a HubSpot form becomes a Zoom registration.",
        created_at=demo.now - timedelta(days=10),
        settings={"approval_type": 0, "registrants_email_notification": True,
                  "registrants_confirmation_email": True, "_questions": standard},
        password="808080", reg_token="dEmOsIgNuPrEgIsTeR0008",
        custom_questions=[{"title": SIGNUP_QUESTION, "type": "short", "required": True,
                           "answers": []}]))
    demo.world.add_form(SIGNUP_FORM_GUID, "Webinar sign-up",
                        ["email", "firstname", "lastname", "company", "message"])


BUILDERS = (build_roadmap, build_workshop, build_playbook, build_office_hours, build_recurring,
            build_launch_recap, build_benchmark_report)


def seed_demo(world: World, rng: random.Random) -> None:
    demo = Demo(world, rng, load_data())
    demo.add_hosts()
    demo.add_people()
    for build in BUILDERS:
        build(demo)
    add_hubspot_contacts(demo)
    add_signup(demo)
