"""Sinks: one module per way of posting an alert (console, webhooks, bots)."""
