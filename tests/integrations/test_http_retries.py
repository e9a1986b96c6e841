"""Retry-After parsing (pure) and retries against the sandbox's injected faults."""

from datetime import UTC, datetime, timedelta

import pytest

from integrations.http import parse_retry_after


def test_retry_after_in_seconds():
    assert parse_retry_after({"Retry-After": "3"}) == 3.0


def test_retry_after_in_milliseconds_header():
    assert parse_retry_after({"Retry-After-Ms": "250"}) == pytest.approx(0.25)


def test_retry_after_as_iso_date():
    when = (datetime.now(UTC) + timedelta(seconds=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert 25 <= parse_retry_after({"Retry-After": when}) <= 31


def test_retry_after_as_http_date_in_the_past_means_now():
    assert parse_retry_after({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0


def test_garbage_retry_after_is_ignored():
    assert parse_retry_after({"Retry-After": "soon"}) is None
    assert parse_retry_after({}) is None
