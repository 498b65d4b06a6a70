"""Settings: one pydantic-settings tree, ``NSL_`` prefix, ``__`` nesting, ``.env`` and secrets dir.

Built once by an entry point (``Settings.load()``) and passed down; nothing reads the
environment at import time.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from nsl.core.settings_backup import BackupSettings
from nsl.core.settings_storage import StorageSettings

Environment = Literal["development", "test", "staging", "production"]


class DatabaseSettings(BaseModel):
    """Relational store. Empty ``url`` means SQLite in the data dir."""

    url: SecretStr | None = None
    pool_min: int = Field(10, ge=1)
    pool_max: int = Field(50, ge=1)
    pool_idle_timeout_s: int = Field(600, ge=1)
    pool_timeout_s: float = Field(10.0, gt=0)
    migrate_on_start: bool = True


class RedisSettings(BaseModel):
    """Shared cache, rate-limit budget and cache invalidation. Empty ``url``: in-process."""

    url: SecretStr | None = None
    key_prefix: str = "nsl:"
    pool_max: int = Field(20, ge=1)
    socket_timeout_s: float = Field(2.0, gt=0)


class RabbitMQSettings(BaseModel):
    """Event bus broker. Empty ``url``: in-process bus."""

    url: SecretStr | None = None
    exchange: str = "nsl.events"
    queue_prefix: str = "nsl"


class CacheSettings(BaseModel):
    """Two cache tiers: L1 in-process, L2 Redis (the seed's 30 s / 5 min)."""

    l1_ttl_s: float = Field(30.0, gt=0)
    l1_max_entries: int = Field(10_000, ge=1)
    l2_ttl_s: float = Field(300.0, gt=0)


class OutboxSettings(BaseModel):
    """Transactional outbox relay."""

    poll_interval_s: float = Field(0.5, gt=0)
    batch_size: int = Field(100, ge=1)


class RouteClassLimits(BaseModel):
    """Requests allowed per window for one route class."""

    auth: int = Field(10, ge=1)
    read: int = Field(100, ge=1)
    write: int = Field(50, ge=1)


class RateLimitSettings(BaseModel):
    """Sliding-window limits per client IP and per principal, by route class."""

    enabled: bool = True
    window_s: int = Field(60, ge=1)
    per_ip: RouteClassLimits = RouteClassLimits()
    per_principal: RouteClassLimits = RouteClassLimits(auth=10, read=300, write=120)
    trust_forwarded_for: bool = False


class AuthSettings(BaseModel):
    """Tokens, lockout and password rules."""

    jwt_secret: SecretStr | None = None
    # other secrets accepted when verifying, never for signing (a rotation's next or previous)
    previous_jwt_secrets: list[SecretStr] = Field(default_factory=list)
    jwt_issuer: str = "neo-service-layer"
    jwt_audience: str = "neo-service-layer"
    access_token_ttl_s: int = Field(900, ge=60)
    refresh_token_ttl_s: int = Field(30 * 24 * 3600, ge=300)
    max_failed_logins: int = Field(5, ge=1)
    lockout_s: int = Field(30 * 60, ge=1)
    password_min_length: int = Field(12, ge=8)
    api_key_cache_s: float = Field(5.0, ge=0)


class HttpSettings(BaseModel):
    """How the gateway serves: address, TLS, CORS, body limit."""

    host: str = "127.0.0.1"
    port: int = Field(8080, ge=1, le=65535)
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    tls_terminated_upstream: bool = False
    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = Field(2 * 1024 * 1024, ge=1024)
    workers: int = Field(1, ge=1)

    @property
    def tls(self) -> bool:
        return self.tls_cert_file is not None and self.tls_key_file is not None


class GatewaySettings(BaseModel):
    """Where the gateway sends services that run in other processes, and how it follows rollouts."""

    upstreams: dict[str, str] = Field(default_factory=dict)
    route_poll_interval_s: float = Field(1.0, gt=0)
    ack_window_s: float = Field(5.0, gt=0)
    proxy_timeout_s: float = Field(60.0, gt=0)
    proxy_connect_timeout_s: float = Field(3.0, gt=0)


class DeploySettings(BaseModel):
    """``nsl deploy``: how services are grouped into processes on this machine, and their ports."""

    groups: dict[str, list[str]] = Field(default_factory=dict)
    base_port: int = Field(8101, ge=1024, le=65000)
    ready_timeout_s: float = Field(90.0, gt=0)
    drain_timeout_s: float = Field(30.0, gt=0)


class ServiceToggle(BaseModel):
    """Per-service switch (``NSL_SERVICES__<NAME>__ENABLED``)."""

    enabled: bool = True


class ConfigurationSettings(BaseModel):
    """The configuration service."""

    history_limit: int = Field(10, ge=1, le=1000)
    max_value_bytes: int = Field(1024 * 1024, ge=1)


class Pkcs11Settings(BaseModel):
    """The PKCS#11 token the ``pkcs11`` enclave provider uses (SoftHSM2's module by default)."""

    module: Path = Path("/usr/lib/softhsm/libsofthsm2.so")
    token_label: str = "nsl"
    pin: SecretStr | None = None


class EnclaveSettings(BaseModel):
    """Where keys live: ``software`` (sealed under a master key) or ``pkcs11`` (an HSM)."""

    provider: Literal["software", "pkcs11"] = "software"
    master_key: SecretStr | None = None
    previous_master_keys: list[SecretStr] = Field(default_factory=list)
    allow_software: bool = False
    key_cache_size: int = Field(10_000, ge=1)
    pkcs11: Pkcs11Settings = Pkcs11Settings()


class KeysSettings(BaseModel):
    """The key management service."""

    rotation_days: int = Field(90, ge=1, le=36500)
    deletion_grace_days: int = Field(7, ge=1, le=365)
    rate_limit_per_minute: int = Field(60_000, ge=1)
    usage_flush_interval_s: float = Field(5.0, gt=0)
    maintenance_interval_s: float = Field(60.0, gt=0)
    max_keys_per_owner: int = Field(1000, ge=1)


class SecretsSettings(BaseModel):
    """The secrets service (Vault-KV-v2-like, path addressed)."""

    max_versions: int = Field(10, ge=1, le=1000)
    rotation_days: int = Field(30, ge=0, le=36500)
    rotation_check_interval_s: float = Field(300.0, gt=0)
    max_value_bytes: int = Field(64 * 1024, ge=1, le=1024 * 1024)
    max_secrets: int = Field(10_000, ge=1)


class EventsSettings(BaseModel):
    """The event subscriptions service: polling, confirmations, webhook delivery and retries."""

    poll_interval_s: float = Field(1.0, gt=0)
    delivery_interval_s: float = Field(0.5, gt=0)
    lease_ttl_s: float = Field(15.0, gt=0)  # one replica polls a chain while it renews this
    max_blocks_per_poll: int = Field(1000, ge=1, le=2000)  # Neo N3 reads at most 2000
    reorg_window_blocks: int = Field(64, ge=1, le=10_000)  # recent block hashes remembered
    confirmations_neo_n3: int = Field(1, ge=0)  # dBFT: a block is final once made
    confirmations_neo_x: int = Field(2, ge=0)
    max_confirmations: int = Field(1000, ge=0)
    webhook_timeout_s: float = Field(10.0, gt=0)
    max_attempts: int = Field(8, ge=1, le=100)
    max_age_s: float = Field(24 * 3600.0, gt=0)  # then a failing delivery is dead-lettered
    backoff_base_s: float = Field(2.0, gt=0)
    backoff_cap_s: float = Field(3600.0, gt=0)
    delivery_batch: int = Field(50, ge=1, le=1000)
    max_subscriptions: int = Field(1000, ge=1)  # per owner
    allow_private_webhooks: bool | None = None  # None: allowed except in production
    retention_days: int = Field(30, ge=1)
    lag_warn_blocks: int = Field(100, ge=1)


class NotificationsSettings(BaseModel):
    """Notifications: delivery loop, retries (up to 3 days), per-recipient limits, size caps,
    the bus topics consumed for topic subscriptions and the SMTP/HTTP target policy."""

    delivery_interval_s: float = Field(0.5, gt=0)
    delivery_batch: int = Field(100, ge=1, le=1000)
    send_timeout_s: float = Field(10.0, gt=0, le=120)
    max_age_s: float = Field(3 * 86400.0, gt=0)  # then a failing notification is dead-lettered
    backoff_base_s: float = Field(5.0, gt=0)
    backoff_cap_s: float = Field(3600.0, gt=0)
    recipient_limit: int = Field(60, ge=1)  # notifications per recipient and channel ...
    recipient_window_s: int = Field(60, ge=1)  # ... in this sliding window; more are deferred
    allow_loopback: bool = False  # development and tests only: loopback HTTP/SMTP targets
    allow_private: bool = False
    max_subject_chars: int = Field(1000, ge=1, le=10_000)
    max_body_bytes: int = Field(64 * 1024, ge=256, le=1024 * 1024)
    max_template_bytes: int = Field(32 * 1024, ge=256, le=1024 * 1024)
    max_channels: int = Field(100, ge=1)  # per owner
    max_batch_window_s: int = Field(86400, ge=1)
    bus_topics: list[str] = Field(default_factory=lambda: ["#"])  # consumed for subscriptions
    retention_days: int = Field(30, ge=1)


class ContractsSettings(BaseModel):
    """The contracts service: settling transactions recorded ``unconfirmed``."""

    settle_interval_s: float = Field(10.0, gt=0)
    settle_batch: int = Field(100, ge=1, le=1000)
    # a transaction with no deadline of its own (Neo X) counts as never included after this
    unconfirmed_expiry_s: float = Field(3600.0, gt=0)


class AutomationSettings(BaseModel):
    """Automation jobs: the scheduler tick, execution leases, retries, history kept per job."""

    tick_interval_s: float = Field(0.25, gt=0)  # how often due jobs are claimed
    watch_interval_s: float = Field(1.0, gt=0)  # block-height conditions are polled this often
    claim_batch: int = Field(500, ge=1, le=10_000)
    concurrency: int = Field(200, ge=1, le=10_000)  # actions running at once per process
    lease_ttl_s: float = Field(60.0, gt=0)  # a dead runner's execution is taken over after this
    retry_base_s: float = Field(2.0, gt=0)
    retry_cap_s: float = Field(600.0, gt=0)
    action_timeout_s: float = Field(10.0, gt=0)  # webhook actions
    history_per_job: int = Field(1000, ge=1)
    max_jobs: int = Field(1000, ge=1)  # per owner
    allow_private_webhooks: bool | None = None  # None: allowed except in production


MAX_DASHBOARD_SAMPLES = 10_000


class OracleSigner(BaseModel):
    """One oracle node of the signer set: its Neo N3 (secp256r1, compressed hex) and Neo X
    (secp256k1, compressed hex) public keys, as ``GET /api/v1/oracle/node`` shows them."""

    neo_n3: str
    neo_x: str


class OracleConsumerTarget(BaseModel):
    """An OracleConsumer contract that finalized rounds are pushed to, with the key (of the
    principal ``owner_id`` in the keys service) that pays for and signs the transaction."""

    chain: str
    contract: str
    key_id: str
    owner_id: str


class OracleSettings(BaseModel):
    """The oracle: this node's identity, the signer set and quorum, source fetching limits,
    anti-manipulation bounds, push targets and per-consumer limits (docs/oracle.md)."""

    node_id: str = Field("node-1", min_length=1, max_length=64)
    signers: list[OracleSigner] = Field(default_factory=list)  # empty: this node alone
    quorum: int | None = Field(None, ge=1)  # None: 2f+1 of n = len(signers)
    round_interval_s: float = Field(5.0, gt=0)
    lease_ttl_s: float = Field(15.0, gt=0)
    round_timeout_s: float = Field(60.0, gt=0)
    allow_loopback_sources: bool = False  # development and tests only
    allowed_hosts: list[str] = Field(default_factory=list)  # empty: any public host
    source_timeout_s: float = Field(5.0, gt=0, le=60)
    max_response_bytes: int = Field(64 * 1024, ge=256, le=8 * 1024 * 1024)
    mad_k: Decimal = Field(Decimal("5"), gt=0)
    max_spread: Decimal = Field(Decimal("0.05"), gt=0)  # (max-min)/min of used sources
    max_single_source_shift: Decimal = Field(Decimal("0.01"), gt=0)  # leave-one-out median
    consumers: list[OracleConsumerTarget] = Field(default_factory=list)
    rate_limit_per_minute: int = Field(600, ge=1)
    latest_cache_s: float = Field(1.0, ge=0)
    max_feeds: int = Field(1000, ge=1)


class DashboardSettings(BaseModel):
    """The operator dashboard at ``/dashboard``: metric sampling and the Alertmanager it reads."""

    enabled: bool = True
    sample_interval_s: float = Field(10.0, ge=0.1, le=3600)
    history_s: float = Field(3600.0, ge=1, le=7 * 24 * 3600)
    alertmanager_url: SecretStr | None = None  # e.g. http://alertmanager:9093
    alertmanager_timeout_s: float = Field(2.0, gt=0, le=60)

    @model_validator(mode="after")
    def _bounded_history(self) -> DashboardSettings:
        if self.history_s / self.sample_interval_s > MAX_DASHBOARD_SAMPLES:
            raise ValueError(
                f"history_s / sample_interval_s must be at most {MAX_DASHBOARD_SAMPLES} samples"
            )
        return self


class TracingSettings(BaseModel):
    """OpenTelemetry traces, exported over OTLP/HTTP (protobuf). Off by default (embedded mode)."""

    enabled: bool = False
    otlp_endpoint: str = "http://127.0.0.1:4318"  # collector base URL; /v1/traces is added
    headers: dict[str, SecretStr] = Field(default_factory=dict)  # e.g. a collector's API key
    service_name: str | None = None  # default: nsl-gateway, or nsl-<service> for one service
    sample_ratio: float = Field(1.0, ge=0, le=1)  # of new traces; a caller's decision is kept
    export_timeout_s: float = Field(10.0, gt=0, le=300)
    schedule_delay_s: float = Field(5.0, gt=0, le=300)
    max_queue_size: int = Field(2048, ge=1)  # spans past it are dropped, never waited for
    max_export_batch_size: int = Field(512, ge=1)
    exclude_paths: list[str] = Field(default_factory=lambda: ["/health", "/metrics"])

    @field_validator("otlp_endpoint")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL (OTLP/HTTP)")
        return value

    @model_validator(mode="after")
    def _batch_fits_queue(self) -> TracingSettings:
        if self.max_export_batch_size > self.max_queue_size:
            raise ValueError("max_export_batch_size must not exceed max_queue_size")
        return self


Network = Literal["mainnet", "testnet", "local"]


class ChainSettings(BaseModel):
    """One chain: its network, RPC endpoints (several: failover) and limits.

    Empty ``endpoints`` on ``network=local`` means the embedded dev chain's. ``network_id`` is the
    Neo N3 magic or the EVM chain id; empty means the network's known value (``local``: asked
    of the node). A node answering with another id is refused at start."""

    enabled: bool = True
    network: Network = "local"
    endpoints: list[SecretStr] = Field(default_factory=list)
    network_id: int | None = None
    timeout_s: float = Field(5.0, gt=0)
    retries: int = Field(2, ge=0, le=10)
    breaker_failures: int = Field(3, ge=1)
    breaker_reset_s: float = Field(15.0, gt=0)
    receipt_timeout_s: float = Field(60.0, gt=0)
    max_contract_bytes: int = Field(512 * 1024, ge=1)
    max_gas: int = Field(0, ge=0)  # per transaction; 0 = the chain's own limit


class NeoN3Settings(ChainSettings):
    max_gas: int = Field(100 * 10**8, ge=0)  # datoshi of system fee


class NeoXSettings(ChainSettings):
    max_gas: int = Field(15_000_000, ge=0)  # gas units


class DevChainSettings(BaseModel):
    """Embedded dev chains started by ``nsl up`` (neo-go, Hardhat) for ``network=local``."""

    start: bool = True
    block_time_ms: int = Field(100, ge=10, le=15_000)
    neo_n3_magic: int = Field(7_040_001, ge=1, lt=2**32)
    neo_x_chain_id: int = Field(40_001, ge=1)
    hardhat_dir: Path | None = None  # where `make hardhat` installed it; default: the repo's


class ChainsSettings(BaseModel):
    neo_n3: NeoN3Settings = NeoN3Settings()
    neo_x: NeoXSettings = NeoXSettings()
    dev: DevChainSettings = DevChainSettings()


class Settings(BaseSettings):
    """The whole tree. Environment variables win over ``.env``, which wins over defaults."""

    model_config = SettingsConfigDict(
        env_prefix="NSL_",
        env_nested_delimiter="__",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
    )

    env: Environment = "development"
    data_dir: Path = Path("./var")
    phase: int = Field(4, ge=1, le=4)
    only_services: list[str] = Field(default_factory=list)
    log_level: str = "INFO"
    log_json: bool | None = None
    bootstrap_admin_key: SecretStr | None = None
    master_key: SecretStr | None = None

    database: DatabaseSettings = DatabaseSettings()
    redis: RedisSettings = RedisSettings()
    rabbitmq: RabbitMQSettings = RabbitMQSettings()
    cache: CacheSettings = CacheSettings()
    outbox: OutboxSettings = OutboxSettings()
    rate_limit: RateLimitSettings = RateLimitSettings()
    auth: AuthSettings = AuthSettings()
    http: HttpSettings = HttpSettings()
    configuration: ConfigurationSettings = ConfigurationSettings()
    secrets: SecretsSettings = SecretsSettings()
    keys: KeysSettings = KeysSettings()
    enclave: EnclaveSettings = EnclaveSettings()
    chains: ChainsSettings = ChainsSettings()
    events: EventsSettings = EventsSettings()
    contracts: ContractsSettings = ContractsSettings()
    automation: AutomationSettings = AutomationSettings()
    notifications: NotificationsSettings = NotificationsSettings()
    oracle: OracleSettings = OracleSettings()
    storage: StorageSettings = StorageSettings()
    backup: BackupSettings = BackupSettings()
    gateway: GatewaySettings = GatewaySettings()
    deploy: DeploySettings = DeploySettings()
    dashboard: DashboardSettings = DashboardSettings()
    tracing: TracingSettings = TracingSettings()
    services: dict[str, ServiceToggle] = Field(default_factory=dict)

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        upper = value.upper()
        if upper not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        return upper

    @classmethod
    def load(cls, secrets_dir: Path | None = None, **overrides: Any) -> Settings:
        """Read the environment, ``.env`` and (when given or present) a secrets directory."""
        directory = secrets_dir or _default_secrets_dir()
        if directory is not None:
            return cls(_secrets_dir=directory, **overrides)
        return cls(**overrides)

    def service_enabled(self, name: str) -> bool:
        toggle = self.services.get(name.replace("-", "_")) or self.services.get(name)
        return toggle.enabled if toggle else True

    @property
    def json_logs(self) -> bool:
        return self.log_json if self.log_json is not None else self.env == "production"


def _default_secrets_dir() -> Path | None:
    import os

    configured = os.environ.get("NSL_SECRETS_DIR")
    if configured:
        return Path(configured)
    standard = Path("/run/secrets")
    return standard if standard.is_dir() else None
