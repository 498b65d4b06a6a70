"""Which block ranges one poll reads: per subscription, from its cursor up to the chain height
less its confirmations (at most ``max_blocks``), merged into as few ``events`` queries as the
contracts, ABIs and the range limit allow."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import orjson


@dataclass(frozen=True)
class Wanted:
    """A subscription as the planner sees it: ``cursor`` is the last block it processed."""

    subscription_id: str
    contract: str
    event_name: str | None
    abi: list[dict[str, Any]] | None
    confirmations: int
    cursor: int


@dataclass(frozen=True)
class Window:
    """Blocks ``first..last`` (inclusive) to process for one subscription this round."""

    subscription_id: str
    first: int
    last: int


@dataclass(frozen=True)
class Query:
    """One ``chain.events`` call covering several windows on the same contract and ABI."""

    contract: str
    abi: list[dict[str, Any]] | None
    names: list[str] | None  # None: every event (some member wants all names)
    first: int
    last: int
    windows: tuple[Window, ...]


def window(wanted: Wanted, height: int, max_blocks: int) -> Window | None:
    """The blocks to process now, or ``None`` while nothing is confirmed past the cursor."""
    first = wanted.cursor + 1
    last = min(height - wanted.confirmations, first + max_blocks - 1)
    return Window(wanted.subscription_id, first, last) if last >= first else None


def plan(subscriptions: Iterable[Wanted], height: int, max_blocks: int) -> list[Query]:
    """Queries for every subscription with confirmed blocks past its cursor; each query spans
    at most ``max_blocks`` blocks."""
    groups: dict[tuple[str, str], list[tuple[Wanted, Window]]] = {}
    for wanted in subscriptions:
        found = window(wanted, height, max_blocks)
        if found is not None:
            groups.setdefault((wanted.contract, _abi_key(wanted.abi)), []).append((wanted, found))
    queries: list[Query] = []
    for members in groups.values():
        members.sort(key=lambda m: (m[1].first, m[1].last))
        batch: list[tuple[Wanted, Window]] = []
        for member in members:
            if batch and _span([*batch, member]) > max_blocks:
                queries.append(_query(batch))
                batch = []
            batch.append(member)
        queries.append(_query(batch))
    return queries


def _span(batch: list[tuple[Wanted, Window]]) -> int:
    return max(w.last for _, w in batch) - min(w.first for _, w in batch) + 1


def _query(batch: list[tuple[Wanted, Window]]) -> Query:
    first_wanted = batch[0][0]
    wanted_names = [w.event_name for w, _ in batch]
    names = None if None in wanted_names else sorted({n for n in wanted_names if n})
    return Query(
        contract=first_wanted.contract,
        abi=first_wanted.abi,
        names=names,
        first=min(w.first for _, w in batch),
        last=max(w.last for _, w in batch),
        windows=tuple(w for _, w in batch),
    )


def _abi_key(abi: list[dict[str, Any]] | None) -> str:
    return "" if abi is None else orjson.dumps(abi, option=orjson.OPT_SORT_KEYS).decode()
