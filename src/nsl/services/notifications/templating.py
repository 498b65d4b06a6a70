"""Templates in a sandboxed Jinja2 (no attribute tricks, no I/O): strict variables (a missing one
is a 400 naming it), HTML autoescaped, output capped while it is produced."""

from __future__ import annotations

import re
from typing import Any

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from nsl.services.notifications.errors import InvalidInput

_TEXT = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
_HTML = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=True)
_UNDEFINED = re.compile(r"'([^']+)' is undefined|has no attribute '([^']+)'")


def _env(fmt: str) -> ImmutableSandboxedEnvironment:
    return _HTML if fmt == "html" else _TEXT


def check(source: str, field: str, fmt: str) -> None:
    """Refuse a template that does not parse (at creation), naming ``field``."""
    try:
        _env(fmt).parse(source)
    except TemplateSyntaxError as exc:
        raise InvalidInput.on(
            field, "template_syntax", f"line {exc.lineno}: {exc.message}"
        ) from exc


def render(source: str, field: str, fmt: str, variables: dict[str, Any], limit: int) -> str:
    """``source`` rendered with ``variables``; a missing variable is a 400 on
    ``variables.<name>``; output past ``limit`` characters is a 400 on ``field``."""
    try:
        template = _env(fmt).from_string(source)
        parts: list[str] = []
        size = 0
        for chunk in template.generate(**variables):
            size += len(chunk)
            if size > limit:
                raise InvalidInput.on(field, "max_size", f"renders to more than {limit} chars")
            parts.append(chunk)
        return "".join(parts)
    except UndefinedError as exc:
        found = _UNDEFINED.search(exc.message or "")
        name = next((g for g in found.groups() if g), "?") if found else "?"
        raise InvalidInput.on(
            f"variables.{name}", "defined", f"the template {field} uses {name!r}, not given"
        ) from exc
    except SecurityError as exc:
        raise InvalidInput.on(field, "sandbox", "the template tried an unsafe operation") from exc
    except TemplateSyntaxError as exc:
        raise InvalidInput.on(
            field, "template_syntax", f"line {exc.lineno}: {exc.message}"
        ) from exc
    except TemplateError as exc:
        raise InvalidInput.on(field, "template", type(exc).__name__) from exc
