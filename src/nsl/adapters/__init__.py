"""Adapters: cache, event bus + outbox, leases and rate limits, each in-process or networked."""
