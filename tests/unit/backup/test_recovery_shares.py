"""Recovery key ceremony: k shares rebuild the key, k-1 do not; files are private."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from nsl.services.backup import recovery
from nsl.services.backup.errors import InvalidInput


def test_threshold_shares_rebuild_the_private_key(tmp_path: Path) -> None:
    ceremony = recovery.init(tmp_path / "shares", shares=5, threshold=3)
    assert len(ceremony.share_files) == 5
    for path in ceremony.share_files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for chosen in ([0, 1, 2], [4, 2, 0], [1, 3, 4], [0, 1, 2, 3, 4]):
        private = recovery.combine([ceremony.share_files[i] for i in chosen])
        public = (
            X25519PrivateKey.from_private_bytes(private)
            .public_key()
            .public_bytes(Encoding.Raw, PublicFormat.Raw)
        )
        assert public == ceremony.public_key
    published = base64.b64decode((tmp_path / "shares" / "recovery.pub").read_text())
    assert published == ceremony.public_key


def test_fewer_than_threshold_shares_fail(tmp_path: Path) -> None:
    ceremony = recovery.init(tmp_path / "shares", shares=5, threshold=3)
    with pytest.raises(InvalidInput) as caught:
        recovery.combine(ceremony.share_files[:2])
    assert caught.value.fields[0].rule == "threshold"


def test_k_minus_one_shares_with_a_forged_threshold_do_not_rebuild_the_key(
    tmp_path: Path,
) -> None:
    """Lying about the threshold in the files does not help: the combined key is wrong."""
    ceremony = recovery.init(tmp_path / "shares", shares=4, threshold=3)
    forged = []
    for path in ceremony.share_files[:2]:
        document = json.loads(path.read_text())
        document["threshold"] = 2
        copy = tmp_path / path.name
        copy.write_text(json.dumps(document))
        forged.append(copy)
    with pytest.raises(InvalidInput) as caught:
        recovery.combine(forged)
    assert caught.value.fields[0].rule == "reconstruct"


def test_duplicated_share_does_not_count_twice(tmp_path: Path) -> None:
    ceremony = recovery.init(tmp_path / "shares", shares=3, threshold=2)
    with pytest.raises(InvalidInput):
        recovery.combine([ceremony.share_files[0], ceremony.share_files[0]])


def test_bad_parameters_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        recovery.init(tmp_path / "a", shares=2, threshold=3)
    with pytest.raises(InvalidInput):
        recovery.init(tmp_path / "b", shares=3, threshold=1)
    recovery.init(tmp_path / "c", shares=3, threshold=2)
    with pytest.raises(InvalidInput):
        recovery.init(tmp_path / "c", shares=3, threshold=2)  # never overwrite shares
