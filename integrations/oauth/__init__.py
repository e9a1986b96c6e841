"""The OAuth "connect" flows of the admin: views, URLs and the reconnect banner."""
