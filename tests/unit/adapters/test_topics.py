"""Topic patterns follow AMQP topic-exchange rules."""

from __future__ import annotations

import pytest

from nsl.adapters.topics import topic_matches


@pytest.mark.parametrize(
    ("pattern", "topic", "expected"),
    [
        ("a.b.c", "a.b.c", True),
        ("a.b.c", "a.b", False),
        ("a.*.c", "a.b.c", True),
        ("a.*.c", "a.c", False),
        ("a.*.c", "a.b.b.c", False),
        ("a.#", "a", True),
        ("a.#", "a.b.c.d", True),
        ("a.#", "ab.c", False),
        ("#", "anything.at.all", True),
        ("#.c", "c", True),
        ("#.c", "a.b.c", True),
        ("#.c", "a.b.c.d", False),
        ("a.#.c", "a.c", True),
        ("a.#.c", "a.x.y.c", True),
        ("*.#.*", "a", False),
        ("*.#.*", "a.b", True),
        ("#.#", "", True),
        ("a.b", "a.bb", False),
    ],
)
def test_pattern_matching(pattern: str, topic: str, expected: bool) -> None:
    assert topic_matches(pattern, topic) is expected
