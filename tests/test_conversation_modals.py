"""The small modals as people see them: which request, and what happens when they send.

Each modal opens at once with what its button carries (the request's number), before any
database work; after the check it is updated with title, cities and dates.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from sqlalchemy import event

from bot.entry.scheduler import reflect_job
from bot.slack import ids
from tests.conftest import Clock
from tests.flows import blocks_text, click, last_dm, submit_opened, submit_request, text_state
from tests.seed import seed

CONTEXT = (
    "Quartiersschulen gemeinsam planen",
    "Leipzig → Bremen",
    "Mo, 7. Dez. 2026 – Mi, 9. Dez.",
)


@contextmanager
def sql_statements(bot) -> Iterator[list[float]]:
    """When the app ran SQL (monotonic clock, as the fake stamps calls), outbox aside."""
    times: list[float] = []

    def record(*_args: object) -> None:
        if threading.current_thread().name != "outbox":
            times.append(time.monotonic())

    engine = bot.session_factory.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield times
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _opened_then_updated(bot, mark: int, times: list[float]) -> tuple[str, str]:
    """The texts of the modal as opened and as updated; asserts the order of things."""
    calls = [c for c in bot.slack.calls[mark:] if c.method.startswith("views.")]
    assert [c.method for c in calls] == ["views.open", "views.update"]
    opened, updated = calls
    assert times, "the click ran no check at all"
    assert min(times) > opened.at, "database work before views.open"
    assert updated.params["view_id"] == opened.response["view"]["id"]
    return blocks_text(opened.params["view"]["blocks"]), blocks_text(
        updated.params["view"]["blocks"]
    )


def _assert_context(text: str) -> None:
    for part in CONTEXT:
        assert part in text, (part, text)


def test_decline_modal_names_the_request_and_says_what_happens(bot):
    submit_request(bot, "U0REQ1")
    mark = len(bot.slack.calls)
    with sql_statements(bot) as times:
        click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_DECLINE)
    opened, updated = _opened_then_updated(bot, mark, times)
    then = "Die anfragende Person erhält Ihre Begründung; die Anfrage ist dann abgeschlossen."
    assert "Anfrage #1" in opened and then in opened
    _assert_context(updated)
    assert then in updated


def test_ask_modal_says_the_requester_may_answer_or_edit(bot):
    submit_request(bot, "U0REQ1")
    mark = len(bot.slack.calls)
    with sql_statements(bot) as times:
        click(bot, "U0LEI2", last_dm(bot, "U0LEI2"), ids.A_ASK)
    opened, updated = _opened_then_updated(bot, mark, times)
    then = "kann sie beantworten oder die Anfrage bearbeiten"
    assert "Anfrage #1" in opened and then in opened
    _assert_context(updated)
    assert then in updated


def test_answer_modal_shows_the_question_it_answers(bot):
    submit_request(bot, "U0REQ1")
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_ASK)
    submit_opened(bot, "U0LEI1", text_state(ids.B_REASON, "Wie viele Personen genau?"))
    mark = len(bot.slack.calls)
    with sql_statements(bot) as times:
        click(bot, "U0REQ1", last_dm(bot, "U0REQ1"), ids.A_ANSWER)
    opened, updated = _opened_then_updated(bot, mark, times)
    assert "Anfrage #1" in opened and "entscheiden dann erneut" in opened
    _assert_context(updated)
    assert "Wie viele Personen genau?" in updated
    assert "Ihre Antwort geht an die Ansprechpartner/innen von Leipzig" in updated


def test_naming_modal_says_a_group_dm_follows(bot):
    submit_request(bot, "U0REQ1")
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)
    mark = len(bot.slack.calls)
    with sql_statements(bot) as times:
        click(bot, "U0BRE3", last_dm(bot, "U0BRE3"), ids.A_NAME_EXPERTS)
    opened, updated = _opened_then_updated(bot, mark, times)
    then = "Wir öffnen danach eine Gruppen-Direktnachricht mit der anfragenden Person"
    assert "Anfrage #1" in opened and "Expert/innen aus Bremen" in opened and then in opened
    _assert_context(updated)
    assert then in updated and "Expert/innen aus Bremen" in updated


def test_reflection_modal_says_who_reads_it(bot):
    request_id = seed(
        bot, state="matched", title="Quartiersschulen gemeinsam planen", date_to=date(2026, 12, 9)
    )
    clock: Clock = bot.clock
    clock.now = clock.now.replace(year=2026, month=12, day=10, hour=9)  # Thursday, 10:00 Berlin
    reflect_job(bot.services)
    mark = len(bot.slack.calls)
    with sql_statements(bot) as times:
        click(bot, "U0EXP1", last_dm(bot, "U0EXP1"), ids.A_REFLECT)
    opened, updated = _opened_then_updated(bot, mark, times)
    who = "Die Koordination des Netzwerks liest jede Reflexion."
    assert f"Anfrage #{request_id}" in opened and who in opened
    _assert_context(updated)
    assert who in updated and "ohne Namen" in updated


def test_a_refusal_after_opening_replaces_the_modal_without_context(bot):
    """Somebody else decided meanwhile: the modal says so, and is not updated again."""
    submit_request(bot, "U0REQ1")
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)
    mark = len(bot.slack.calls)
    click(bot, "U0LEI2", last_dm(bot, "U0LEI2"), ids.A_DECLINE)
    updates = [c for c in bot.slack.calls[mark:] if c.method == "views.update"]
    assert len(updates) == 1
    text = blocks_text(updates[0].params["view"]["blocks"])
    assert "bereits" in text and "Quartiersschulen" not in text
