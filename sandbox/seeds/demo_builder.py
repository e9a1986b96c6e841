"""The helpers ``demo.py``'s webinar builders share: the people, webinars, registrations and
participant rows of the demo, drawn from one seeded random generator.

The names, companies and answers, and each webinar's topic and settings, are data
(``demo_data.json``). Every random draw happens in a fixed order, so a seed gives the same
demo every time.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from importlib import resources

from ..world import World
from ..zoom.models import Instance, Participant, Registrant, User, Webinar
from .ids import CQ_CRM, CQ_HEAR, CQ_LEARN, HOST2_EMAIL, HOST_EMAIL, join_tk, zoom_id22, zoom_uuid


def load_data() -> dict:
    return json.loads(resources.files(__package__).joinpath("demo_data.json").read_text("utf-8"))


class Person:
    def __init__(self, email, first, last, company, fields):
        self.email = email
        self.first = first
        self.last = last
        self.company = company
        self.fields = fields


class Demo:
    """What the webinar builders share: the world, the seeded random generator, "now", the two
    hosts and the people who register."""

    def __init__(self, world: World, rng: random.Random, data: dict):
        self.world = world
        self.rng = rng
        self.data = data
        self.now = world.now()
        self.base = self.now.replace(minute=0, second=0, microsecond=0)
        self._user_ids = iter(range(16_778_240, 16_900_000))
        self.maya = self.tom = None
        self.pool: list[Person] = []
        self.special: dict[str, Person] = {}

    # ---------------------------------------------------------------- people
    def add_hosts(self) -> None:
        base = self.base
        self.maya = self.world.add_user(User(
            id=zoom_id22(self.rng), email=HOST_EMAIL, first_name="Maya", last_name="Chen",
            dept="Marketing", timezone="America/New_York", pmi=5_551_234_567,
            created_at=base - timedelta(days=400), last_login_time=base - timedelta(hours=3)))
        self.tom = self.world.add_user(User(
            id=zoom_id22(self.rng), email=HOST2_EMAIL, first_name="Tom", last_name="Rivera",
            dept="Product Marketing", timezone="Europe/London", pmi=5_559_876_543,
            created_at=base - timedelta(days=300), last_login_time=base - timedelta(days=1)))

    def add_people(self) -> None:
        """A pool of 40 people drawn from the name lists, and the named people each webinar
        uses for a particular case (a rejoin, a cancellation, an existing contact...)."""
        firsts, lasts = self.data["first_names"], self.data["last_names"]
        seen = set()
        for i in range(40):
            first = firsts[i % len(firsts)]
            last = lasts[(i * 7 + i // len(firsts)) % len(lasts)]
            p = self.person(first, last)
            if p.email not in seen:
                seen.add(p.email)
                self.pool.append(p)
        for s in self.data["special_people"]:
            self.special[s["key"]] = self.person(s["first"], s["last"], s["company"], s["email"])
        self.special["alex"].fields["org"] = "Competitor Inc"
        self.special["tester"].fields = {}

    def person(self, first, last, company_idx=None, email=None) -> Person:
        rng, data = self.rng, self.data
        companies = data["companies"]
        company = companies[company_idx if company_idx is not None
                            else rng.randrange(len(companies))]
        city, state, country, zip_code = rng.choice(data["cities"])
        fields = {
            "org": company[0],
            "job_title": rng.choice(data["titles"]),
            "industry": company[2],
            "no_of_employees": company[3],
            "city": city,
            "state": state,
            "country": country,
            "zip": zip_code,
            "phone": f"+1 555 01{rng.randrange(100):02d}",
            "purchasing_time_frame": rng.choice(data["timeframes"]),
            "role_in_purchase_process": rng.choice(data["roles"]),
        }
        if rng.random() < 0.4:
            fields["address"] = f"{rng.randrange(10, 999)} {rng.choice(['Main', 'Oak', 'Pine'])} St"
        if rng.random() < 0.25:
            fields["comments"] = "Looking forward to it!"
        fields = {k: v for k, v in fields.items() if v}
        email = email or f"{first}.{last}@{company[1]}".lower()
        return Person(email, first, last, company, fields)

    # ---------------------------------------------------------------- webinars
    def questions(self, extra_crm: bool = False) -> list[dict]:
        qs = [{"title": CQ_LEARN, "type": "short", "required": False, "answers": []},
              {"title": CQ_HEAR, "type": "single_dropdown", "required": True,
               "answers": list(self.data["hear_answers"])}]
        if extra_crm:
            qs.append({"title": CQ_CRM, "type": "single_radio", "required": False,
                       "answers": ["HubSpot", "Salesforce", "Other"]})
        return qs

    def webinar(self, key: str, host: User, start: datetime, *, type_=5, recurrence=None,
                occurrences=None) -> Webinar:
        """The webinar described under ``key`` in the data file, starting at ``start``."""
        spec, rng = self.data["webinars"][key], self.rng
        w = Webinar(id=spec["id"], uuid=zoom_uuid(rng), host_id=host.id, topic=spec["topic"],
                    type=type_, start_time=start, duration=spec["duration"],
                    timezone=spec["timezone"], agenda=spec["agenda"],
                    created_at=min(start, self.now) - timedelta(days=30),
                    settings=dict(spec["settings"]), recurrence=recurrence,
                    occurrences=occurrences, password=f"{rng.randrange(100000, 999999)}",
                    reg_token=zoom_id22(rng), custom_questions=self.questions(spec["extra_crm"]))
        return self.world.add_webinar(w)

    def answers(self, w: Webinar) -> list[dict]:
        rng, out = self.rng, []
        for q in w.custom_questions:
            if q["title"] == CQ_LEARN:
                if rng.random() < 0.8:
                    out.append({"title": CQ_LEARN, "value": rng.choice(self.data["learn_answers"])})
            elif q["answers"]:
                out.append({"title": q["title"], "value": rng.choice(q["answers"])})
        return out

    def register(self, w: Webinar, p: Person, status: str = "approved", *, before: datetime
                 ) -> Registrant:
        rng = self.rng
        reg = Registrant(
            id=zoom_id22(rng), email=p.email, first_name=p.first, last_name=p.last,
            fields=dict(p.fields) or None, custom_questions=self.answers(w) or None,
            status=status,
            create_time=before - timedelta(days=rng.randrange(1, 15),
                                           minutes=rng.randrange(0, 1440)),
            tk=join_tk(rng))
        return self.world.add_registrant(w, reg)

    def register_all(self, w: Webinar, people, status: str = "approved", *, before: datetime
                     ) -> None:
        for p in people:
            self.register(w, self.special[p] if isinstance(p, str) else p, status,
                          before=before)

    # ---------------------------------------------------------------- sessions
    def held(self, w: Webinar, start: datetime, end: datetime, *, uuid: str | None = None,
             occurrence_id: str | None = None) -> Instance:
        return self.world.add_instance(w, Instance(
            uuid=uuid or w.uuid, webinar_id=w.id, start_time=start, end_time=end,
            occurrence_id=occurrence_id))

    def attend(self, inst: Instance, w: Webinar, p: Person | str | None, cycles, *,
               reg_id=None, name=None, email=None, pid=None, internal=False) -> None:
        """Add one participant row per (join offset min, leave offset min) in ``cycles``."""
        rng = self.rng
        if isinstance(p, str):
            p = self.special[p]
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
                id=pid, name=name, user_id=str(next(self._user_ids)),
                registrant_id=reg_id or "", user_email=email or "", join_time=join,
                leave_time=leave, internal_user=internal))

    def attend_host(self, inst: Instance, w: Webinar, host: User, leave_m: int) -> None:
        self.attend(inst, w, None, [(0, leave_m)], reg_id="", name=host.display_name,
                    email=host.email, pid=host.id, internal=True)

    def attend_guest(self, inst: Instance, w: Webinar, name: str, cycle) -> None:
        """A guest who dialled in or joined without signing in: no e-mail, no id."""
        self.attend(inst, w, None, [cycle], reg_id="", name=name, email="", pid="")

    def attend_random(self, inst: Instance, w: Webinar, people: list[Person], length: int
                      ) -> None:
        rng = self.rng
        for p in people:
            join_m = rng.choice([0, 0, 1, 2, 3, 5, 8, 12])
            leave_m = rng.choice([length, length, length - 5, length // 2 + 5, length - 15])
            self.attend(inst, w, p, [(join_m, max(join_m + 3, leave_m))])

    @staticmethod
    def finish(inst: Instance) -> None:
        inst.participants.sort(key=lambda r: r.join_time)
