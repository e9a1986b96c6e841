"""The signature checks against Zoom's and HubSpot's published test vectors."""

import json

import pytest

from integrations.webhooks.signatures import (
    hubspot_v1_valid,
    hubspot_v2_valid,
    hubspot_v3_valid,
    timestamp_fresh,
    zoom_signature_valid,
    zoom_url_validation_token,
)
from tests.webhooks import FIXTURES

ZOOM = json.loads((FIXTURES / "zoom-signature-test-vectors.json").read_text())
HUBSPOT = json.loads((FIXTURES / "hubspot" / "signature-test-vectors.json").read_text())["vectors"]


def by_version(version):
    return [pytest.param(v, id=f"{version}-{i}") for i, v in enumerate(HUBSPOT)
            if v["version"] == version]


@pytest.mark.parametrize("vector", ZOOM["signature_vectors"], ids=lambda v: v["id"])
def test_zoom_signature_vectors(vector):
    args = {"secret": vector["secret_token"], "timestamp": vector["x_zm_request_timestamp"],
            "body": vector["raw_body"].encode()}
    assert zoom_signature_valid(**args, signature=vector["expected_x_zm_signature"])
    assert not zoom_signature_valid(**{**args, "secret": "another-secret"},
                                    signature=vector["expected_x_zm_signature"])
    assert not zoom_signature_valid(**{**args, "body": args["body"] + b" "},
                                    signature=vector["expected_x_zm_signature"])
    assert not zoom_signature_valid(**{**args, "timestamp": "1739923529"},
                                    signature=vector["expected_x_zm_signature"])


def test_zoom_reformatted_body_does_not_verify():
    sig1, sig2 = ZOOM["signature_vectors"][:2]
    assert not zoom_signature_valid(secret=sig2["secret_token"],
                                    timestamp=sig2["x_zm_request_timestamp"],
                                    body=sig2["raw_body"].encode(),
                                    signature=sig1["expected_x_zm_signature"])


def test_zoom_signature_needs_a_secret():
    assert not zoom_signature_valid(secret="", timestamp="1", body=b"{}", signature="v0=")


@pytest.mark.parametrize("vector", ZOOM["url_validation_vectors"], ids=lambda v: v["id"])
def test_zoom_url_validation_vectors(vector):
    token = zoom_url_validation_token(secret=vector["secret_token"],
                                      plain_token=vector["plainToken"])
    assert token == vector["expected_response"]["encryptedToken"]


@pytest.mark.parametrize("vector", by_version("v1"))
def test_hubspot_v1_vectors(vector):
    body = vector["request_body"].encode()
    assert hubspot_v1_valid(secret=vector["client_secret"], body=body,
                            signature=vector["expected_signature"])
    assert not hubspot_v1_valid(secret="other", body=body,
                                signature=vector["expected_signature"])


@pytest.mark.parametrize("vector", by_version("v2"))
def test_hubspot_v2_vectors(vector):
    args = {"secret": vector["client_secret"], "method": vector["http_method"],
            "uri": vector["http_uri"], "body": vector["request_body"].encode()}
    assert hubspot_v2_valid(**args, signature=vector["expected_signature"])
    assert not hubspot_v2_valid(**{**args, "uri": args["uri"] + "/"},
                                signature=vector["expected_signature"])


@pytest.mark.parametrize("vector", by_version("v3"))
def test_hubspot_v3_vectors(vector):
    args = {"secret": vector["client_secret"], "method": vector["http_method"],
            "uri": vector["http_uri"], "body": vector["request_body"].encode(),
            "timestamp": vector["timestamp"]}
    assert hubspot_v3_valid(**args, signature=vector["expected_signature"])
    for changed in ({"method": "GET"}, {"uri": "https://www.example.com/other"},
                    {"timestamp": str(int(vector["timestamp"]) + 1)}, {"secret": "other"}):
        assert not hubspot_v3_valid(**{**args, **changed},
                                    signature=vector["expected_signature"])


def test_hubspot_v3_vector_is_stale_five_minutes_later():
    timestamp_s = int(by_version("v3")[0].values[0]["timestamp"]) / 1000
    assert timestamp_fresh(timestamp_s=timestamp_s, now=timestamp_s + 300)
    assert not timestamp_fresh(timestamp_s=timestamp_s, now=timestamp_s + 301)
    assert not timestamp_fresh(timestamp_s=timestamp_s, now=timestamp_s - 301)
