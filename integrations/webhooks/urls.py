from django.urls import path

from .hubspot import hubspot_webhook
from .zoom import zoom_webhook

urlpatterns = [
    path("zoom/", zoom_webhook, name="zoom-webhook"),
    path("hubspot/", hubspot_webhook, name="hubspot-webhook"),
]
