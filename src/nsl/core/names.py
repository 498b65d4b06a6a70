"""The one rule for human-chosen resource names (keys, contract deployments, ...)."""

from __future__ import annotations

import re

NAME_MAX = 128
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._:@/-]*")


def name_problem(value: str, max_length: int = NAME_MAX) -> str | None:
    """Why ``value`` is not a valid name, or None when it is."""
    if 1 <= len(value) <= max_length and _NAME.fullmatch(value):
        return None
    return (
        f"1-{max_length} characters: letters, digits, space and . _ : @ / -, "
        "starting with a letter or digit"
    )
