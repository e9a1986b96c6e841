"""Date-time formats of the outside world, kept in one place."""

from datetime import UTC, datetime

from django.utils.dateparse import parse_datetime


def parse_api_time(value) -> datetime | None:
    """Zoom sends ISO-8601 strings ("2026-11-28T14:00:00Z"); empty means unknown."""
    if not value:
        return None
    parsed = parse_datetime(str(value))
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def hubspot_datetime(value: datetime) -> str:
    """HubSpot's marketing-event date-times: ISO-8601 in UTC with milliseconds."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def epoch_ms(value: datetime) -> int:
    return int(value.timestamp() * 1000)
