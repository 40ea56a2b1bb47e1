"""Typed refusals: what a person tried that the rules do not allow, and why."""

from __future__ import annotations


class Refused(Exception):
    """The action changed nothing; `key` names the text that says why, `params` fill it."""

    def __init__(self, key: str, params: dict[str, object] | None = None) -> None:
        super().__init__(key)
        self.key = key
        self.params: dict[str, object] = params or {}

    def __str__(self) -> str:
        return f"{self.key} {self.params}"
