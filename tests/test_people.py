"""The people the bot talks to: their language and Home tab use, stored per person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.people import language_of_locale
from bot.usecases import people

NOW = datetime(2026, 11, 26, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "lang"),
    [
        ("de-DE", "de"),
        ("en-US", "en"),
        ("en-GB", "en"),
        ("EN", "en"),
        ("fr-FR", "de"),
        (None, "de"),
    ],
)
def test_slack_locales_map_to_our_two_languages(locale, lang):
    assert language_of_locale(locale, "de") == lang


def test_a_person_is_asked_once_then_again_after_a_month(session_factory):
    assert people.to_check(session_factory, ["U0A", "U0B"], now=NOW) == ["U0A", "U0B"]
    assert people.remember_locale(session_factory, "U0A", "en-US", default="de", now=NOW) == "en"

    assert people.to_check(session_factory, ["U0A", "U0B"], now=NOW) == ["U0B"]
    later = NOW + timedelta(days=31)
    assert people.to_check(session_factory, ["U0A", "U0B"], now=later) == ["U0A", "U0B"]
    with session_factory() as session:
        assert people.languages(session, ["U0A", "U0B"]) == {"U0A": "en"}


def test_opening_home_is_remembered_and_keeps_the_language(session_factory):
    people.remember_locale(session_factory, "U0A", "en-US", default="de", now=NOW)
    people.home_opened(session_factory, "U0A", default="de", now=NOW)
    people.home_opened(session_factory, "U0B", default="de", now=NOW)
    people.home_opened(session_factory, "U0B", default="de", now=NOW)  # twice: one row

    with session_factory() as session:
        assert people.home_users(session, ["U0A", "U0B", "U0C"]) == {"U0A", "U0B"}
        assert people.languages(session, ["U0A", "U0B"]) == {"U0A": "en", "U0B": "de"}
    # B's locale was never asked: still to check.
    assert people.to_check(session_factory, ["U0A", "U0B"], now=NOW) == ["U0B"]
