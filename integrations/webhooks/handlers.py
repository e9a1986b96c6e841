"""Which function processes which event. Source apps register theirs from a `webhooks.py`
module imported in their AppConfig.ready(); integrations itself knows no source app.

A handler processes one delivery. An event that comes in bursts (thousands of joins when a
webinar starts) may also have a batch handler, given consecutive deliveries of its events at
once so a burst costs a few bulk writes instead of a dozen queries per event."""

from collections.abc import Callable

# handler(*, delivery: WebhookDelivery, payload: dict) -> a note for the delivery log, or None
Handler = Callable[..., str | None]
# batch(*, items: list[tuple[WebhookDelivery, dict]]) -> one note (or None) per item, in order
BatchHandler = Callable[..., list[str | None]]

_HANDLERS: dict[tuple[str, str], Handler] = {}
_BATCH_HANDLERS: dict[tuple[str, str], BatchHandler] = {}


def webhook_handler(provider: str, *event_types: str):
    """Registers the decorated function for these events of "zoom" or "hubspot"."""

    def register(func: Handler) -> Handler:
        for event_type in event_types:
            _HANDLERS[(provider, event_type)] = func
        return func

    return register


def webhook_batch_handler(provider: str, *event_types: str):
    """Registers the decorated function for batches of these events. It must leave exactly
    the state its single handler would, applied item by item in the order given."""

    def register(func: BatchHandler) -> BatchHandler:
        for event_type in event_types:
            _BATCH_HANDLERS[(provider, event_type)] = func
        return func

    return register


def handler_for(provider: str, event_type: str) -> Handler | None:
    return _HANDLERS.get((provider, event_type))


def batch_handler_for(provider: str, event_type: str) -> BatchHandler | None:
    return _BATCH_HANDLERS.get((provider, event_type))
