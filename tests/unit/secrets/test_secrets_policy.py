"""Path policy evaluation: globs, ownership, allow, deny wins, default deny."""

from __future__ import annotations

import pytest

from nsl.core.errors import ValidationFailed
from nsl.core.security import Principal, Role
from nsl.services.secrets.policy import (
    ALL_CAPABILITIES,
    Capability,
    Effect,
    Rule,
    capabilities,
    check_capabilities,
    check_pattern,
    check_subject,
    compile_pattern,
    subjects_of,
)

READ, WRITE, LIST = Capability.READ, Capability.WRITE, Capability.LIST


def rule(pattern: str, *caps: Capability, effect: Effect = Effect.ALLOW) -> Rule:
    return Rule(pattern, "principal:p", frozenset(caps), effect)


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("app/db", "app/db", True),
        ("app/db", "app/dbx", False),
        ("app/*", "app/db", True),
        ("app/*", "app/db/x", False),
        ("app/*", "app", False),
        ("app/**", "app/db/x/y", True),
        ("app/**", "apps/db", False),
        ("*/db", "x/db", True),
        ("*/db", "x/y/db", False),
        ("**/db", "x/y/db", True),
        ("app/db-*", "app/db-1", True),
        ("app/db-*", "app/db.1", False),
        ("**", "anything/at/all", True),
        ("a.b/c", "aXb/c", False),  # '.' is literal, not a regex wildcard
    ],
)
def test_globs(pattern: str, path: str, matches: bool) -> None:
    assert (compile_pattern(pattern).fullmatch(path) is not None) is matches


def test_default_deny_for_others_and_everything_for_the_owner() -> None:
    assert capabilities("app/db", owner=False, rules=[]) == frozenset()
    assert capabilities("app/db", owner=True, rules=[]) == ALL_CAPABILITIES


def test_allow_grants_only_its_capabilities_on_matching_paths() -> None:
    rules = [rule("app/*", READ, LIST)]
    assert capabilities("app/db", owner=False, rules=rules) == {READ, LIST}
    assert capabilities("other/db", owner=False, rules=rules) == frozenset()


def test_deny_wins_over_allow_and_over_ownership() -> None:
    rules = [rule("app/**", READ, WRITE), rule("app/prod/*", READ, effect=Effect.DENY)]
    assert capabilities("app/dev/db", owner=False, rules=rules) == {READ, WRITE}
    assert capabilities("app/prod/db", owner=False, rules=rules) == {WRITE}
    assert READ not in capabilities("app/prod/db", owner=True, rules=rules)


def test_subjects_name_the_principal_and_each_role() -> None:
    principal = Principal("p1", "n", "user", frozenset({Role.USER, Role.DEVELOPER}))
    assert subjects_of(principal) == ["principal:p1", "role:developer", "role:user"]


def test_policy_input_rules() -> None:
    assert check_pattern("app/**") == "app/**"
    for bad in ["", "/app", "app/", "a//b", "app/***", "a b", "x" * 501]:
        with pytest.raises(ValidationFailed) as caught:
            check_pattern(bad)
        assert caught.value.fields[0].field == "pattern"
    assert check_subject("principal:01ABC") == "principal:01ABC"
    assert check_subject("role:operator") == "role:operator"
    for bad in ["alice", "role:root", "principal:", "group:x", "principal:" + "x" * 129]:
        with pytest.raises(ValidationFailed, match="principal:<id>"):
            check_subject(bad)
    assert check_capabilities(["read", "list", "read"]) == {READ, LIST}
    with pytest.raises(ValidationFailed) as caught:
        check_capabilities(["read", "sudo"])
    assert caught.value.fields[0].field == "capabilities[1]"
    with pytest.raises(ValidationFailed):
        check_capabilities([])
