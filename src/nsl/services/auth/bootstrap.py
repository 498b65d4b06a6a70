"""First start: make sure an admin exists and hand its API key to the operator exactly once.

With ``explicit_key`` (``NSL_BOOTSTRAP_ADMIN_KEY``) that key is used; when admins already
exist and the explicit key is new, it is added as another key of the ``admin`` principal
(a key that is already stored, even revoked, is never added again). The raw key is written to
``<data_dir>/admin-api-key`` (mode 0600) and returned so the caller can print it once.
"""

from __future__ import annotations

import logging
from pathlib import Path

from nsl.core.errors import Conflict
from nsl.core.security import Role
from nsl.services.auth.credentials import check_explicit_key, digest, new_api_key
from nsl.services.auth.files import write_private
from nsl.services.auth.keys import Keys
from nsl.services.auth.principals import Principals
from nsl.services.auth.repository import AuthRepository

log = logging.getLogger(__name__)
ADMIN_NAME = "admin"
KEY_FILE = "admin-api-key"


class Bootstrap(Principals, Keys):
    """``ensure_bootstrap_admin``."""

    async def ensure_bootstrap_admin(self, data_dir: Path, explicit_key: str | None) -> str | None:
        """The new admin key (also written to the key file), or None when nothing was created."""
        async with self.operation("bootstrap_admin"):
            if explicit_key is not None:
                check_explicit_key(explicit_key)
            async with self.ctx.database.session() as session:
                repo = AuthRepository(session)
                admins = await repo.enabled_admin_ids()
                known = explicit_key is not None and await repo.key_hash_exists(
                    digest(explicit_key)
                )
                named = await repo.principal_by_name(ADMIN_NAME)
            if known and not admins:
                raise Conflict(
                    "the bootstrap key belongs to a principal that is not an enabled admin",
                    code="auth.bootstrap_blocked",
                )
            if known or (admins and explicit_key is None):
                return None
            if named is not None and named.id in admins:
                owner: str | None = named.id
            else:
                owner = admins[0] if admins else await self._create_admin()
            if owner is None:
                return None
            raw = explicit_key or new_api_key()
            await self.store_key(owner, "bootstrap", raw, None, None)
            path = data_dir / KEY_FILE
            write_private(path, raw.encode("utf-8") + b"\n")
            log.info("bootstrap admin key stored for principal %s and written to %s", owner, path)
            return raw

    async def _create_admin(self) -> str | None:
        """The new ``admin`` principal's id; None when another process created one meanwhile."""
        try:
            return (await self.create_principal(ADMIN_NAME, "user", [Role.ADMIN.value])).id
        except Conflict as exc:
            if exc.code != "auth.name_taken":
                raise
            async with self.ctx.database.session() as session:
                if await AuthRepository(session).enabled_admin_ids():
                    return None
            raise Conflict(
                f"no enabled admin exists and the name {ADMIN_NAME!r} belongs to a principal that "
                "is not an enabled admin; re-enable it or grant it the admin role",
                code="auth.bootstrap_blocked",
            ) from exc
