"""Automation: jobs that run contract invocations, webhooks or notifications on triggers."""
