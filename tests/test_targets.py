"""Button values: built and parsed in one module; table-driven, no Slack, no database."""

from __future__ import annotations

from typing import Any

import pytest

from bot.slack.targets import ID_MAX, NamingTarget, RequestTarget, parse_id


@pytest.mark.parametrize(
    ("target", "value"),
    [
        (RequestTarget(1, 1), "1:1"),
        (RequestTarget(42, 7), "42:7"),
        (RequestTarget(ID_MAX, ID_MAX), "2147483647:2147483647"),
        (NamingTarget(1, 1, "bremen"), "1:1:bremen"),
        (NamingTarget(ID_MAX, 3, "nuernberg"), "2147483647:3:nuernberg"),
    ],
)
def test_value_is_the_format_posted_messages_carry(target: Any, value: str) -> None:
    assert target.value == value
    assert type(target).parse(value) == target


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1:1", RequestTarget(1, 1)),
        ("01:1", RequestTarget(1, 1)),  # ASCII digits; leading zeros were always taken
        ("2147483647:1", RequestTarget(ID_MAX, 1)),
        ("1:2147483647", RequestTarget(1, ID_MAX)),
    ],
)
def test_request_target_parses(value: str, expected: RequestTarget) -> None:
    assert RequestTarget.parse(value) == expected


MALFORMED = [
    None,
    1,
    ["1:1"],
    {"1": 1},
    "",
    ":",
    "1",
    "1:",
    ":1",
    "0:0",
    "0:1",
    "1:0",
    "-1:0",
    "-1:1",
    "+1:1",
    "a:b",
    "1 :1",
    " 1:1",
    "1:1 ",
    "1.0:1",
    "١:١",  # Arabic-Indic digits are digits, but not ASCII
    "2147483648:1",  # past the 32-bit columns
    "1:2147483648",
    "99999999999999999999:1",
    "1:99999999999999999999",
    "1:1" + "0" * 100,
    "9" * 100_000,
    "1:1:bremen",  # a naming value is not a request value
]


@pytest.mark.parametrize("value", MALFORMED)
def test_request_target_refuses_malformed(value: object) -> None:
    assert RequestTarget.parse(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1:1:bremen", NamingTarget(1, 1, "bremen")),
        ("01:1:x", NamingTarget(1, 1, "x")),
        ("2147483647:2:nuernberg", NamingTarget(ID_MAX, 2, "nuernberg")),
    ],
)
def test_naming_target_parses(value: str, expected: NamingTarget) -> None:
    assert NamingTarget.parse(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        None,
        7,
        "",
        ":",
        "1:1",  # no city: "1" is not "<id>:<version>"
        "1:1:",
        ":1:bremen",
        "0:1:bremen",
        "1:0:bremen",
        "a:1:bremen",
        "1:1:2:bremen",  # the city is what follows the last colon; the rest must be a target
        "2147483648:1:bremen",
        "1:1" + "0" * 100 + ":bremen",
    ],
)
def test_naming_target_refuses_malformed(value: object) -> None:
    assert NamingTarget.parse(value) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("0000000001", 1),
        (str(ID_MAX), ID_MAX),
        ("0", None),
        (str(ID_MAX + 1), None),
        ("00000000001", None),  # more than 10 characters
        ("", None),
        ("-1", None),
        ("1e3", None),
        ("²", None),  # a digit to str.isdigit, not a number
        (1, None),
        (None, None),
    ],
)
def test_parse_id(text: object, expected: int | None) -> None:
    assert parse_id(text) == expected


def test_targets_are_frozen() -> None:
    target = RequestTarget(1, 1)
    with pytest.raises(AttributeError):
        target.version = 2  # type: ignore[misc]
