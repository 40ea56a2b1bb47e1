"""Issue 21, findings 1 and 3: namings are followed up like decisions, and a request that is
not ready on its first day did not take place. Driven by the test clock over several weeks,
with the jobs as cron runs them (`remind` and `reflect` every day at 10:00 in Berlin)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.entry.scheduler import reflect_job, remind_job
from bot.slack import ids
from bot.usecases.report import yearly_report
from models import AuditEntry, ExchangeRequest
from tests.flows import blocks_text, buttons, click, dms_to, replies
from tests.seed import seed
from tests.test_conversation_notifications import name

BERLIN = ZoneInfo("Europe/Berlin")
CITIES = "(Leipzig → Bremen, Nürnberg)"


def berlin(day: date, hh: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hh, tzinfo=BERLIN).astimezone(UTC)


def run_days(bot: Any, first: date, last: date) -> list[str]:
    """Both jobs once a day, 10:00 in Berlin, from `first` to `last`; their reports."""
    done = []
    day = first
    while day <= last:
        bot.clock.now = berlin(day)
        done.append(f"{day} {remind_job(bot.services)} | {reflect_job(bot.services)}")
        day += timedelta(days=1)
    return done


def updates_of(bot: Any, message: Any) -> list[Any]:
    ts, channel = message.response["ts"], message.response["channel"]
    return [
        c
        for c in bot.slack.delivered("chat.update")
        if c.params["ts"] == ts and c.params["channel"] == channel
    ]


def status_of(bot: Any, request_id: int) -> str:
    with bot.session_factory() as s:
        return s.get(ExchangeRequest, request_id).status


def texts(bot: Any, user: str) -> list[str]:
    return [c.params["text"] for c in dms_to(bot, user)]


def test_finding_1_a_naming_left_undone_is_followed_up_and_the_exchange_lapses(bot):
    bot.services.remember_language("U0NUE1", "en-US")
    # Approved Thursday 26 Nov, 10:00; Bremen names, Nürnberg does not. First day: 14 Dec.
    request_id = seed(
        bot,
        state="approved",
        partners=("bremen", "nuernberg"),
        date_from=date(2026, 12, 14),
        date_to=date(2026, 12, 15),
        title="Quartiersschulen",
    )
    bot.services.deliver()
    name(bot, "U0BRE3", ["U0EXP1"])
    naming_nue = dms_to(bot, "U0NUE1")[-1]
    confirmation = dms_to(bot, "U0REQ1")[0]
    # The requester's DM says who is still to name.
    waiting = blocks_text(updates_of(bot, confirmation)[-1].params["blocks"])
    assert "die Expert/innen von Nürnberg werden noch benannt" in waiting
    assert "am ersten Tag (Mo, 14. Dez. 2026) nicht zustande" in waiting

    # Friday: nothing yet. Monday 30 Nov (2 working days): Nürnberg's contact is reminded.
    run_days(bot, date(2026, 11, 27), date(2026, 11, 29))
    assert len(dms_to(bot, "U0NUE1")) == 1
    run_days(bot, date(2026, 11, 30), date(2026, 11, 30))
    [reminder] = dms_to(bot, "U0NUE1")[1:]
    assert reminder.params["text"] == (
        "Reminder: experts of Nürnberg missing for 2 working days – please name them: "
        f"#{request_id} Quartiersschulen {CITIES}"
    )
    shown = blocks_text(reminder.params["blocks"])
    assert "the experts of Nürnberg for approved C+R request" in shown
    assert "After 5 working days the coordinators take over" in shown
    assert set(buttons(reminder.params["blocks"])) == {ids.A_NAME_EXPERTS}
    # Bremen named: its contact hears nothing more.
    assert not any("Erinnerung" in text for text in texts(bot, "U0BRE3"))

    # Thursday 3 Dec (5 working days): the coordinators get Nürnberg's naming button.
    run_days(bot, date(2026, 12, 1), date(2026, 12, 3))
    escalation = dms_to(bot, "U0COORD1")[-1]
    assert escalation.params["text"] == (
        "Eskalation: Expert/innen von Nürnberg fehlen seit 5 Arbeitstagen – die Koordination "
        f"kann sie benennen: #{request_id} Quartiersschulen {CITIES}"
    )
    assert "fehlen seit 5 Arbeitstagen die Expert/innen von Nürnberg (angefragt: <@U0NUE1>)" in (
        blocks_text(escalation.params["blocks"])
    )
    assert buttons(escalation.params["blocks"])[ids.A_NAME_EXPERTS].endswith(":nuernberg")
    # Once each: a week more sends no second reminder or escalation.
    before = len(bot.slack.delivered("chat.postMessage"))
    run_days(bot, date(2026, 12, 4), date(2026, 12, 13))
    assert len(bot.slack.delivered("chat.postMessage")) == before
    assert status_of(bot, request_id) == "approved"

    # Monday 14 Dec, the first day: it did not take place.
    run_days(bot, date(2026, 12, 14), date(2026, 12, 14))
    assert status_of(bot, request_id) == "lapsed"
    assert texts(bot, "U0REQ1")[-1] == (
        f"Ihre Anfrage #{request_id} Quartiersschulen ist nicht zustande gekommen: am ersten Tag "
        "(Mo, 14. Dez. 2026) fehlten die Expert/innen von Nürnberg. Soll sie noch stattfinden, "
        "stellen Sie bitte eine neue Anfrage."
    )
    told = blocks_text(dms_to(bot, "U0REQ1")[-1].params["blocks"])
    assert (
        "mit neuen Daten erneut ein (*Erneut einreichen*" in told
        and "als vermittelt markieren" in told
    )
    assert texts(bot, "U0NUE1")[-1] == (
        f"Did not take place: #{request_id} Quartiersschulen {CITIES} – on its first day "
        "(Mon, 14 Dec 2026) the experts of Nürnberg were missing. Nothing left for you to do."
    )
    for user in ("U0BRE3", "U0EXP1"):  # Bremen's contact who named, and its expert
        assert texts(bot, user)[-1].startswith(f"Nicht zustande gekommen: #{request_id} "), user
    coordinator = dms_to(bot, "U0COORD1")[-1]
    assert coordinator.params["text"].endswith(
        "Hat er doch stattgefunden, können Sie ihn als vermittelt markieren."
    )
    assert ids.A_MARK_MATCHED in buttons(coordinator.params["blocks"])
    # Every open button message is closed: the naming request, its reminder, the escalation.
    for message in (naming_nue, reminder, escalation):
        closed = updates_of(bot, message)[-1].params
        assert buttons(closed["blocks"]) == {}
        assert "Nicht zustande gekommen" in blocks_text(closed["blocks"]) or (
            "Did not take place" in blocks_text(closed["blocks"])
        )
    final = updates_of(bot, confirmation)[-1].params
    assert "Nicht zustande gekommen" in final["text"] and buttons(final["blocks"]) == {}

    # Weeks after the end: no reflection prompt, no cost claim, never completed.
    done = run_days(bot, date(2026, 12, 15), date(2027, 1, 20))
    assert not any("reflect" in line or "complete" in line for line in done), done
    assert status_of(bot, request_id) == "lapsed"
    for user in ("U0REQ1", "U0EXP1"):
        assert not any(ids.A_REFLECT in buttons(c.params["blocks"]) for c in dms_to(bot, user))
        assert not any(ids.A_CLAIM in buttons(c.params["blocks"]) for c in dms_to(bot, user))
    report = yearly_report(bot.session_factory, 2026, tz=BERLIN, today=date(2027, 1, 20))
    assert (report.exchanges, report.lapsed, report.travellers) == (0, 1, 0)
    assert report.by_city_pair == {}


def test_finding_3_an_undecided_request_lapses_on_its_first_day(bot):
    request_id = seed(
        bot,
        state="submitted",
        date_from=date(2026, 12, 18),
        date_to=date(2026, 12, 18),
        title="Winterschule",
    )
    bot.services.deliver()
    decisions = [dms_to(bot, user)[-1] for user in ("U0LEI1", "U0LEI2")]
    # Reminded Monday, escalated Thursday; still undecided on Friday 18 Dec.
    run_days(bot, date(2026, 11, 27), date(2026, 12, 17))
    assert status_of(bot, request_id) == "submitted"
    reminders = [dms_to(bot, user)[-1] for user in ("U0LEI1", "U0LEI2")]
    escalation = dms_to(bot, "U0COORD1")[-1]
    assert "Eskalation" in escalation.params["text"]

    run_days(bot, date(2026, 12, 18), date(2026, 12, 18))
    assert status_of(bot, request_id) == "lapsed"
    title = "Winterschule"
    assert texts(bot, "U0REQ1")[-1].startswith(
        f"Ihre Anfrage #{request_id} {title} ist nicht zustande gekommen: bis zum ersten Tag "
        "(Fr, 18. Dez. 2026) wurde nicht entschieden."
    )
    assert "Ansprechpartner/innen von Leipzig" in blocks_text(
        dms_to(bot, "U0REQ1")[-1].params["blocks"]
    )
    for user in ("U0LEI1", "U0LEI2"):
        assert texts(bot, user)[-1] == (
            f"Nicht zustande gekommen: #{request_id} {title} (Leipzig → Bremen) – bis zum ersten "
            "Tag (Fr, 18. Dez. 2026) wurde nicht entschieden. Für Sie ist nichts mehr zu tun."
        )
    assert ids.A_MARK_MATCHED in buttons(dms_to(bot, "U0COORD1")[-1].params["blocks"])
    for message in (*decisions, *reminders, escalation):
        closed = updates_of(bot, message)[-1].params
        assert buttons(closed["blocks"]) == {}
        assert "Nicht zustande gekommen" in blocks_text(closed["blocks"])
    # On 1 Feb nothing waits for a decision any more, and nothing more was sent.
    before = len(bot.slack.delivered("chat.postMessage"))
    run_days(bot, date(2026, 12, 19), date(2027, 2, 1))
    assert len(bot.slack.delivered("chat.postMessage")) == before
    # A late click on the old decision button changes nothing.
    click(bot, "U0LEI1", decisions[0], ids.A_APPROVE, name="late")
    assert "Nicht zustande gekommen" in replies(bot, "late")[0]
    assert status_of(bot, request_id) == "lapsed"


def test_a_coordinator_marks_a_lapsed_exchange_as_taken_place(bot):
    request_id = seed(
        bot, state="approved", date_from=date(2026, 12, 14), date_to=date(2026, 12, 14)
    )
    run_days(bot, date(2026, 11, 27), date(2026, 12, 14))
    assert status_of(bot, request_id) == "lapsed"
    lapsed = dms_to(bot, "U0COORD1")[-1]
    click(bot, "U0LEI1", lapsed, ids.A_MARK_MATCHED, name="contact")
    assert replies(bot, "contact")  # not a coordinator: refused, nothing changes
    assert status_of(bot, request_id) == "lapsed"

    click(bot, "U0COORD1", lapsed, ids.A_MARK_MATCHED, name="coord")
    assert replies(bot, "coord") == []
    assert status_of(bot, request_id) == "matched"
    assert texts(bot, "U0REQ1")[-1] == (
        f"Ihr Austausch #{request_id} hat doch stattgefunden: <@U0COORD1> hat ihn als vermittelt "
        "markiert. Nach dem letzten Tag bitten wir Sie um Ihre Reflexion und die tatsächlichen "
        "Reisekosten."
    )
    closed = updates_of(bot, lapsed)[-1].params
    assert buttons(closed["blocks"]) == {}
    assert "Hat doch stattgefunden" in blocks_text(closed["blocks"])
    with bot.session_factory() as s:
        entry = s.exec(
            select(AuditEntry)
            .where(AuditEntry.request_id == request_id)
            .order_by(col(AuditEntry.id).desc())
        ).first()
    assert (entry.action, entry.actor, entry.from_status, entry.to_status) == (
        "took_place",
        "U0COORD1",
        "lapsed",
        "matched",
    )
    # From now on it is an exchange like any other: reflection asked, the report counts it.
    done = run_days(bot, date(2026, 12, 15), date(2026, 12, 15))
    assert "reflect: 1" in done[0]
    report = yearly_report(bot.session_factory, 2026, tz=BERLIN, today=date(2026, 12, 20))
    assert (report.exchanges, report.lapsed) == (1, 0)
