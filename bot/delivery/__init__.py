"""Delivery: rendering per platform, the outbox dispatcher, and sinks."""
