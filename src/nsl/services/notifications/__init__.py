"""Notifications: channels, templates, topic subscriptions and reliable delivery."""
