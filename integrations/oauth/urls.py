from django.urls import path

from . import views

app_name = "oauth"

urlpatterns = [
    path("zoom/connect/", views.zoom_connect, name="zoom-connect"),
    path("zoom/callback/", views.zoom_callback, name="zoom-callback"),
    path("hubspot/connect/", views.hubspot_connect, name="hubspot-connect"),
    path("hubspot/callback/", views.hubspot_callback, name="hubspot-callback"),
]
