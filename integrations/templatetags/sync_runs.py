from django import template

register = template.Library()

ACTIVE = ("queued", "running")


@register.filter
def any_active(runs) -> bool:
    """True when one of these sync runs is still queued or running."""
    return any(getattr(run, "status", None) in ACTIVE for run in runs or ())
