"""HubSpot, as the sandbox serves it under ``/hubspot``: OAuth (public app, auto-approved),
contact properties, contacts (list, batch read, batch upsert), marketing events and their
attendance, one module per resource. ``routes.py`` lists every route.
"""
