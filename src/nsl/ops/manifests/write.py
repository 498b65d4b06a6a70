"""Write the generated files or compare them with the disk (``--check``). A file with the
generator's header that is no longer generated is stale (removed by ``write``, reported by
``check``); files without the header are never touched."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nsl.ops.manifests.build import COMPOSE_DIR, K8S_DIR
from nsl.ops.manifests.render import is_generated

MODE = 0o644


@dataclass(frozen=True)
class Difference:
    path: Path
    reason: str  # "missing" | "differs" | "stale"


def _stale(out: Path, files: dict[str, str]) -> list[Path]:
    found = []
    for directory in (COMPOSE_DIR, K8S_DIR):
        root = out / directory
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            relative = path.relative_to(out).as_posix()
            ours = path.suffix in (".yml", ".yaml") and relative not in files and path.is_file()
            if ours and is_generated(path.read_text(encoding="utf-8", errors="replace")):
                found.append(path)
    return found


def check(out: Path, files: dict[str, str]) -> list[Difference]:
    """Every generated file that is missing, differs, or should no longer exist."""
    differences = []
    for relative, text in sorted(files.items()):
        path = out / relative
        if not path.is_file():
            differences.append(Difference(path, "missing"))
        elif path.read_text(encoding="utf-8") != text:
            differences.append(Difference(path, "differs"))
    differences += [Difference(path, "stale") for path in _stale(out, files)]
    return differences


def write(out: Path, files: dict[str, str]) -> list[Difference]:
    """Bring ``out`` to ``files``; returns what changed (the same list ``check`` gave)."""
    changes = check(out, files)
    for change in changes:
        if change.reason == "stale":
            change.path.unlink()
            continue
        change.path.parent.mkdir(parents=True, exist_ok=True)
        change.path.write_text(files[change.path.relative_to(out).as_posix()], encoding="utf-8")
        change.path.chmod(MODE)
    return changes
