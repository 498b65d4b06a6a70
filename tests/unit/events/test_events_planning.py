"""Poll planning: confirmed windows per subscription, merged per contract and ABI, bounded."""

from __future__ import annotations

from typing import Any

from nsl.services.events.planning import Wanted, Window, plan, window

ABI = [{"type": "event", "name": "Stored", "inputs": []}]


def wanted(
    sid: str,
    cursor: int,
    *,
    conf: int = 1,
    contract: str = "0xc1",
    name: str | None = None,
    abi: list[dict[str, Any]] | None = None,
) -> Wanted:
    return Wanted(sid, contract, name, abi, conf, cursor)


def test_window_runs_from_past_the_cursor_to_the_confirmed_head() -> None:
    assert window(wanted("a", 9, conf=2), height=20, max_blocks=100) == Window("a", 10, 18)
    assert window(wanted("a", 9, conf=0), height=9, max_blocks=100) is None
    assert window(wanted("a", 9, conf=2), height=11, max_blocks=100) is None
    assert window(wanted("a", 9, conf=2), height=12, max_blocks=100) == Window("a", 10, 10)


def test_window_is_bounded_by_max_blocks() -> None:
    assert window(wanted("a", -1, conf=0), height=10_000, max_blocks=500) == Window("a", 0, 499)


def test_same_contract_and_abi_share_one_query() -> None:
    queries = plan(
        [wanted("a", 9, name="Stored"), wanted("b", 5, name="Touched")], height=20, max_blocks=100
    )
    assert len(queries) == 1
    q = queries[0]
    assert (q.first, q.last, q.names) == (6, 19, ["Stored", "Touched"])
    assert {w.subscription_id for w in q.windows} == {"a", "b"}


def test_any_member_wanting_every_event_drops_the_name_filter() -> None:
    (q,) = plan([wanted("a", 9, name="Stored"), wanted("b", 9)], height=20, max_blocks=100)
    assert q.names is None


def test_contracts_and_abis_are_queried_apart() -> None:
    queries = plan(
        [wanted("a", 9), wanted("b", 9, contract="0xc2"), wanted("c", 9, abi=ABI)],
        height=20,
        max_blocks=100,
    )
    assert sorted((q.contract, q.abi is None) for q in queries) == [
        ("0xc1", False),
        ("0xc1", True),
        ("0xc2", True),
    ]


def test_far_apart_cursors_split_into_bounded_queries() -> None:
    queries = plan([wanted("old", 0), wanted("new", 5000)], height=5100, max_blocks=1000)
    assert [(q.first, q.last) for q in queries] == [(1, 1000), (5001, 5099)]
    assert all(q.last - q.first + 1 <= 1000 for q in queries)


def test_nothing_to_do_plans_nothing() -> None:
    assert plan([wanted("a", 20)], height=20, max_blocks=10) == []
