"""Topic routing with AMQP topic-exchange semantics, shared by every bus implementation:
words are separated by ``.``; ``*`` stands for exactly one word, ``#`` for zero or more.
"""

from __future__ import annotations

from functools import lru_cache


def topic_matches(pattern: str, topic: str) -> bool:
    """Whether ``topic`` is routed to a binding with ``pattern``."""
    return _match(_words(pattern), _words(topic))


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split("."))


@lru_cache(maxsize=4096)
def _match(pattern: tuple[str, ...], topic: tuple[str, ...]) -> bool:
    # reachable[j]: the pattern words consumed so far can match the first j topic words.
    reachable = [True] + [False] * len(topic)
    for word in pattern:
        step = [False] * (len(topic) + 1)
        if word == "#":
            seen = False
            for j in range(len(topic) + 1):
                seen = seen or reachable[j]
                step[j] = seen
        else:
            for j in range(len(topic)):
                if reachable[j] and word in ("*", topic[j]):
                    step[j + 1] = True
        reachable = step
    return reachable[len(topic)]
