"""JSON Schema (Draft 2020-12) for values: checking a schema document, and a value against it.

References must be local (``#...``) and resolvable; ``format`` is asserted. Errors name the
JSON path of the failing field (``value.servers[0].port``) and the schema keyword broken; for
secrets the message never repeats the value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from jsonschema import Draft202012Validator, SchemaError
from jsonschema.exceptions import ValidationError
from referencing import Registry
from referencing.exceptions import Unresolvable
from referencing.jsonschema import DRAFT202012

from nsl.core.errors import FieldIssue, ValidationFailed

MAX_ISSUES = 10
_BASE = "urn:nsl:configuration:schema"


def check_schema_document(document: Any) -> dict[str, Any]:
    """The schema, when it is a valid Draft 2020-12 object schema; else a 422 naming the rule."""
    if not isinstance(document, dict):
        raise ValidationFailed.on("schema", "type", "must be a JSON object")
    try:
        Draft202012Validator.check_schema(document)
    except SchemaError as exc:
        raise ValidationFailed.on(
            _path("schema", exc.absolute_path),
            "valid_schema",
            f"not a valid Draft 2020-12 schema: {exc.message} (keyword {exc.validator!r})",
        ) from exc
    resolver = (
        Registry().with_resource(_BASE, DRAFT202012.create_resource(document)).resolver(_BASE)
    )
    for ref in _refs(document):
        if not ref.startswith("#"):
            raise ValidationFailed.on("schema", "local_refs", f"$ref {ref!r} is not local ('#...')")
        try:
            resolver.lookup(ref)
        except Unresolvable as exc:
            raise ValidationFailed.on(
                "schema", "resolvable_refs", f"$ref {ref!r} resolves to nothing"
            ) from exc
    return document


def validate_value(
    document: dict[str, Any], value: Any, *, prefix: str, secret: bool, field: str = "value"
) -> None:
    """Raise a 422 listing where ``value`` breaks the schema registered for ``prefix``."""
    validator = Draft202012Validator(document, format_checker=Draft202012Validator.FORMAT_CHECKER)
    try:
        errors = sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.absolute_path)))
    except Unresolvable as exc:
        raise ValidationFailed.on(
            field, "schema_ref", f"the schema for {prefix!r} has a broken $ref"
        ) from exc
    if not errors:
        return
    issues = [_issue(error, field, secret) for error in errors[:MAX_ISSUES]]
    summary = "; ".join(f"{i.field}: {i.message}" for i in issues[:3])
    raise ValidationFailed(
        f"the value does not match the schema for prefix {prefix!r}: {summary}",
        code="configuration.schema_violation",
        fields=issues,
        extra={"schema_prefix": prefix},
    )


def _issue(error: ValidationError, field: str, secret: bool) -> FieldIssue:
    rule = str(error.validator)
    if secret:
        message = f"does not satisfy the schema keyword {rule!r}"
    else:
        message = error.message if len(error.message) <= 300 else error.message[:297] + "..."
    return FieldIssue(_path(field, error.absolute_path), rule, message)


def _path(root: str, parts: Iterable[str | int]) -> str:
    text = root
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _refs(node: Any) -> list[str]:
    found: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for name, child in item.items():
                if name in {"$ref", "$dynamicRef"} and isinstance(child, str):
                    found.append(child)
                else:
                    stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)
    return found
