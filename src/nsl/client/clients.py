"""The two public clients: every endpoint group on a blocking or an asyncio session."""

from __future__ import annotations

from nsl.client.audit import AuditEndpoints
from nsl.client.auth import AuthEndpoints
from nsl.client.automation import AutomationEndpoints
from nsl.client.backup import BackupEndpoints
from nsl.client.base import AsyncSession, SyncSession
from nsl.client.configuration import ConfigurationEndpoints
from nsl.client.contracts import ContractsEndpoints
from nsl.client.events import EventsEndpoints
from nsl.client.infra import InfraEndpoints
from nsl.client.keys import KeysEndpoints
from nsl.client.notifications import NotificationsEndpoints
from nsl.client.oracle import OracleEndpoints
from nsl.client.randomness import RandomnessEndpoints
from nsl.client.secrets import SecretsEndpoints
from nsl.client.storage import StorageEndpoints


class Client(
    SyncSession,
    InfraEndpoints,
    AuthEndpoints,
    AutomationEndpoints,
    ConfigurationEndpoints,
    ContractsEndpoints,
    EventsEndpoints,
    SecretsEndpoints,
    KeysEndpoints,
    NotificationsEndpoints,
    RandomnessEndpoints,
    OracleEndpoints,
    AuditEndpoints,
    BackupEndpoints,
    StorageEndpoints,
):
    """Blocking client: ``Client(base_url, api_key=..., token=...)``; close it or use ``with``."""


class AsyncClient(
    AsyncSession,
    InfraEndpoints,
    AuthEndpoints,
    AutomationEndpoints,
    ConfigurationEndpoints,
    ContractsEndpoints,
    EventsEndpoints,
    SecretsEndpoints,
    KeysEndpoints,
    NotificationsEndpoints,
    RandomnessEndpoints,
    OracleEndpoints,
    AuditEndpoints,
    BackupEndpoints,
    StorageEndpoints,
):
    """asyncio client with the same methods as ``Client``, each a coroutine."""
