"""Paging, block ranges and the record-or-not rule for transaction outcomes."""

from __future__ import annotations

import pytest

from nsl.core.chain import ChainEvent, ChainRejected, ChainTimeout, ChainUnavailable, TxOutcome
from nsl.services.contracts import outcomes, rules
from nsl.services.contracts.errors import InvalidInput


def test_without_a_range_the_latest_blocks_are_scanned() -> None:
    assert rules.block_range(None, None, 5_000) == rules.BlockRange(4_001, 5_000)
    assert rules.block_range(None, None, 10) == rules.BlockRange(0, 10)
    assert rules.block_range(None, 300, 5_000) == rules.BlockRange(0, 300)
    assert rules.block_range(20, None, 30) == rules.BlockRange(20, 30)


def test_a_range_spans_at_most_ten_thousand_blocks() -> None:
    assert rules.block_range(1, 10_000, 50_000) == rules.BlockRange(1, 10_000)
    with pytest.raises(InvalidInput) as caught:
        rules.block_range(0, 10_000, 50_000)
    assert caught.value.fields[0].field == "to_block"


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(-1, 5, "from_block"), (6, 5, "from_block"), (0, 101, "to_block"), (0, -1, "to_block")],
)
def test_bad_ranges_name_the_field(start: int, end: int, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        rules.block_range(start, end, 100)
    assert caught.value.status == 400
    assert caught.value.fields[0].field == field


@pytest.mark.parametrize(("page", "size", "field"), [(0, 10, "page"), (1, 0, "page_size")])
def test_paging_limits(page: int, size: int, field: str) -> None:
    assert rules.paging(2, 500) == (2, 500)
    with pytest.raises(InvalidInput) as caught:
        rules.paging(page, size)
    assert caught.value.fields[0].field == field


def _outcome(state: str, exception: str | None = None) -> TxOutcome:
    event = ChainEvent("neo-n3", "0xc", "Touched", {"count": 1}, "0xaa", 7, "0xbb", 0)
    return TxOutcome("0xaa", 7, "0xbb", state, 1_000, 2_000, exception, [event])  # type: ignore[arg-type]


async def _done(outcome: TxOutcome) -> TxOutcome:
    return outcome


async def test_a_halted_transaction_is_recorded_as_succeeded() -> None:
    landing, error = await outcomes.attempt(_done(_outcome("HALT")))
    assert error is None
    assert (landing.status, landing.state, landing.tx_hash, landing.fee) == (
        "succeeded",
        "HALT",
        "0xaa",
        2_000,
    )
    assert landing.events[0]["name"] == "Touched"


async def test_a_fault_in_a_block_is_recorded_as_failed_with_the_vm_message() -> None:
    landing, error = await outcomes.attempt(_done(_outcome("FAULT", "ASSERT failed")))
    assert error is None
    assert (landing.status, landing.state, landing.error) == ("failed", "FAULT", "ASSERT failed")


async def test_a_fault_in_the_test_run_is_recorded_failed_without_a_transaction() -> None:
    async def faulting() -> TxOutcome:
        raise ChainRejected(
            "faults",
            code="chain.fault",
            extra={"state": "FAULT", "exception": "boom", "gas_consumed": 12},
        )

    landing, error = await outcomes.attempt(faulting())
    assert error is None
    assert (landing.status, landing.state, landing.tx_hash) == ("failed", "FAULT", None)
    assert (landing.error, landing.gas_consumed) == ("boom", 12)


async def test_a_sent_but_unconfirmed_transaction_is_recorded_and_its_timeout_kept() -> None:
    timeout = ChainTimeout("not seen", extra={"tx_hash": "0xdd"})

    async def slow() -> TxOutcome:
        raise timeout

    landing, error = await outcomes.attempt(slow())
    assert error is timeout
    assert (landing.status, landing.tx_hash, landing.state) == ("unconfirmed", "0xdd", None)


@pytest.mark.parametrize(
    "failure",
    [
        ChainUnavailable("all endpoints down"),
        ChainRejected("insufficient funds"),
        ChainTimeout("no hash known"),
    ],
)
async def test_nothing_is_recorded_for_a_transaction_no_node_took(failure: Exception) -> None:
    async def failing() -> TxOutcome:
        raise failure

    with pytest.raises(type(failure)):
        await outcomes.attempt(failing())
