"""A small, strict JSONPath subset for picking one value out of a JSON answer.

``$`` followed by steps: ``.name`` (letters, digits, ``_`` and ``-``), ``['name']`` or
``["name"]`` (any text without that quote or a backslash) and ``[index]`` (a non-negative or
negative integer). No wildcards, filters or recursive descent: one path names one value.
"""

from __future__ import annotations

import re
from typing import Any

MAX_PATH = 300
MAX_STEPS = 32
_STEP = re.compile(
    r"""\.(?P<name>[A-Za-z_][A-Za-z0-9_\-]*)"""
    r"""|\[(?P<index>-?\d{1,6})\]"""
    r"""|\['(?P<single>[^'\\]{1,200})'\]"""
    r"""|\["(?P<double>[^"\\]{1,200})"\]"""
)

Step = str | int


class PathError(ValueError):
    """A path outside the subset, with the reason."""


class NoMatch(LookupError):
    """The document has nothing at the path."""


def parse(path: str) -> tuple[Step, ...]:
    if not isinstance(path, str) or not path.startswith("$") or len(path) > MAX_PATH:
        raise PathError(f"must start with '$' and be at most {MAX_PATH} characters")
    steps: list[Step] = []
    position = 1
    while position < len(path):
        match = _STEP.match(path, position)
        if match is None:
            raise PathError(f"unsupported syntax at character {position}: {path[position:][:20]!r}")
        index = match.group("index")
        if index is not None:
            steps.append(int(index))
        else:
            steps.append(match.group("name") or match.group("single") or match.group("double"))
        position = match.end()
        if len(steps) > MAX_STEPS:
            raise PathError(f"at most {MAX_STEPS} steps")
    return tuple(steps)


def extract(document: Any, steps: tuple[Step, ...]) -> Any:
    """The value at ``steps``; :class:`NoMatch` when a key or index is absent."""
    current = document
    for step in steps:
        if isinstance(step, int):
            if not isinstance(current, list) or not -len(current) <= step < len(current):
                raise NoMatch(f"no index {step}")
            current = current[step]
        else:
            if not isinstance(current, dict) or step not in current:
                raise NoMatch(f"no key {step!r}")
            current = current[step]
    return current
