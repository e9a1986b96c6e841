"""What the product makes of the OAuth token endpoints' answers: retries as asked, a lifetime
when none is given, and a plain error when no token comes back."""

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.errors import IntegrationError, TransientError
from integrations.hubspot.oauth import HubSpotOAuth
from integrations.zoom.oauth import ZoomOAuth
from tests.integrations.test_http_retry_policy import Waits, faults


def test_a_failing_token_endpoint_is_tried_as_often_as_asked(sandbox, settings):
    creds = sandbox.credentials()["hubspot"]
    faults(sandbox, {"error_rate": 1, "paths": ["/oauth/v1/token"]})
    sleep = Waits()
    oauth = HubSpotOAuth(client_id=creds["client_id"], client_secret=creds["client_secret"],
                         base_url=f"{sandbox.url}/hubspot", max_retries=1, sleep=sleep)
    with pytest.raises(TransientError):
        oauth.refresh(refresh_token="a-refresh-token")
    assert sandbox.calls()["by_endpoint"]["hubspot POST /oauth/v1/token"] == 2
    assert len(sleep) == 1


class _Answering:
    """A token endpoint whose answer is given (its parsing is what is tested)."""

    def __init__(self, answer: dict, **kw):
        super().__init__(client_id="client", client_secret="secret", base_url="http://unused",
                         **kw)
        self.answer = answer

    def _post_token_form(self, form: dict) -> dict:
        return self.answer


class ZoomAnswering(_Answering, ZoomOAuth):
    pass


class HubSpotAnswering(_Answering, HubSpotOAuth):
    pass


@pytest.mark.parametrize(("endpoint", "lifetime"), [(ZoomAnswering, 3600),
                                                    (HubSpotAnswering, 1800)])
def test_a_token_without_expires_in_lives_as_long_as_the_service_documents(endpoint,
                                                                            lifetime):
    tokens = endpoint({"access_token": "t", "refresh_token": "r"}).refresh(refresh_token="r")
    expected = timezone.now() + timedelta(seconds=lifetime)
    assert abs(tokens.expires_at - expected) < timedelta(seconds=5)


def test_an_answer_without_access_token_is_a_plain_error():
    with pytest.raises(IntegrationError) as exc:
        ZoomAnswering({"token_type": "bearer"}).refresh(refresh_token="r")
    assert exc.value.service == "Zoom"
    assert exc.value.message == "Zoom's token endpoint answered without an access token."
