"""Acting on webhook deliveries: which function handles which provider's event."""
