import pytest


@pytest.fixture
def post_webhook(client, django_capture_on_commit_callbacks):
    """Posts as Zoom or HubSpot would, running what the view queued once its delivery was
    committed (the test's own transaction never commits)."""

    def post(url: str, body: bytes, headers: dict, method: str = "POST"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.generic(method, url, body, content_type="application/json",
                                  headers=headers)

    return post
