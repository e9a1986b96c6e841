from django.urls import path

from .hubspot_actions import register_webinar_action, register_webinar_options

urlpatterns = [
    path("actions/register-webinar/", register_webinar_action,
         name="hubspot-action-register-webinar"),
    path("actions/register-webinar/options/", register_webinar_options,
         name="hubspot-action-register-webinar-options"),
]
