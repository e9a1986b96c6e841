"""What every seed shares: the hosts' e-mails, the registration questions and Zoom-style ids,
all drawn from the seed's random generator so that a seed number gives the same world."""

from __future__ import annotations

import base64
import random
from datetime import datetime

from ..common import epoch_ms

HOST_EMAIL = "host@sandbox.example"
HOST2_EMAIL = "webinars@sandbox.example"
EXCLUDED_DOMAIN = "competitor.example"

CQ_LEARN = "What do you hope to learn?"
CQ_HEAR = "How did you hear about this webinar?"
CQ_CRM = "Which CRM do you use today?"


def _b64(rng: random.Random, nbytes: int = 16) -> bytes:
    return rng.getrandbits(nbytes * 8).to_bytes(nbytes, "big")


def zoom_uuid(rng: random.Random) -> str:
    """A Zoom-style meeting/webinar UUID: 24 chars of standard base64, may contain + and /."""
    return base64.b64encode(_b64(rng)).decode()


def zoom_id22(rng: random.Random) -> str:
    """A Zoom-style 22-char user / registrant / participant id (url-safe base64)."""
    return base64.urlsafe_b64encode(_b64(rng)).decode().rstrip("=")


def join_tk(rng: random.Random) -> str:
    """A registrant's personal join-link token."""
    return base64.urlsafe_b64encode(_b64(rng, 12)).decode()


def occurrence(start: datetime, duration: int) -> dict:
    return {"occurrence_id": str(epoch_ms(start)), "start_time": start,
            "duration": duration, "status": "available"}


def zoom_weekday(dt: datetime) -> str:
    # Zoom: 1 = Sunday ... 7 = Saturday
    return str(dt.isoweekday() % 7 + 1)
