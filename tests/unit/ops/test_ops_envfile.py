"""The env-file editor: round trip, comments kept, backups and mode 0600, atomic replacement."""

from __future__ import annotations

import os
import stat
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dotenv import dotenv_values

from nsl.ops import envfile
from nsl.ops.envfile import EnvFile, EnvFileError, Stamp

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
ORIGINAL = """# operator's notes: keep this line
export NSL_LOG_LEVEL=INFO

NSL_HTTP__PORT=8080  # inline comment
NSL_HTTP__CORS_ORIGINS='["https://a.example"]'
QUOTED="two words"
"""


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_unchanged_file_renders_byte_for_byte() -> None:
    assert EnvFile.parse(ORIGINAL).render() == ORIGINAL


def test_values_are_read_as_the_readers_read_them(tmp_path: Path) -> None:
    env = EnvFile.parse(ORIGINAL)
    path = tmp_path / "x.env"
    path.write_text(ORIGINAL)
    expected = dotenv_values(path)
    for name, value in env.items():
        assert expected[name] == value
    assert env.get("NSL_HTTP__PORT") == "8080"
    assert env.get("QUOTED") == "two words"
    assert env.get("MISSING") is None


def test_set_replaces_in_place_and_appends_new_names_keeping_everything_else() -> None:
    env = EnvFile.parse(ORIGINAL)
    env.set("NSL_HTTP__PORT", "9090")
    env.set("NSL_NEW", '["x", "y"]')
    lines = env.render().splitlines()
    assert lines[0] == "# operator's notes: keep this line"
    assert lines[1] == "export NSL_LOG_LEVEL=INFO" and lines[2] == ""
    assert lines[3] == "NSL_HTTP__PORT=9090"
    assert lines[-1] == """NSL_NEW='["x", "y"]'"""
    assert env.get("NSL_NEW") == '["x", "y"]'


def test_stamps_sit_above_their_variable_and_are_replaced_not_stacked() -> None:
    env = EnvFile.parse(ORIGINAL)
    env.set("TOKEN", "a", stamp=Stamp("generated", NOW))
    env.set("TOKEN", "b", stamp=Stamp("rotated", NOW + timedelta(days=3)))
    assert env.render().count("# rotated") == 1 and "# generated" not in env.render()
    assert env.stamp("TOKEN") == Stamp("rotated", NOW + timedelta(days=3))
    assert env.stamp("NSL_HTTP__PORT") is None
    assert env.remove("TOKEN") and "# rotated" not in env.render()
    assert env.render() == ORIGINAL


def test_values_that_cannot_be_written_safely_are_refused() -> None:
    env = EnvFile()
    for bad in ("it's", "two\nlines", "back\\slash"):
        with pytest.raises(EnvFileError):
            env.set("X", bad)


def test_write_is_private_and_backs_up_the_previous_file(tmp_path: Path) -> None:
    path = tmp_path / ".env.production"
    path.write_text(ORIGINAL)
    os.chmod(path, 0o644)
    env = envfile.read(path)
    env.set("NSL_HTTP__PORT", "9090")
    backup = envfile.write(path, env, NOW)
    assert backup is not None and backup.read_text() == ORIGINAL and mode(backup) == 0o600
    assert backup.name == ".env.production.bak-20250301T120000000000Z"
    assert mode(path) == 0o600 and envfile.read(path).get("NSL_HTTP__PORT") == "9090"
    second = envfile.write(path, env, NOW)  # same instant: a new backup, never overwritten
    assert second is not None and second != backup and backup.read_text() == ORIGINAL


def test_a_new_file_needs_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "new.env"
    env = EnvFile()
    env.set("A", "1")
    assert envfile.write(path, env, NOW) is None
    assert path.read_text() == "A=1\n" and mode(path) == 0o600
    assert sorted(p.name for p in path.parent.iterdir()) == ["new.env"]


def test_replacement_is_atomic_a_reader_holding_the_old_file_keeps_it(tmp_path: Path) -> None:
    path = tmp_path / "app.env"
    path.write_text("A=1\n")
    with path.open() as reader:
        inode = os.fstat(reader.fileno()).st_ino
        env = EnvFile()
        env.set("A", "2")
        envfile.write(path, env, NOW)
        assert reader.read() == "A=1\n"  # the old file was renamed over, not truncated
    assert path.stat().st_ino != inode and path.read_text() == "A=2\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_shell_reads_the_written_values(tmp_path: Path) -> None:
    path = tmp_path / "shell.env"
    env = EnvFile()
    env.set("NSL_HTTP__CORS_ORIGINS", '["https://example.org","https://api.example.org"]')
    env.set("URL", "postgresql://nsl:a-b_c@127.0.0.1:5432/nsl")
    envfile.write(path, env, NOW)
    out = subprocess.run(
        ["sh", "-c", f'set -a; . "{path}"; printf "%s|%s" "$NSL_HTTP__CORS_ORIGINS" "$URL"'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out == '["https://example.org","https://api.example.org"]|' + (
        "postgresql://nsl:a-b_c@127.0.0.1:5432/nsl"
    )


def test_reading_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EnvFileError, match="does not exist"):
        envfile.read(tmp_path / "nope.env")
