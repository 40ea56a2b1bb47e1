"""Typed refusals: what a person tried that the rules do not allow, and why."""

from __future__ import annotations


class Refused(Exception):
    """The action changed nothing; `key` names the text that says why, `params` fill it.

    `field` names the form field at fault when the person can fix it there (the reason is
    then shown on that field instead of replacing the form).
    """

    field: str | None = None  # a class default, for subclasses that do not pass it
    # The action itself changed nothing, but what it handed on was committed (e.g. a
    # request over budget sent to the coordinators): the outbox has something to send.
    handed_on: bool = False

    def __init__(
        self, key: str, params: dict[str, object] | None = None, *, field: str | None = None
    ) -> None:
        super().__init__(key)
        self.key = key
        self.params: dict[str, object] = params or {}
        self.field = field

    def __str__(self) -> str:
        return f"{self.key} {self.params}"
