"""The signed webhook inbox: Zoom's and HubSpot's endpoints, their signature checks, and the
registry of handlers that source apps fill from their `webhooks.py` modules."""
