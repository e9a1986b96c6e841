"""Thin views around services/oauth.py: start a sign-in, finish it, report the outcome."""

import functools
import logging
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from ..errors import IntegrationError
from ..services.oauth import (
    PROVIDERS,
    hubspot_oauth_authorize_url,
    hubspot_portal_connect_oauth,
    zoom_account_connect_oauth,
    zoom_oauth_authorize_url,
)

logger = logging.getLogger("integrations.oauth")

PERMISSIONS = {"zoom": "integrations.change_zoomaccount",
               "hubspot": "integrations.change_hubspotportal"}


def _staff_only(provider: str):
    """Staff with the right permission only. Unlike staff_member_required, the login redirect
    never carries this URL along (a callback's query holds the authorization code)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not (user.is_active and user.is_staff):
                changelist = reverse(PROVIDERS[provider]["changelist"])
                return redirect(f"{reverse('admin:login')}?{urlencode({'next': changelist})}")
            if not user.has_perm(PERMISSIONS[provider]):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return require_GET(wrapped)

    return decorator


def _back_to_changelist(request, provider: str, message: str):
    messages.error(request, message)
    return redirect(PROVIDERS[provider]["changelist"])


def _start(request, provider: str, authorize_url):
    try:
        url = authorize_url(user_id=request.user.pk)
    except IntegrationError as exc:
        return _back_to_changelist(request, provider, exc.message)
    return HttpResponseRedirect(url)


def _finish(request, provider: str, connect, on_success):
    try:
        obj, created = connect(user_id=request.user.pk, state=request.GET.get("state", ""),
                               code=request.GET.get("code", ""),
                               error=request.GET.get("error", ""))
    except IntegrationError as exc:
        return _back_to_changelist(request, provider, exc.message)
    except Exception as exc:  # never a traceback page; never a token in the log either
        label = PROVIDERS[provider]["label"]
        logger.error("Unexpected %s while finishing the %s OAuth sign-in",
                     type(exc).__name__, label)
        return _back_to_changelist(
            request, provider,
            f"{label} was not connected: something unexpected went wrong "
            f"({type(exc).__name__}). Press “{PROVIDERS[provider]['button']}” to try again.",
        )
    return on_success(obj, created)


@_staff_only("zoom")
def zoom_connect(request):
    return _start(request, "zoom", zoom_oauth_authorize_url)


@_staff_only("zoom")
def zoom_callback(request):
    def linked(account, created):
        portal = (f"; its webinars sync to HubSpot portal “{account.hubspot_portal}”"
                  if account.hubspot_portal else "; choose its HubSpot portal below")
        messages.success(
            request,
            f"{'Linked' if created else 'Reconnected'} Zoom account “{account.name}” "
            f"(account id {account.zoom_account_id}) with user OAuth{portal}.",
        )
        return redirect("admin:integrations_zoomaccount_change", account.pk)

    return _finish(request, "zoom", zoom_account_connect_oauth, linked)


@_staff_only("hubspot")
def hubspot_connect(request):
    return _start(request, "hubspot", hubspot_oauth_authorize_url)


@_staff_only("hubspot")
def hubspot_callback(request):
    def linked(portal, created):
        messages.success(
            request,
            f"{'Linked' if created else 'Reconnected'} HubSpot portal “{portal.name}” "
            f"(hub id {portal.hub_id}) with OAuth.",
        )
        return redirect("admin:integrations_hubspotportal_change", portal.pk)

    return _finish(request, "hubspot", hubspot_portal_connect_oauth, linked)
