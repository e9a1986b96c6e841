"""Marketing-event names: a recurring webinar's sessions are named with their date where the
webinar takes place, and a name too long for HubSpot is cut between two characters a reader
sees, never inside an emoji, a flag or a letter with its accents."""

import unicodedata
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from integrations.text import text_cut
from tests.scenarios import HOST, iso, sync_one, world
from webinars.models import Webinar
from webinars.services.hubspot_events import EVENT_NAME_LIMIT, event_name

NEW_YORK = ZoneInfo("America/New_York")
FAMILY = "\U0001F469\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"  # 7 code points
FLAG_JP = "\U0001F1EF\U0001F1F5"  # two regional indicators
THUMB = "\U0001F44D\U0001F3FD"  # thumbs up, medium skin tone
E_ACCENTS = "e\u0301\u0302"  # e with two combining accents


@pytest.mark.django_db
def test_a_2300_new_york_session_is_named_with_its_new_york_date(sandbox, linked):
    account, _ = linked
    # next week's session at 23:00 in New York: already the next day in UTC
    day = (datetime.now(NEW_YORK) + timedelta(days=7)).date()
    late = datetime(day.year, day.month, day.day, 23, 0, tzinfo=NEW_YORK)
    early = late - timedelta(days=7, hours=14)  # a 09:00 session the week before
    occurrences = [{"occurrence_id": str(int(s.timestamp() * 1000)), "start_time": iso(s),
                    "duration": 60} for s in (early, late)]
    sandbox.seed("custom", **world({
        "id": 86660002222, "topic": "Late Night Office Hours", "type": 9,
        "start_time": iso(early), "duration": 60, "timezone": "America/New_York",
        "host_id": HOST["id"], "occurrences": occurrences,
        "recurrence": {"type": 2, "repeat_interval": 1, "end_times": 2},
    }))
    sync_one(account, 86660002222)

    events = sandbox.marketing_events()
    named = {o["occurrence_id"]: events[f"zoom-webinar-86660002222-{o['occurrence_id']}"]
             ["eventName"] for o in occurrences}
    assert late.astimezone(UTC).date() != day  # the UTC date would be the wrong one
    assert named[occurrences[1]["occurrence_id"]] == f"Late Night Office Hours ({day:%Y-%m-%d})"
    assert named[occurrences[0]["occurrence_id"]] == (
        f"Late Night Office Hours ({early.astimezone(NEW_YORK):%Y-%m-%d})")


def test_a_webinar_without_a_known_time_zone_is_dated_in_utc():
    webinar = Webinar(topic="Demo", type=9, timezone="Mars/Olympus_Mons")
    start = datetime(2026, 3, 5, 23, 30, tzinfo=UTC)
    assert event_name(webinar=webinar, start=start) == "Demo (2026-03-05)"


@pytest.mark.parametrize("ending", [FAMILY, FLAG_JP, THUMB, E_ACCENTS])
def test_a_long_name_is_cut_without_splitting_what_ends_it(ending):
    for shift in range(len(ending)):
        # the limit falls at every point inside the last cluster
        text = "x" * (EVENT_NAME_LIMIT - shift - 1) + ending + "tail"
        cut = text_cut(text, EVENT_NAME_LIMIT)
        assert len(cut) <= EVENT_NAME_LIMIT
        whole = cut.endswith(ending)
        assert whole or cut == "x" * (EVENT_NAME_LIMIT - shift - 1), (shift, cut[-8:])
        assert whole == (shift == len(ending) - 1)


def test_a_recurring_session_keeps_its_date_when_its_topic_is_cut():
    topic = "Weekly " + "\u00e9" * 100 + FLAG_JP * 80
    webinar = Webinar(topic=topic, type=9, timezone="Asia/Tokyo")
    start = datetime(2026, 3, 5, 16, 0, tzinfo=UTC)  # 01:00 on the 6th in Tokyo
    name = event_name(webinar=webinar, start=start)
    assert len(name) <= EVENT_NAME_LIMIT and name.endswith(f"{FLAG_JP} (2026-03-06)")
    assert topic.startswith(name[:-len(" (2026-03-06)")])


def test_short_names_and_decomposed_letters_stay_as_they_are():
    assert text_cut("Pipeline Masterclass", EVENT_NAME_LIMIT) == "Pipeline Masterclass"
    decomposed = unicodedata.normalize("NFD", "Caf\u00e9 ") * 60  # 6 code points each
    cut = text_cut(decomposed, EVENT_NAME_LIMIT)
    assert not unicodedata.combining(decomposed[len(cut)])  # the next one starts a letter
