"""Master key resolution: hex or base64 from settings, else a private key file made once."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from nsl.core.masterkey import KEY_FILE, MasterKeyInvalid, decode_key, resolve_master_key
from nsl.core.settings import Settings

RAW = bytes(range(32))


def settings(tmp_path: Path, master_key: str | None = None) -> Settings:
    return Settings(data_dir=tmp_path / "data", master_key=master_key)


@pytest.mark.parametrize(
    "text",
    [
        RAW.hex(),
        RAW.hex().upper(),
        base64.b64encode(RAW).decode(),
        base64.urlsafe_b64encode(bytes(range(200, 232))).decode(),
        f"  {RAW.hex()}\n",
    ],
)
def test_configured_keys_in_hex_or_base64(text: str) -> None:
    decoded = decode_key(text, "setting")
    assert len(decoded) == 32


def test_configured_key_is_used(tmp_path: Path) -> None:
    assert resolve_master_key(settings(tmp_path, RAW.hex())) == RAW
    assert not (tmp_path / "data" / KEY_FILE).exists()


@pytest.mark.parametrize(
    "text",
    ["", "00" * 31, "zz" * 32, base64.b64encode(b"x" * 31).decode(), "not a key at all", "é" * 44],
)
def test_invalid_configured_keys_are_refused_without_echoing_them(
    tmp_path: Path, text: str
) -> None:
    with pytest.raises(MasterKeyInvalid) as caught:
        resolve_master_key(settings(tmp_path, text))
    assert "NSL_MASTER_KEY" in caught.value.detail
    if text.strip():
        assert text not in caught.value.detail


def test_without_a_setting_a_private_key_file_is_created_once(tmp_path: Path) -> None:
    first = resolve_master_key(settings(tmp_path))
    path = tmp_path / "data" / KEY_FILE
    assert path.stat().st_mode & 0o777 == 0o600
    assert resolve_master_key(settings(tmp_path)) == first
    assert len(first) == 32
    assert [p.name for p in path.parent.iterdir()] == [KEY_FILE]


def test_a_key_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    resolve_master_key(settings(tmp_path))
    path = tmp_path / "data" / KEY_FILE
    os.chmod(path, 0o644)
    with pytest.raises(MasterKeyInvalid) as caught:
        resolve_master_key(settings(tmp_path))
    assert "chmod 600" in caught.value.detail
    assert path.read_text().strip() not in caught.value.detail


def test_a_damaged_key_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "data" / KEY_FILE
    path.parent.mkdir()
    path.write_bytes(b"\xff\xfe garbage")
    os.chmod(path, 0o600)
    with pytest.raises(MasterKeyInvalid):
        resolve_master_key(settings(tmp_path))


def test_production_never_generates_a_key(tmp_path: Path) -> None:
    production = Settings(env="production", data_dir=tmp_path / "data")
    with pytest.raises(MasterKeyInvalid) as caught:
        resolve_master_key(production)
    assert "NSL_MASTER_KEY" in caught.value.detail
    assert not (tmp_path / "data" / KEY_FILE).exists()
    resolve_master_key(settings(tmp_path))  # a provided file (here: made outside production)...
    assert len(resolve_master_key(production)) == 32  # ...is used
