"""A short fingerprint of what was last sent to a service, so an unchanged object costs no
call the next time."""

import hashlib
import json


def payload_digest(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()
