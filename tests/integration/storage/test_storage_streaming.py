"""Large objects stream through in bounded memory, on both chunk stores."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from storage_harness import MIB, digest_of, make_settings, pattern, start, stop

from nsl.core.clock import ManualClock
from nsl.core.metrics import Metrics

SIZE = 64 * MIB + 12345
PEAK_LIMIT = 12 * MIB  # well under the object's size: nothing holds it whole


@pytest.mark.parametrize("store", ["database", "filesystem"])
async def test_a_64_mib_object_streams_both_ways_in_bounded_memory(
    store: str, database: Any, tmp_path: Path, metrics: Metrics
) -> None:
    settings = make_settings(tmp_path, chunk_store=store, purge_interval_s=3600.0)
    h = await start(settings, database, ManualClock(), metrics)
    try:
        tracemalloc.start()
        status, body = await h.stream_put("big/blob", pattern(SIZE, 7), length=SIZE)
        _, upload_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        assert status == 201, body
        got_status, sha, count = await h.stream_get("big/blob")
        _, download_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert (got_status, count) == (200, SIZE)
        assert sha == digest_of(SIZE, 7)
        assert upload_peak < PEAK_LIMIT, upload_peak
        assert download_peak < PEAK_LIMIT, download_peak
        versions = await h.rows("SELECT chunk_count, chunk_store FROM storage_versions")
        assert [tuple(r) for r in versions] == [(65, store)]
        if store == "filesystem":
            files = [p for p in (tmp_path / "var" / "storage").rglob("*") if p.is_file()]
            assert len(files) == 65
            assert await h.rows("SELECT count(*) FROM storage_chunks") == [(0,)]
    finally:
        if tracemalloc.is_tracing():
            tracemalloc.stop()
        await stop(h)
