"""Webhooks the sandbox sends, as Zoom and HubSpot send theirs.

``signing.py`` signs a body the way each service does, ``delivery.py`` posts it from a thread
pool (retries, log), ``zoom_events.py`` and ``hubspot_events.py`` build the bodies from the
sandbox's objects, and ``live.py`` plays a whole held session (``POST
/_sandbox/zoom/webinars/{id}/live``).
"""
