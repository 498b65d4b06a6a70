"""The env file rewritten for ``kubectl create secret generic --from-env-file``, which keeps
quotes as part of a value: each value decoded and unquoted, mode 0600, never printed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from nsl.ops import envfile
from nsl.ops.safewrite import replace_file


def kubectl_text(source: Path) -> tuple[str, list[str]]:
    """The file's assignments as kubectl reads them, and their names (in file order)."""
    env = envfile.read(source)
    lines, names = [], []
    for name, value in env.items():
        if any(c in value for c in "\r\n"):
            raise envfile.EnvFileError(f"{name} holds a line break, which kubectl cannot read")
        lines.append(f"{name}={value}\n")
        names.append(name)
    if not names:
        raise envfile.EnvFileError(f"{source} assigns no variable")
    return "".join(lines), names


def write_kubectl_env(source: Path, target: Path, now: datetime) -> list[str]:
    """Write ``target`` (0600, an existing one backed up first); returns the variable names."""
    if target.resolve() == source.resolve():
        raise envfile.EnvFileError("the kubectl file must not replace the env file it reads")
    text, names = kubectl_text(source)
    replace_file(target, text.encode("utf-8"), 0o600, now)
    return names
