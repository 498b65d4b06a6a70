"""Splitting a streamed body into chunks: sizes, the last flag, empty bodies."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from nsl.services.storage.uploads import chunked


async def _pieces(*sizes: int) -> AsyncIterator[bytes]:
    for n, size in enumerate(sizes):
        yield bytes([n % 256]) * size


@pytest.mark.parametrize(
    ("sizes", "expected"),
    [
        ((), [(0, True)]),
        ((10,), [(10, True)]),
        ((16,), [(16, True)]),
        ((8, 8), [(16, True)]),
        ((17,), [(16, False), (1, True)]),
        ((5, 30, 1), [(16, False), (16, False), (4, True)]),
        ((32,), [(16, False), (16, True)]),
    ],
)
async def test_chunks_have_the_size_and_last_flag(
    sizes: tuple[int, ...], expected: list[tuple[int, bool]]
) -> None:
    got = [(len(c), last) async for c, last in chunked(_pieces(*sizes), 16)]
    assert got == expected


async def test_chunks_keep_the_bytes_in_order() -> None:
    data = b"".join([c async for c, _ in chunked(_pieces(7, 9, 20), 16)])
    assert data == b"\x00" * 7 + b"\x01" * 9 + b"\x02" * 20
