"""Production credentials: generate the env file, rotate one credential, report their ages.

Every value comes from :mod:`secrets`; the file is edited through :mod:`nsl.ops.envfile`
(backup first, atomic, mode 0600). Nothing here returns or logs a secret value.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from nsl.core.production import JWT_SECRET_MIN_LENGTH, PLACEHOLDER_MARKERS
from nsl.ops import envfile
from nsl.ops.envfile import EnvFile, EnvFileError, Stamp
from nsl.services.auth.credentials import check_explicit_key, new_api_key

DEFAULT_FILE = Path(".env.production")
MAX_AGE_DAYS = 30  # the seed's rotation period
JWT = "NSL_AUTH__JWT_SECRET"
PREVIOUS_JWT = "NSL_AUTH__PREVIOUS_JWT_SECRETS"
_PROMOTED = (
    "1. Roll every process (one at a time, each passing /health/ready): new tokens are signed\n"
    "   with the new secret; tokens signed with the old one verify until they expire.\n"
    "2. Once the access-token lifetime (NSL_AUTH__ACCESS_TOKEN_TTL_S, default 15 min) has\n"
    "   passed since the roll ended: nsl credentials retire jwt_secret --file {path}\n"
    "3. Roll again so no process accepts the old secret."
)


class CredentialsError(ValueError):
    """A request that cannot be carried out (the message says why; it never holds a secret)."""


@dataclass(frozen=True)
class Password:
    """A service password kept twice: alone (for the server's own setup) and inside a URL."""

    name: str  # the rotate NAME
    variable: str
    url_variable: str

    @property
    def previous(self) -> str:
        return f"{self.variable}_PREVIOUS"


PASSWORDS = {
    p.name: p
    for p in (
        Password("database_password", "DB_PASSWORD", "NSL_DATABASE__URL"),
        Password("redis_password", "REDIS_PASSWORD", "NSL_REDIS__URL"),
        Password("rabbitmq_password", "RABBITMQ_PASSWORD", "NSL_RABBITMQ__URL"),
    )
}
ROTATABLE = ("jwt_secret", *PASSWORDS)
# each credential's stamped variable; the ones not in ROTATABLE are rotated by other commands
STAMPED = {
    "jwt_secret": "NSL_AUTH__JWT_SECRET",
    **{p.name: p.variable for p in PASSWORDS.values()},
    "master_key": "NSL_MASTER_KEY",
    "enclave_master_key": "NSL_ENCLAVE__MASTER_KEY",
    "bootstrap_admin_key": "NSL_BOOTSTRAP_ADMIN_KEY",
}


@dataclass(frozen=True)
class Endpoints:
    """Where the infrastructure runs and the accounts the platform uses on it."""

    db_host: str = "127.0.0.1"
    db_port: int = 5432
    db_name: str = "nsl"
    db_user: str = "nsl"
    redis_host: str = "127.0.0.1"
    redis_port: int = 6379
    redis_db: int = 0
    redis_user: str = "default"
    rabbitmq_host: str = "127.0.0.1"
    rabbitmq_port: int = 5672
    rabbitmq_user: str = "nsl"
    rabbitmq_vhost: str = "/"

    def check(self) -> None:
        for label, host in (
            ("--db-host", self.db_host),
            ("--redis-host", self.redis_host),
            ("--rabbitmq-host", self.rabbitmq_host),
        ):
            if not host or (any(c in host for c in "/@?#: \t'\"\\") and not _ipv6(host)):
                raise CredentialsError(f"{label} must be a host name or address, got {host!r}")
        for label, port in (
            ("--db-port", self.db_port),
            ("--redis-port", self.redis_port),
            ("--rabbitmq-port", self.rabbitmq_port),
        ):
            if not 1 <= port <= 65535:
                raise CredentialsError(f"{label} must be 1..65535")
        for label, name in (
            ("--db-name", self.db_name),
            ("--db-user", self.db_user),
            ("--redis-user", self.redis_user),
            ("--rabbitmq-user", self.rabbitmq_user),
        ):
            if not name or not all(c.isalnum() or c in "_-." for c in name):
                raise CredentialsError(f"{label} must be letters, digits, '_', '-' or '.'")


def _ipv6(host: str) -> bool:
    return host.startswith("[") and host.endswith("]")


def jwt_secret() -> str:
    """86 URL-safe characters (512 bits) that pass ``nsl.core.production``'s checks."""
    while True:
        value = secrets.token_urlsafe(64)
        lowered = value.lower()
        if (
            len(value) >= JWT_SECRET_MIN_LENGTH
            and len(set(value)) >= 16
            and not any(marker in lowered for marker in PLACEHOLDER_MARKERS)
        ):
            return value


def password() -> str:
    """43 URL-safe characters (256 bits): safe unescaped in a URL, a shell and an env file."""
    return secrets.token_urlsafe(32)


def master_key() -> str:
    """32 random bytes as 64 hex digits (the form ``nsl.core.masterkey.decode_key`` reads)."""
    return secrets.token_hex(32)


def bootstrap_admin_key() -> str:
    """An API key in the auth service's own format (``nsl_<id>_<secret>``)."""
    return check_explicit_key(new_api_key())


def database_url(e: Endpoints, pw: str) -> str:
    return f"postgresql://{e.db_user}:{quote(pw, safe='')}@{e.db_host}:{e.db_port}/{e.db_name}"


def redis_url(e: Endpoints, pw: str) -> str:
    return f"redis://{e.redis_user}:{quote(pw, safe='')}@{e.redis_host}:{e.redis_port}/{e.redis_db}"


def rabbitmq_url(e: Endpoints, pw: str) -> str:
    vhost = "" if e.rabbitmq_vhost == "/" else quote(e.rabbitmq_vhost, safe="")
    user = e.rabbitmq_user
    return f"amqp://{user}:{quote(pw, safe='')}@{e.rabbitmq_host}:{e.rabbitmq_port}/{vhost}"


@dataclass
class Written:
    """What a command changed: the file, its backup, and the variable names (never values)."""

    path: Path
    backup: Path | None
    variables: list[str] = field(default_factory=list)
    next_steps: str = ""


def generate(path: Path, now: datetime, *, force: bool, endpoints: Endpoints) -> Written:
    """Write a new production env file; an existing one needs ``force`` and is backed up."""
    endpoints.check()
    if path.exists() and not force:
        raise CredentialsError(
            f"{path} already exists; refusing to replace its credentials. Use 'nsl credentials "
            "rotate' to change one, or --force to generate all anew (a backup is kept)"
        )
    if path.exists() and path.is_dir():
        raise CredentialsError(f"{path} is a directory")
    generated = Stamp("generated", now)
    env = EnvFile(
        [
            "# Neo Service Layer production environment (nsl credentials generate).",
            "# Secrets: keep this file mode 0600; rotate with 'nsl credentials rotate NAME'.",
        ]
    )
    env.set("NSL_ENV", "production")
    env.set("NSL_AUTH__JWT_SECRET", jwt_secret(), stamp=generated)
    env.set("NSL_MASTER_KEY", master_key(), stamp=generated)
    env.set("NSL_ENCLAVE__MASTER_KEY", master_key(), stamp=generated)
    env.set("NSL_BOOTSTRAP_ADMIN_KEY", bootstrap_admin_key(), stamp=generated)
    db_pw, redis_pw, rabbit_pw = password(), password(), password()
    env.set("DB_USER", endpoints.db_user)
    env.set("DB_NAME", endpoints.db_name)
    env.set("DB_PASSWORD", db_pw, stamp=generated)
    env.set("NSL_DATABASE__URL", database_url(endpoints, db_pw))
    env.set("REDIS_USER", endpoints.redis_user)
    env.set("REDIS_PASSWORD", redis_pw, stamp=generated)
    env.set("NSL_REDIS__URL", redis_url(endpoints, redis_pw))
    env.set("RABBITMQ_USER", endpoints.rabbitmq_user)
    env.set("RABBITMQ_PASSWORD", rabbit_pw, stamp=generated)
    env.set("NSL_RABBITMQ__URL", rabbitmq_url(endpoints, rabbit_pw))
    saved = envfile.write(path, env, now)
    return Written(path, saved, env.names())


def rotate(path: Path, name: str, now: datetime) -> Written:
    """Give credential ``name`` a new value, keeping the previous one for the overlap."""
    if name not in ROTATABLE:
        raise CredentialsError(_not_rotatable(name))
    env = _read(path)
    rotated = Stamp("rotated", now)
    if name == "jwt_secret":
        if not env.get(JWT):
            raise CredentialsError(f"{path} has no {JWT} to rotate")
        if _staged(env):
            raise CredentialsError(
                "a new JWT secret is already staged: roll the processes, then run "
                "'nsl credentials promote jwt_secret'"
            )
        # stage: every process learns to accept the new secret before any signs with it
        env.set(PREVIOUS_JWT, _json_list(jwt_secret()), stamp=Stamp("staged", now))
        changed = [PREVIOUS_JWT]
    else:
        spec = PASSWORDS[name]
        current = env.get(spec.variable)
        url = env.get(spec.url_variable)
        if not current or not url:
            raise CredentialsError(f"{path} needs both {spec.variable} and {spec.url_variable}")
        new = password()
        env.set(spec.previous, current)
        env.set(spec.variable, new, stamp=rotated)
        env.set(spec.url_variable, _with_password(url, new, spec.url_variable))
        changed = [spec.variable, spec.url_variable, spec.previous]
    saved = envfile.write(path, env, now)
    return Written(path, saved, changed, next_steps(name, path, env))


def promote(path: Path, now: datetime) -> Written:
    """Sign with the staged JWT secret; the one it replaces still verifies (``previous``)."""
    env = _read(path)
    current, staged = env.get(JWT), env.get(PREVIOUS_JWT)
    if not _staged(env) or not current or not staged:
        raise CredentialsError(
            f"no JWT secret is staged in {path}: run 'nsl credentials rotate jwt_secret' first"
        )
    try:
        new = json.loads(staged)[0]
    except (ValueError, IndexError, KeyError, TypeError) as exc:
        raise CredentialsError(f"{PREVIOUS_JWT} in {path} is not a JSON list") from exc
    if not isinstance(new, str) or len(new) < JWT_SECRET_MIN_LENGTH:
        raise CredentialsError(f"the staged secret in {PREVIOUS_JWT} is not a usable secret")
    env.remove(PREVIOUS_JWT)
    env.set(PREVIOUS_JWT, _json_list(current))
    env.set(JWT, new, stamp=Stamp("rotated", now))
    saved = envfile.write(path, env, now)
    return Written(path, saved, [JWT, PREVIOUS_JWT], _PROMOTED.format(path=path))


def _staged(env: EnvFile) -> bool:
    stamp = env.stamp(PREVIOUS_JWT)
    return stamp is not None and stamp.kind == "staged"


def _json_list(value: str) -> str:
    return json.dumps([value], separators=(",", ":"))


def retire(path: Path, name: str, now: datetime) -> Written:
    """Forget the previous value kept by :func:`rotate` (after every process rolled)."""
    if name not in ROTATABLE:
        raise CredentialsError(_not_rotatable(name))
    env = _read(path)
    if name == "jwt_secret" and _staged(env):
        raise CredentialsError(
            "the JWT secret kept is a staged new one, not a previous one: "
            "run 'nsl credentials promote jwt_secret' first"
        )
    variable = PREVIOUS_JWT if name == "jwt_secret" else PASSWORDS[name].previous
    if not env.remove(variable):
        raise CredentialsError(f"{path} keeps no previous value for {name} ({variable})")
    saved = envfile.write(path, env, now)
    return Written(path, saved, [variable])


@dataclass(frozen=True)
class Age:
    """One credential's age as recorded by its stamp (None when it has no stamp)."""

    name: str
    variable: str
    stamp: Stamp | None
    age: timedelta | None
    rotated_here: bool  # rotated by 'nsl credentials rotate' (the 30-day rule applies)

    def too_old(self, max_age: timedelta) -> bool:
        return self.rotated_here and (self.age is None or self.age > max_age)


def ages(path: Path, now: datetime) -> list[Age]:
    """Each credential present in the file with the age of its value."""
    env = _read(path)
    found = []
    for name, variable in STAMPED.items():
        if env.get(variable) is None:
            continue
        stamp = env.stamp(variable)
        age = now - stamp.at if stamp else None
        found.append(Age(name, variable, stamp, age, name in ROTATABLE))
    if not found:
        raise CredentialsError(f"{path} holds none of the credentials 'generate' writes")
    return found


def _read(path: Path) -> EnvFile:
    try:
        return envfile.read(path)
    except EnvFileError as exc:
        raise CredentialsError(str(exc)) from exc


def _with_password(url: str, new: str, variable: str) -> str:
    parts = urlsplit(url)
    if parts.username is None or parts.hostname is None:
        raise CredentialsError(f"{variable} has no user name and host to put a password with")
    host = parts.netloc.rsplit("@", 1)[-1]
    user = quote(unquote(parts.username), safe="")
    return urlunsplit(parts._replace(netloc=f"{user}:{quote(new, safe='')}@{host}"))


def _not_rotatable(name: str) -> str:
    others = {
        "master_key": "NSL_MASTER_KEY has no overlap setting: rotating it would make every "
        "sealed configuration value and TOTP secret unreadable",
        "enclave_master_key": "rotate the enclave master key with 'nsl enclave rotate-master'",
        "bootstrap_admin_key": "create a new admin key with 'nsl auth create-key --role admin' "
        "and revoke the old one with 'nsl auth revoke-key'",
    }
    reason = others.get(name, f"unknown credential {name!r}")
    return f"{reason} (this command rotates: {', '.join(ROTATABLE)})"


def _host_port(url: str | None, default_port: int) -> tuple[str, int]:
    parts = urlsplit(url or "")
    return parts.hostname or "127.0.0.1", parts.port or default_port


def next_steps(name: str, path: Path, env: EnvFile) -> str:
    """The operator's no-downtime sequence after :func:`rotate` (names variables, never values)."""
    load = f"set -a; . {path}; set +a"
    roll = "2. Roll every process (one at a time, each passing /health/ready) with the new file.\n"
    if name == "jwt_secret":
        return (
            "1. Roll every process (one at a time, each passing /health/ready): each now\n"
            "   accepts the new secret and still signs with the current one.\n"
            f"2. nsl credentials promote jwt_secret --file {path}  (then its steps)"
        )
    if name == "database_password":
        user = env.get("DB_USER") or "nsl"
        host, port = _host_port(env.get("NSL_DATABASE__URL"), 5432)
        return (
            f"1. {load}\n"
            f'   printf "ALTER ROLE {user} PASSWORD \'%s\';\\n" "$DB_PASSWORD" | '
            f"psql -h {host} -p {port} -U postgres -d postgres\n"
            "   (open connections stay authenticated; the password travels on stdin, not argv)\n"
            + roll
            + f"3. nsl credentials retire database_password --file {path}"
        )
    if name == "redis_password":
        user = env.get("REDIS_USER") or "default"
        host, port = _host_port(env.get("NSL_REDIS__URL"), 6379)
        cli = f"redis-cli -h {host} -p {port} --user {user}"
        return (
            f"1. {load}\n"
            f"   printf 'ACL SETUSER {user} on >%s\\n' \"$REDIS_PASSWORD\" | "
            f'REDISCLI_AUTH="$REDIS_PASSWORD_PREVIOUS" {cli}\n'
            "   (the user now accepts both passwords)\n"
            + roll
            + f"3. printf 'ACL SETUSER {user} <%s\\n' \"$REDIS_PASSWORD_PREVIOUS\" | "
            f'REDISCLI_AUTH="$REDIS_PASSWORD" {cli}\n'
            "   then persist it: ACL SAVE (aclfile) or CONFIG REWRITE (redis.conf), and\n"
            f"   nsl credentials retire redis_password --file {path}"
        )
    user = env.get("RABBITMQ_USER") or "nsl"
    return (
        f"1. {load}\n"
        f"   printf '%s' \"$RABBITMQ_PASSWORD\" | rabbitmqctl change_password {user}\n"
        "   (open connections stay up; the password is read from stdin)\n"
        + roll
        + f"3. nsl credentials retire rabbitmq_password --file {path}"
    )
