from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Zoom ↔ HubSpot sync"
admin.site.site_title = "Zoom ↔ HubSpot sync"
admin.site.index_title = "Webinars, contacts and linked accounts"

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("oauth/", include("integrations.oauth.urls")),
    path("webhooks/", include("integrations.webhooks.urls")),
    path("hubspot/", include("webinars.urls")),
]
