"""Zoom, as the sandbox serves it under ``/zoom``: OAuth (Server-to-Server and user OAuth,
auto-approved) and the ``/v2`` REST resources, one module per resource.

Response shapes follow Zoom's official OpenAPI specs (Meetings API and Users API).
``routes.py`` lists every route with its rate-limit category.
"""
