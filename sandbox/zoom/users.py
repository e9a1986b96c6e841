"""Zoom users: ``GET /users`` and ``GET /users/{userId}`` (``me`` is the account owner)."""

from __future__ import annotations

from ..common import Reply, ZoomError, iso_z
from ..credentials import ZOOM_ACCOUNT_ID
from ..world import World
from .paging import MAX_USERS_PAGE_SIZE, paginate


def user_json(u) -> dict:
    return {
        "id": u.id,
        "first_name": u.first_name,
        "last_name": u.last_name,
        "display_name": u.display_name,
        "email": u.email,
        "type": u.type,
        "pmi": u.pmi,
        "timezone": u.timezone,
        "verified": 1,
        "dept": u.dept,
        "created_at": iso_z(u.created_at),
        "user_created_at": iso_z(u.created_at),
        "last_login_time": iso_z(u.last_login_time),
        "last_client_version": "6.0.2.33403(mac)",
        "status": "active",
        "role_id": "0" if u.type == 2 else "2",
        "employee_unique_id": "",
        "group_ids": [],
        "im_group_ids": [],
        "login_types": [100],
    }


def user_detail_json(u) -> dict:
    data = user_json(u)
    data.update({
        "language": "en-US",
        "account_id": ZOOM_ACCOUNT_ID,
        "account_number": 10_044_221,
        "role_name": "Owner" if u.type != 2 else "Member",
        "use_pmi": False,
        "personal_meeting_url": f"https://sandbox.zoom.example/j/{u.pmi}",
        "jid": f"{u.id.lower()}@xmpp.zoom.us",
        "cluster": "us01",
        "company": "",
        "job_title": "",
        "location": "",
        "phone_number": "",
    })
    return data


def list_users(req) -> Reply:
    world: World = req.world
    status = req.query.get("status") or "active"
    with world.lock:
        users = world.users if status == "active" else []
        items, env = paginate(req, ("users", status), users, max_size=MAX_USERS_PAGE_SIZE,
                              page_number=True)
        env["users"] = [user_json(u) for u in items]
    return Reply(200, env)


def get_user(req) -> Reply:
    world: World = req.world
    ref = req.params["userId"]
    with world.lock:
        user = world.find_user(ref)
        if user is None:
            raise ZoomError(404, 1001, f"User does not exist: {ref}.")
        return Reply(200, user_detail_json(user))
