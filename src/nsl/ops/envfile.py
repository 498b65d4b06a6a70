"""A safe editor for environment files: parse lines, replace or append, keep the rest.

Writes are atomic (a private temporary file renamed into place, mode 0600) and an existing file
is first copied to a timestamped backup (mode 0600). Values are written so that python-dotenv
(pydantic-settings), ``docker compose`` and a POSIX shell (``set -a; . FILE``) read them alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from nsl.ops.safewrite import replace_file

ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$")
STAMP = re.compile(r"^#\s*(generated|rotated|staged)\s+(\S+)\s*$")
BARE = re.compile(r"^[A-Za-z0-9_\-.:/@%+=,]*$")  # needs no quoting for any of the readers
MODE = 0o600


class EnvFileError(ValueError):
    """A value that cannot be written safely, or a file that cannot be parsed."""


@dataclass(frozen=True)
class Stamp:
    """When a variable's value was made: ``generated``, ``rotated`` or ``staged`` at ``at``."""

    kind: str
    at: datetime


def decode(raw: str) -> str:
    """The value of the text after ``=``: quoted literally or unquoted up to a `` #`` comment."""
    text = raw.strip()
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1]
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return re.sub(r"\\([\\\"$`])", r"\1", text[1:-1])
    return re.sub(r"\s+#.*$", "", text)


def encode(value: str) -> str:
    """The value as written: bare when safe, else in single quotes (never a quote or newline)."""
    if BARE.fullmatch(value):
        return value
    if "'" in value or "\n" in value or "\r" in value or "\\" in value:
        raise EnvFileError("a value with a quote, backslash or line break cannot be written")
    return f"'{value}'"


class EnvFile:
    """The lines of one env file; assignments are edited in place, everything else is kept."""

    def __init__(self, lines: list[str] | None = None) -> None:
        self.lines = list(lines or [])

    @classmethod
    def parse(cls, text: str) -> EnvFile:
        return cls(text.splitlines())

    def render(self) -> str:
        return "".join(line + "\n" for line in self.lines)

    def _indexes(self, name: str) -> list[int]:
        return [i for i, line in enumerate(self.lines) if _name(line) == name]

    def names(self) -> list[str]:
        """Assigned names in file order, each once."""
        seen: dict[str, None] = {}
        for line in self.lines:
            name = _name(line)
            if name is not None:
                seen.setdefault(name)
        return list(seen)

    def items(self) -> Iterator[tuple[str, str]]:
        """Each name with its effective (last) value."""
        for name in self.names():
            value = self.get(name)
            if value is not None:
                yield name, value

    def get(self, name: str) -> str | None:
        """The value of the last assignment of ``name`` (as a shell would see it)."""
        indexes = self._indexes(name)
        if not indexes:
            return None
        match = ASSIGNMENT.match(self.lines[indexes[-1]])
        assert match is not None
        return decode(match.group(2))

    def set(self, name: str, value: str, *, stamp: Stamp | None = None) -> None:
        """Replace every assignment of ``name`` (or append one); a stamp goes on the line above."""
        line = f"{name}={encode(value)}"
        indexes = self._indexes(name)
        if not indexes:
            if stamp is not None:
                self.lines.append(_stamp_line(stamp))
            self.lines.append(line)
            return
        for index in reversed(indexes):
            self.lines[index] = line
            if stamp is None:
                continue
            if index > 0 and STAMP.match(self.lines[index - 1]):
                self.lines[index - 1] = _stamp_line(stamp)
            else:
                self.lines.insert(index, _stamp_line(stamp))

    def remove(self, name: str) -> bool:
        """Drop every assignment of ``name`` with its stamp line; False when there was none."""
        indexes = self._indexes(name)
        for index in reversed(indexes):
            del self.lines[index]
            if index > 0 and STAMP.match(self.lines[index - 1]):
                del self.lines[index - 1]
        return bool(indexes)

    def stamp(self, name: str) -> Stamp | None:
        """The ``# generated|rotated|staged <time>`` comment right above the last assignment."""
        indexes = self._indexes(name)
        if not indexes or indexes[-1] == 0:
            return None
        match = STAMP.match(self.lines[indexes[-1] - 1])
        if match is None:
            return None
        try:
            at = datetime.fromisoformat(match.group(2))
        except ValueError:
            return None
        return Stamp(match.group(1), at if at.tzinfo else at.replace(tzinfo=UTC))


def _name(line: str) -> str | None:
    if line.lstrip().startswith("#"):
        return None
    match = ASSIGNMENT.match(line)
    return match.group(1) if match else None


def _stamp_line(stamp: Stamp) -> str:
    return f"# {stamp.kind} {stamp.at.astimezone(UTC).isoformat(timespec='seconds')}"


def read(path: Path) -> EnvFile:
    """Parse ``path``; a missing or unreadable file is an :class:`EnvFileError`."""
    try:
        return EnvFile.parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise EnvFileError(f"{path} does not exist") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise EnvFileError(f"{path} cannot be read: {type(exc).__name__}") from exc


def write(path: Path, env: EnvFile, now: datetime) -> Path | None:
    """Write ``env`` to ``path`` atomically with mode 0600; returns the backup made, if any."""
    return replace_file(path, env.render().encode("utf-8"), MODE, now)
