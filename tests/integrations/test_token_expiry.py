"""A Zoom token refused before the product expected it: one new token, one retry, no loop.

The sandbox's clock moves while the product's does not, so the product still believes its
cached token is valid when Zoom (the sandbox) answers 401. All through real HTTP.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.errors import AuthenticationFailed
from integrations.models import ZoomAccount
from integrations.services.clients import zoom_client_for
from tests.scenarios import past_webinar, world

pytestmark = pytest.mark.django_db

TOKEN = "zoom POST /oauth/token"
# The call made in these tests: Zoom's spec documents a 401 for it (so a recorded run stays
# checkable against the spec).
HISTORY = "zoom GET /v2/report/history_meetings"
ZOOM_TOKEN_LIFETIME_S = 3600


def held_sessions(client) -> list[dict]:
    today = timezone.now().date()
    pages = client.iter_past_webinar_pages(date_from=str(today - timedelta(days=10)),
                                           date_to=str(today + timedelta(days=1)))
    return [row for page in pages for row in page]


def counts(sandbox) -> dict[str, int]:
    calls = sandbox.calls()
    return {"token": calls["by_endpoint"].get(TOKEN, 0),
            "history": calls["by_endpoint"].get(HISTORY, 0),
            "401": calls["by_status"].get("401", 0)}


@pytest.fixture
def zoom(sandbox, linked):
    """A linked Server-to-Server account with one held webinar, and its client."""
    account, _ = linked
    sandbox.seed("custom", **world(past_webinar(days_ago=2)))
    return account, zoom_client_for(account=account)


def test_a_token_expired_early_is_replaced_once_and_the_call_succeeds(sandbox, zoom):
    account, client = zoom
    assert [row["meeting_id"] for row in held_sessions(client)] == [81234567890]
    first_token = ZoomAccount.objects.get(pk=account.pk).access_token
    before = counts(sandbox)

    sandbox.advance_clock(ZOOM_TOKEN_LIFETIME_S + 60)
    # the product's clock did not move: it still trusts its token
    assert ZoomAccount.objects.get(pk=account.pk).token_expires_at > timezone.now()
    assert [row["meeting_id"] for row in held_sessions(client)] == [81234567890]

    after = counts(sandbox)
    assert after["token"] == before["token"] + 1  # exactly one re-login
    assert after["401"] == before["401"] + 1  # the one refused call
    assert after["history"] == before["history"] + 2  # refused once, then retried
    stored = ZoomAccount.objects.get(pk=account.pk)
    assert stored.access_token and stored.access_token != first_token  # shared with others

    # the new token is good: no more logins, from this client or a new one
    held_sessions(client)
    held_sessions(zoom_client_for(account=stored))
    assert counts(sandbox)["token"] == after["token"]
    assert counts(sandbox)["401"] == after["401"]


def test_a_revoked_token_is_replaced_once(sandbox, zoom):
    account, client = zoom
    held_sessions(client)
    revoked = sandbox.zoom_revoke(ZoomAccount.objects.get(pk=account.pk).access_token)
    assert revoked == {"status": "success"}
    before = counts(sandbox)

    assert held_sessions(client)

    after = counts(sandbox)
    assert after["token"] == before["token"] + 1
    assert after["history"] == before["history"] + 2


def test_a_token_that_stays_refused_fails_after_one_retry(sandbox, zoom):
    account, client = zoom
    held_sessions(client)
    sandbox.advance_clock(ZOOM_TOKEN_LIFETIME_S + 60)
    # every token Zoom issues from now on is refused at once
    sandbox.limits(zoom_token_ttl_s=0)
    before = counts(sandbox)

    with pytest.raises(AuthenticationFailed):
        held_sessions(client)

    after = counts(sandbox)
    assert after["token"] == before["token"] + 1  # one re-login, not a loop
    assert after["history"] == before["history"] + 2  # the call and its one retry
    assert after["401"] == before["401"] + 2

    # The next call knows its token is already expired (a lifetime of 0): it logs in first,
    # is refused, logs in once more after the 401, and gives up. Still bounded.
    with pytest.raises(AuthenticationFailed):
        held_sessions(client)
    again = counts(sandbox)
    assert again["history"] == after["history"] + 2
    assert again["token"] == after["token"] + 2
