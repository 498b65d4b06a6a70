"""Automation signs its webhook actions and checks its webhook triggers with the platform
signature (``nsl.core.webhooks``); webhook actions also carry an idempotency key."""

from __future__ import annotations

from nsl.core.webhooks import SIGNATURE_HEADER as SIGNATURE_HEADER
from nsl.core.webhooks import TIMESTAMP_HEADER as TIMESTAMP_HEADER
from nsl.core.webhooks import fresh_and_valid as fresh_and_valid
from nsl.core.webhooks import new_secret as new_secret
from nsl.core.webhooks import signature as signature

IDEMPOTENCY_HEADER = "X-NSL-Idempotency-Key"
