"""JSON Schemas by key prefix: the longest registered prefix of a key validates values set on it."""

from __future__ import annotations

import logging
from typing import Any

from nsl.core.ids import new_id
from nsl.core.security import Principal
from nsl.services.configuration import rules
from nsl.services.configuration.base import ConfigurationBase
from nsl.services.configuration.errors import SchemaNotFound
from nsl.services.configuration.models import ConfigurationSchema
from nsl.services.configuration.repository import ConfigurationRepository
from nsl.services.configuration.validation import check_schema_document
from nsl.services.configuration.views import page, schema_view

log = logging.getLogger(__name__)


class SchemaUseCases(ConfigurationBase):
    """Register, read, list and remove value schemas. They apply to later writes only."""

    async def put_schema(
        self, prefix: str, document: Any, *, principal: Principal, environment: str | None = None
    ) -> dict[str, Any]:
        async with self.operation("schema.put"):
            env = self.environment(environment)
            rules.check_prefix(prefix)
            schema = check_schema_document(document)
            now = self.ctx.clock.now()
            async with self.ctx.database.session() as session:
                repo = ConfigurationRepository(session)
                row = await repo.schema(env, prefix)
                if row is None:
                    row = ConfigurationSchema(
                        id=new_id(),
                        environment=env,
                        prefix=prefix,
                        created_at=now,
                        created_by=principal.id,
                    )
                    repo.add(row)
                row.document, row.updated_at, row.updated_by = schema, now, principal.id
                await repo.flush()
                view = schema_view(row)
            log.info("configuration %s: schema for %r set by %s", env, prefix, principal.id)
            return view

    async def get_schema(self, prefix: str, *, environment: str | None = None) -> dict[str, Any]:
        async with self.operation("schema.get"):
            env = self.environment(environment)
            rules.check_prefix(prefix)
            async with self.ctx.database.session() as session:
                row = await ConfigurationRepository(session).schema(env, prefix)
            if row is None:
                raise SchemaNotFound(f"no schema for prefix {prefix!r} in {env}")
            return schema_view(row)

    async def list_schemas(
        self, *, environment: str | None = None, page_number: int = 1, page_size: int = 50
    ) -> dict[str, Any]:
        async with self.operation("schema.list"):
            env = self.environment(environment)
            rules.check_page(page_number, page_size)
            async with self.ctx.database.session() as session:
                repo = ConfigurationRepository(session)
                total = await repo.count_schemas(env)
                rows = await repo.schemas(env, (page_number - 1) * page_size, page_size)
                items = [schema_view(r) for r in rows]
            return page(items, total, page_number, page_size)

    async def delete_schema(
        self, prefix: str, *, principal: Principal, environment: str | None = None
    ) -> None:
        async with self.operation("schema.delete"):
            env = self.environment(environment)
            rules.check_prefix(prefix)
            async with self.ctx.database.session() as session:
                repo = ConfigurationRepository(session)
                row = await repo.schema(env, prefix)
                if row is None:
                    raise SchemaNotFound(f"no schema for prefix {prefix!r} in {env}")
                await repo.remove_schema(row)
            log.info("configuration %s: schema for %r removed by %s", env, prefix, principal.id)
