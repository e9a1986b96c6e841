"""The registry of webhook handlers. Source apps register theirs at start-up (a `webhooks`
module imported from their AppConfig.ready()), so this app never imports them."""

from collections.abc import Callable

# handler(*, delivery: WebhookDelivery, payload: dict) -> a note for the delivery, or None
Handler = Callable[..., str | None]

_HANDLERS: dict[tuple[str, str], Handler] = {}


def webhook_handler(provider: str, *event_types: str):
    """Registers the decorated function for these event types of "zoom" or "hubspot"."""
    def register(func: Handler) -> Handler:
        for event_type in event_types:
            _HANDLERS[(provider, event_type)] = func
        return func
    return register


def handler_for(provider: str, event_type: str) -> Handler | None:
    return _HANDLERS.get((provider, event_type))
