"""Roll-up edge cases of SPEC §5.2 (pure functions): unknown lengths and times, rounding at
the half, sessions that touch, and ties."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

from contacts.services.rollups import (
    InstanceAttendance,
    Registration,
    attended_seconds,
    one_decimal,
    rollups_compute,
)

T0 = datetime(2026, 11, 1, 15, 0, tzinfo=UTC)


def span(start_min, end_min):
    return (T0 + timedelta(minutes=start_min), T0 + timedelta(minutes=end_min))


def test_rounding_is_half_up_to_one_decimal():
    assert one_decimal(Fraction(1, 20)) == Decimal("0.1")
    assert one_decimal(Fraction(1, 25)) == Decimal("0.0")
    assert one_decimal(Fraction(8325, 100)) == Decimal("83.3")
    assert one_decimal(Fraction(83249, 1000)) == Decimal("83.2")
    assert one_decimal(50) == Decimal("50.0")
    assert str(one_decimal(Fraction(200, 3))) == "66.7"


def test_touching_sessions_add_up_and_a_backwards_one_counts_nothing():
    assert attended_seconds([span(0, 10), span(10, 25)], 3600) == 25 * 60
    assert attended_seconds([span(20, 5)], 3600) == 0
    assert attended_seconds([span(20, 5), span(0, 3)], 3600) == 3 * 60
    # a row whose clock went backwards does not hide the sessions after it
    assert attended_seconds([span(0, -5), span(10, 20), span(30, 35)], 3600) == 15 * 60
    assert attended_seconds([], 3600) == 0


def test_sessions_far_apart_are_summed_not_spanned():
    assert attended_seconds([span(0, 1), span(58, 59)], 3600) == 2 * 60
    assert attended_seconds([span(0, 1), span(10, 12), span(20, 23)], 3600) == 6 * 60


def test_attended_time_is_capped_even_at_one_second_but_not_when_length_is_unknown():
    assert attended_seconds([span(0, 10)], 1) == 1
    assert attended_seconds([span(0, 10)], 0) == 600


def test_seconds_are_whole():
    start = T0
    assert attended_seconds([(start, start + timedelta(seconds=90.9))], 3600) == 90


def test_an_instance_of_unknown_length_counts_as_attended_but_not_in_the_percentage():
    attendances = [InstanceAttendance("81", "A", T0, 3600, 1800),
                   InstanceAttendance("82", "B", T0 + timedelta(days=1), 0, 600)]
    result = rollups_compute(registrations=[], attendances=attendances)
    assert result.webinars_attended == 2
    assert result.avg_attendance_pct == Decimal("50.0")  # only A has a length
    assert result.avg_attendance_minutes == Decimal("20.0")  # (30 + 10) / 2
    assert result.last_attended_webinar == "B"


def test_only_instances_of_unknown_length_leave_the_percentage_empty():
    result = rollups_compute(registrations=[],
                             attendances=[InstanceAttendance("81", "A", T0, 0, 600)])
    assert result.avg_attendance_pct is None
    assert result.avg_attendance_minutes == Decimal("10.0")


def test_a_registration_without_a_time_loses_to_any_dated_one():
    regs = [Registration("81", "Dated, long ago", "approved", T0 - timedelta(days=900), "j/81"),
            Registration("99", "Undated", "approved", None, "j/99")]
    for order in (1, -1):
        result = rollups_compute(registrations=regs[::order], attendances=[])
        assert result.last_registered_webinar == "Dated, long ago"
        assert result.last_join_url == "j/81"


def test_undated_registrations_alone_still_name_the_webinar():
    result = rollups_compute(
        registrations=[Registration("81", "Only one", "pending", None, "j/81")], attendances=[])
    assert result.webinar_registrations == 1
    assert result.last_registered_webinar == "Only one" and result.last_join_url == "j/81"


def test_the_latest_registration_wins_and_its_join_url_with_it():
    regs = [Registration("81", "Earlier", "approved", T0, "j/81"),
            Registration("82", "Later", "pending", T0 + timedelta(minutes=1), "j/82"),
            Registration("83", "Latest but denied", "denied", T0 + timedelta(days=1), "j/83")]
    result = rollups_compute(registrations=regs, attendances=[])
    assert (result.webinar_registrations, result.last_registered_webinar,
            result.last_join_url) == (2, "Later", "j/82")


def test_an_attended_instance_without_a_start_loses_to_a_dated_one():
    attendances = [InstanceAttendance("99", "Undated", None, 3600, 60),
                   InstanceAttendance("81", "Dated", T0, 3600, 60)]
    for order in (1, -1):
        result = rollups_compute(registrations=[], attendances=attendances[::order])
        assert result.last_attended_webinar == "Dated"


def test_ties_compare_webinar_ids_as_numbers_then_digits():
    regs = [Registration("812", "Smaller", "approved", T0, "j/812"),
            Registration("899", "Larger", "approved", T0, "j/899"),
            Registration("99", "Shorter", "approved", T0, "j/99")]
    for order in (1, -1):
        result = rollups_compute(registrations=regs[::order], attendances=[])
        assert result.last_registered_webinar == "Larger"


def test_nothing_attended_leaves_every_attendance_rollup_empty():
    result = rollups_compute(registrations=[],
                             attendances=[InstanceAttendance("81", "A", T0, 3600, 0)])
    assert result.webinars_attended == 0
    assert result.avg_attendance_pct is None and result.avg_attendance_minutes is None
    assert result.last_attended_webinar == ""
