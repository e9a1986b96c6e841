"""What both webhook endpoints must refuse, inherited by each endpoint's test class: whatever
is wrong with a call, it gets a 4xx (never a 5xx) and nothing is stored or processed."""

import pytest

from integrations.models import WebhookDelivery


class WebhookEndpointSecurity:
    url = ""
    signature_headers: tuple[str, ...] = ()

    def valid_body(self) -> bytes:
        raise NotImplementedError

    def sign(self, body: bytes, *, age_s: float = 0, secret: str | None = None) -> dict:
        """Headers signing `body` with the linked account's secret (or `secret`), timestamped
        `age_s` seconds ago."""
        raise NotImplementedError

    @pytest.fixture(autouse=True)
    def _poster(self, post_webhook):
        self._post_webhook = post_webhook

    def post(self, body: bytes, headers: dict, method: str = "POST"):
        return self._post_webhook(self.url, body, headers, method)

    def assert_refused(self, response, status: int):
        assert response.status_code == status, response.content
        assert not WebhookDelivery.objects.exists()

    def test_a_correctly_signed_call_is_accepted(self):
        body = self.valid_body()
        response = self.post(body, self.sign(body))
        assert response.status_code == 200, response.content
        assert WebhookDelivery.objects.filter(signature_valid=True).exists()

    def test_a_wrong_signature_is_refused(self):
        body = self.valid_body()
        self.assert_refused(self.post(body, self.sign(body, secret="not-the-secret")),
                            401)

    def test_a_signature_of_another_body_is_refused(self):
        body = self.valid_body()
        self.assert_refused(self.post(body + b" ", self.sign(body)), 401)

    @pytest.mark.parametrize("age_s", [310, -310, 86400])
    def test_a_stale_or_future_timestamp_is_refused(self, age_s):
        body = self.valid_body()
        self.assert_refused(self.post(body, self.sign(body, age_s=age_s)), 401)

    def test_missing_signature_headers_are_refused(self):
        body = self.valid_body()
        for name in self.signature_headers:
            headers = {k: v for k, v in self.sign(body).items() if k.lower() != name.lower()}
            self.assert_refused(self.post(body, headers), 401)
        self.assert_refused(self.post(body, {}), 401)

    @pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
    def test_a_wrong_method_is_refused(self, method):
        body = self.valid_body()
        self.assert_refused(self.post(body, self.sign(body), method=method), 405)

    def test_an_oversized_body_is_refused(self, settings):
        body = self.valid_body()
        settings.WEBHOOK_MAX_BODY_BYTES = len(body) - 1
        self.assert_refused(self.post(body, self.sign(body)), 413)

    def test_a_body_over_the_default_mebibyte_is_refused(self):
        body = self.valid_body()
        body = body[:-1] + b" " * (1024 * 1024 + 1 - len(body)) + body[-1:]
        self.assert_refused(self.post(body, self.sign(body)), 413)

    def test_malformed_json_is_refused(self):
        body = self.valid_body()[:-3]
        self.assert_refused(self.post(body, self.sign(body)), 400)
