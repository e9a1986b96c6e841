"""What an OAuth token endpoint shows of itself in logs and tracebacks: the app, never its
secret."""

from integrations.hubspot.oauth import HubSpotOAuth
from integrations.zoom.oauth import ZoomOAuth


def test_an_oauth_client_names_its_app_but_not_its_secret():
    for cls in (ZoomOAuth, HubSpotOAuth):
        client = cls(client_id="app-123", client_secret="s3cret-value", base_url="http://x")
        assert repr(client) == f"{cls.__name__}(client_id='app-123')"
        assert "s3cret-value" not in repr(client)


def test_a_token_in_a_url_path_never_reaches_an_error_message(sandbox):
    import pytest

    from integrations.errors import IntegrationError

    creds = sandbox.credentials()["hubspot"]
    oauth = HubSpotOAuth(client_id=creds["client_id"], client_secret=creds["client_secret"])
    with pytest.raises(IntegrationError) as exc:
        oauth.token_info(access_token="secret-token-value")
    assert exc.value.message.startswith("HubSpot GET /oauth/v1/access-tokens/[redacted] failed")
    assert "secret-token-value" not in exc.value.message
