"""Which function processes which event. Source apps register theirs from a `webhooks.py`
module imported in their AppConfig.ready(); integrations itself knows no source app."""

from collections.abc import Callable

# handler(*, delivery: WebhookDelivery, payload: dict) -> a note for the delivery log, or None
Handler = Callable[..., str | None]

_HANDLERS: dict[tuple[str, str], Handler] = {}


def webhook_handler(provider: str, *event_types: str):
    """Registers the decorated function for these events of "zoom" or "hubspot"."""

    def register(func: Handler) -> Handler:
        for event_type in event_types:
            _HANDLERS[(provider, event_type)] = func
        return func

    return register


def handler_for(provider: str, event_type: str) -> Handler | None:
    return _HANDLERS.get((provider, event_type))
