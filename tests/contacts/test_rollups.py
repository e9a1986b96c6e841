"""Roll-up arithmetic (no HTTP needed: pure functions)."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from contacts.services.rollups import (
    InstanceAttendance,
    Registration,
    attended_seconds,
    rollups_compute,
)

T0 = datetime(2026, 11, 1, 15, 0, tzinfo=UTC)


def span(start_min, end_min):
    return (T0 + timedelta(minutes=start_min), T0 + timedelta(minutes=end_min))


def test_overlapping_sessions_are_merged_and_rejoins_summed():
    assert attended_seconds([span(0, 20), span(15, 40), span(50, 60)], 3600) == 50 * 60


def test_nested_and_unordered_sessions():
    assert attended_seconds([span(30, 40), span(0, 45), span(5, 10)], 3600) == 45 * 60


def test_attended_time_is_capped_at_session_length():
    assert attended_seconds([span(-10, 70)], 3600) == 3600


def test_zero_length_session_counts_nothing():
    assert attended_seconds([span(10, 10)], 3600) == 0


def attended(webinar_id, topic, start, length_s, spans):
    return InstanceAttendance(webinar_id, topic, start, length_s,
                              attended_seconds(spans, length_s))


def test_recurring_webinar_counts_once_and_denied_not_at_all():
    regs = [
        Registration("81", "Weekly demo", "approved", T0, "https://j/1"),
        Registration("81", "Weekly demo", "approved", T0 + timedelta(days=7), "https://j/1b"),
        Registration("82", "Launch", "pending", T0 + timedelta(days=1), "https://j/2"),
        Registration("83", "Secret", "denied", T0 + timedelta(days=9), "https://j/3"),
        Registration("84", "Gone", "cancelled", T0 + timedelta(days=10), "https://j/4"),
    ]
    result = rollups_compute(registrations=regs, attendances=[])
    assert result.webinar_registrations == 2
    assert result.last_registered_webinar == "Weekly demo"
    assert result.last_join_url == "https://j/1b"
    assert result.webinars_attended == 0 and result.avg_attendance_pct is None


def test_averages_over_attended_instances_rounded_to_one_decimal():
    attendances = [
        attended("81", "A", T0, 3600, [span(0, 20)]),  # 33.33 %, 20 min
        attended("82", "B", T0 + timedelta(days=2), 1800, [span(0, 30)]),  # 100 %, 30 min
        attended("83", "C", T0 + timedelta(days=5), 3600, []),  # not attended
    ]
    result = rollups_compute(registrations=[], attendances=attendances)
    assert result.webinars_attended == 2
    assert result.avg_attendance_pct == Decimal("66.7")
    assert result.avg_attendance_minutes == Decimal("25.0")
    assert result.last_attended_webinar == "B"


def test_averages_round_half_up_exactly():
    # 1 of 24 minutes (4.1666… %) and 10 of 30 minutes (33.333… %): the mean is exactly
    # 18.75 %, which binary floating point would have rounded down to 18.7.
    attendances = [
        attended("81", "A", T0, 24 * 60, [span(0, 1)]),
        attended("82", "B", T0 + timedelta(days=1), 30 * 60, [span(0, 10)]),
    ]
    result = rollups_compute(registrations=[], attendances=attendances)
    assert result.avg_attendance_pct == Decimal("18.8")
    assert result.avg_attendance_minutes == Decimal("5.5")
    assert str(rollups_compute(registrations=[], attendances=attendances[1:])
               .avg_attendance_minutes) == "10.0"


def test_a_tie_goes_to_the_larger_webinar_id_whatever_the_order():
    # Two webinars at the same time: the spec's tie-break is the larger Zoom webinar id,
    # compared as a number (9 digits < 11 digits), never the order rows came in.
    regs = [Registration("99999999", "Nine digits", "approved", T0, "https://j/9"),
            Registration("81234567890", "Eleven digits", "approved", T0, "https://j/11")]
    visits = [attended("99999999", "Nine digits", T0, 3600, [span(0, 30)]),
              attended("81234567890", "Eleven digits", T0, 3600, [span(0, 30)])]
    for order in (1, -1):
        result = rollups_compute(registrations=regs[::order], attendances=visits[::order])
        assert result.last_registered_webinar == "Eleven digits"
        assert result.last_join_url == "https://j/11"
        assert result.last_attended_webinar == "Eleven digits"
