"""Non-secret settings every ``nsl`` container gets, and the secret variables it expects from
the env file ``nsl credentials generate`` writes (compose ``env_file``, a Kubernetes Secret)."""

from __future__ import annotations

from pydantic import BaseModel

from nsl.core.settings import Settings
from nsl.ops.manifests.spec import DATA_DIR, PORT, Pool

ENV_FILE = ".env.production"  # beside the compose files: deploy/compose/.env.production
SECRET_NAME = "nsl-credentials"
CONFIG_NAME = "nsl-settings"

# The variables ``nsl credentials generate`` writes (a test keeps this list equal to them).
SECRET_VARIABLES = (
    "NSL_ENV",
    "NSL_AUTH__JWT_SECRET",
    "NSL_MASTER_KEY",
    "NSL_ENCLAVE__MASTER_KEY",
    "NSL_BOOTSTRAP_ADMIN_KEY",
    "DB_USER",
    "DB_NAME",
    "DB_PASSWORD",
    "NSL_DATABASE__URL",
    "REDIS_USER",
    "REDIS_PASSWORD",
    "NSL_REDIS__URL",
    "RABBITMQ_USER",
    "RABBITMQ_PASSWORD",
    "NSL_RABBITMQ__URL",
)


def process_env(pool: Pool) -> dict[str, str]:
    """Settings shared by every process: listen on all interfaces, plain HTTP behind the TLS
    terminator, no embedded dev chains, JSON logs, a pool sized to the connection budget."""
    return {
        "NSL_HTTP__HOST": "0.0.0.0",  # noqa: S104 - inside a container or pod network
        "NSL_HTTP__PORT": str(PORT),
        "NSL_HTTP__TLS_TERMINATED_UPSTREAM": "true",
        "NSL_DATA_DIR": DATA_DIR,
        "NSL_CHAINS__DEV__START": "false",
        "NSL_LOG_JSON": "true",
        "NSL_DATABASE__POOL_MIN": str(pool.minimum),
        "NSL_DATABASE__POOL_MAX": str(pool.maximum),
    }


def names_a_setting(variable: str) -> bool:
    """Whether ``NSL_A__B`` is a field path of :class:`Settings` (a dict field ends the walk)."""
    if not variable.startswith("NSL_"):
        return False
    model: type[BaseModel] | None = Settings
    for part in variable.removeprefix("NSL_").lower().split("__"):
        if model is None:
            return True  # inside a dict-valued field: any key is allowed
        field = model.model_fields.get(part)
        if field is None:
            return False
        annotation = field.annotation
        model = (
            annotation
            if isinstance(annotation, type) and issubclass(annotation, BaseModel)
            else None
        )
    return True


def known(env: dict[str, str]) -> dict[str, str]:
    """Only the variables naming a setting this version has (optional features)."""
    return {name: value for name, value in env.items() if names_a_setting(name)}


def compose_extras() -> tuple[dict[str, str], dict[str, str]]:
    """(every process, the gateway only): traces to Jaeger, alerts from Alertmanager."""
    processes = known(
        {"NSL_TRACING__ENABLED": "true", "NSL_TRACING__OTLP_ENDPOINT": "http://jaeger:4318"}
    )
    gateway = known({"NSL_DASHBOARD__ALERTMANAGER_URL": "http://alertmanager:9093"})
    return processes, gateway
