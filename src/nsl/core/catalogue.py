"""The catalogue: every registered service, its rollout phase and its factory.

One explicit map. Factories are dotted paths loaded on demand, so ``core`` never imports a
service module and registration never depends on an import side effect. A service that is
not finished is not listed here.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from nsl.core.errors import ValidationFailed
from nsl.core.settings import Settings


@dataclass(frozen=True)
class Entry:
    name: str
    phase: int
    factory: str
    description: str
    required: bool = False
    # services it calls in-process (through their clients): a process running it runs them too
    needs: tuple[str, ...] = ()


CATALOGUE: tuple[Entry, ...] = (
    Entry(
        "auth",
        1,
        "nsl.services.auth.service:AuthService",
        "principals, API keys, tokens, TOTP",
        required=True,
    ),
    Entry(
        "configuration",
        1,
        "nsl.services.configuration.service:ConfigurationService",
        "versioned configuration with encrypted secrets",
    ),
    Entry(
        "contracts",
        1,
        "nsl.services.contracts.service:ContractsService",
        "smart contracts on Neo N3 and Neo X: deploy, invoke, call, events",
        needs=("keys",),
    ),
    Entry(
        "audit",
        1,
        "nsl.services.audit.service:AuditService",
        "hash-chained audit log of key, secret and randomness operations",
    ),
    Entry(
        "automation",
        1,
        "nsl.services.automation.service:AutomationService",
        "jobs on cron, interval, time, block height, price, contract event or webhook "
        "triggers: contract calls, webhooks, notifications",
        needs=("contracts", "events", "notifications"),
    ),
    Entry(
        "keys",
        2,
        "nsl.services.keys.service:KeysService",
        "keys in the enclave: sign, verify, encrypt, rotate, export",
    ),
    Entry(
        "secrets",
        2,
        "nsl.services.secrets.service:SecretsService",
        "versioned secrets under enclave envelope encryption, with path policies",
    ),
    Entry(
        "randomness",
        2,
        "nsl.services.randomness.service:RandomnessService",
        "verifiable randomness (ECVRF)",
        needs=("contracts",),
    ),
    Entry(
        "notifications",
        2,
        "nsl.services.notifications.service:NotificationsService",
        "notifications to webhooks, e-mail, Slack, Discord, Telegram and an in-app inbox",
        needs=("secrets",),
    ),
    Entry(
        "events",
        3,
        "nsl.services.events.service:EventsService",
        "contract event subscriptions delivered to webhooks, the bus or an inbox",
    ),
    Entry(
        "oracle",
        3,
        "nsl.services.oracle.service:OracleService",
        "signed multi-node price feeds pushed to Neo N3 and Neo X, and signed requests",
        needs=("contracts", "secrets"),
    ),
    Entry(
        "storage",
        3,
        "nsl.services.storage.service:StorageService",
        "encrypted, versioned object storage: streaming, quotas, sharing, expiry",
    ),
    Entry(
        "backup",
        3,
        "nsl.services.backup.service:BackupService",
        "encrypted database, enclave-key and configuration backups: schedules, verify, prune",
    ),
)

NAMES = frozenset(e.name for e in CATALOGUE)
PHASE_NAMES = {1: "core", 2: "enhanced", 3: "data", 4: "governance & advanced"}


def entry(name: str) -> Entry:
    for item in CATALOGUE:
        if item.name == name:
            return item
    known = ", ".join(e.name for e in CATALOGUE)
    raise ValidationFailed.on(
        "services", "known_service", f"unknown service {name!r}; known: {known}"
    )


def with_needs(
    names: list[str] | tuple[str, ...], entries: tuple[Entry, ...] = CATALOGUE
) -> list[str]:
    """``names`` and every service they need, transitively, in catalogue order."""
    by_name = {e.name: e for e in entries}
    wanted = set(names)
    pending = list(names)
    while pending:
        for need in by_name[pending.pop()].needs:
            if need not in wanted:
                wanted.add(need)
                pending.append(need)
    return [e.name for e in entries if e.name in wanted]


def select(
    settings: Settings, phase: int | None = None, only: list[str] | None = None
) -> list[Entry]:
    """Services to run: the required ones, plus those enabled within the phase (or in ``only``)."""
    limit = phase if phase is not None else settings.phase
    if only:  # with what they call in-process (``needs``)
        named = set(with_needs([entry(n).name for n in only]))
        return [e for e in CATALOGUE if e.name in named or e.required]
    return [
        e
        for e in CATALOGUE
        if e.required or (e.phase <= limit and settings.service_enabled(e.name))
    ]


def load(item: Entry) -> type:
    """Import the service class named by the entry's factory path."""
    module_name, _, attr = item.factory.partition(":")
    cls = getattr(importlib.import_module(module_name), attr)
    if not isinstance(cls, type):
        raise TypeError(f"{item.factory} is not a class")
    return cls
