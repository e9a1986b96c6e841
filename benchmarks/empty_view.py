"""The yardstick of benchmarks/webhook_ingest.py: the product's own settings and middleware,
served by the same gunicorn set-up, but one view that does nothing. Never part of the
product's URLs."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402


@csrf_exempt
def empty(request):
    return HttpResponse('{"status": "ok"}', content_type="application/json")


urlpatterns = [path("webhooks/zoom/", empty)]
settings.ROOT_URLCONF = __name__
application = get_wsgi_application()
