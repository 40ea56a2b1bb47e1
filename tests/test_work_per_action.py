"""What one action costs the database and Slack: statements, transactions, flushes and Home
tab publications per submission and per click, counted on the real engine (SQLAlchemy
events) and on the fake Slack."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from bot.infra.db import SessionFactory, make_engine
from bot.slack import ids
from tests import payloads as p
from tests.conftest import PG_URL
from tests.flows import blocks_text, click, last_dm, submit_request

REQUESTER, CONTACTS = "U0REQ1", ("U0LEI1", "U0LEI2")
EVERYONE = (REQUESTER, *CONTACTS, "U0BRE1", "U0BRE3", "U0NUE1", "U0COORD1")


@contextmanager
def counted(engine: Any) -> Iterator[Counter[str]]:
    """SQL statements (by kind and table), transactions and ORM flushes, while inside."""
    seen: Counter[str] = Counter()

    def statement(conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        words = sql.split()
        seen["statements"] += 1
        if words[0] in ("INSERT", "UPDATE", "DELETE"):
            conn.info["cr_wrote"] = True
        if words[0] in ("INSERT", "UPDATE", "DELETE", "SELECT"):
            table = re.search(r"(?:INTO|FROM|UPDATE)\s+(\w+)", sql)
            seen[f"{words[0]} {table.group(1) if table else '?'}"] += 1
        if words[0] == "SELECT" and words[1].lower().startswith("count("):
            seen["SELECT count"] += 1  # a count of its own, not a list's window count
        if "ON CONFLICT" in sql:
            seen["on conflict"] += 1
        if words[0] == "SELECT" and "WHERE exchange_request.submission_key" in sql:
            seen["duplicate check by SELECT"] += 1
        for one in (
            "exchange_request.id = ",
            "request_partner.request_id = ",
            "action_message.request_id = ",
        ):
            if words[0] == "SELECT" and f"WHERE {one}" in sql:  # one request's, not a list's
                seen[f"SELECT {one.split('.')[0]} of one"] += 1

    def begin(conn: Any) -> None:
        seen["transactions"] += 1
        conn.info["cr_wrote"] = False

    def commit(conn: Any) -> None:
        if conn.info.pop("cr_wrote", False):
            seen["write transactions"] += 1

    def flush(_session: Any, _context: Any) -> None:
        seen["flushes"] += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "begin", begin)
    event.listen(engine, "commit", commit)
    event.listen(Session, "after_flush", flush)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        event.remove(engine, "begin", begin)
        event.remove(engine, "commit", commit)
        event.remove(Session, "after_flush", flush)


def open_homes(bot: Any, *users: str) -> None:
    for user in users:
        assert bot.http.event(p.app_home_opened(user_id=user))[0] == 200


def publishes(bot: Any, since: int) -> Counter[str]:
    return Counter(
        c.params["user_id"] for c in bot.slack.calls[since:] if c.method == "views.publish"
    )


def test_a_submission_writes_its_outbox_rows_in_one_insert_and_checks_duplicates_by_it(bot):
    open_homes(bot, *EVERYONE)
    with counted(bot.session_factory.engine) as seen:
        assert submit_request(bot, REQUESTER) == (200, "")
    # The confirmation, both contacts' decision DMs and three Home refreshes: one INSERT.
    assert seen["INSERT outbox_message"] == 1
    # The duplicate check is the INSERT itself (ON CONFLICT DO NOTHING on the submission key).
    assert seen["INSERT exchange_request"] == seen["on conflict"] == 1
    assert seen["duplicate check by SELECT"] == 0
    # 10 before; what remains: the search document, read back as it is written, and the
    # one flush of everything at the commit.
    assert seen["flushes"] <= 4
    # The action's own, then the sender's claim and its mark of what was sent (reads aside).
    assert seen["write transactions"] == 3


def test_a_submission_writes_its_search_document_from_what_it_has_in_hand(bot):
    """The document of a new request is written without reading the request, its topic,
    partners, cities, offers, lessons or document back (8 SELECTs before), and says the
    same as the document read back from the database would."""
    from sqlmodel import select

    from bot.usecases.search import document_text
    from models import SearchDocument

    open_homes(bot, *EVERYONE)
    with counted(bot.session_factory.engine) as seen:
        assert submit_request(bot, REQUESTER) == (200, "")
    # (Experts are read by the Home tabs published after it: an expert's own exchanges.)
    for read in ("SELECT search_document", "SELECT topic", "SELECT city"):
        assert seen[read] == 0, read
    assert seen["SELECT reflection"] == 0
    assert seen["INSERT search_document"] == 1
    with bot.session_factory() as s:
        document = s.exec(select(SearchDocument)).one()
        assert document.body == document_text(s, document.request_id)
    assert "Leipzig" in document.body and "Bremen" in document.body  # the cities by name
    assert "Wohnen" in document.body  # the topic by name
    # Found by its words and its cities' names, as before.
    url = bot.slack.response_url("s")
    assert (
        bot.http.command(user_id=REQUESTER, text="suche Quartiersschulen Bremen", response_url=url)[
            0
        ]
        == 200
    )
    found = bot.slack.delivered("response_url")[-1].params
    assert "Quartiersschulen gemeinsam planen" in str(found)


def test_a_submission_looks_at_the_directory_once(bot):
    """Whether the directory changed is read once per submission (twice before: by the
    listener's check of the form, again for the use case's context); nobody has opened
    their Home tab here, so no Home render reads it."""
    with counted(bot.session_factory.engine) as seen:
        assert submit_request(bot, REQUESTER) == (200, "")
    assert seen["SELECT network"] == 1
    assert len(bot.slack.delivered("chat.postMessage")) == 3  # the receipt, both DMs


def test_a_retried_submission_stores_one_request(bot):
    assert submit_request(bot, REQUESTER, view_id="VSAME") == (200, "")
    mark = len(bot.slack.calls)
    with counted(bot.session_factory.engine) as seen:
        assert submit_request(bot, REQUESTER, view_id="VSAME") == (200, "")
    assert seen["INSERT outbox_message"] == 0
    assert [c.method for c in bot.slack.calls[mark:] if c.method == "chat.postMessage"] == []
    with bot.session_factory() as s:
        assert s.execute(text("SELECT count(*) FROM exchange_request")).scalar() == 1


def test_an_approve_click_writes_its_outbox_rows_in_one_insert_and_reads_the_request_once(bot):
    from sqlmodel import select

    from models import ExchangeRequest

    open_homes(bot, *EVERYONE)
    submit_request(bot, REQUESTER)
    bot.clock.advance(seconds=5)
    with counted(bot.session_factory.engine) as seen:
        click(bot, CONTACTS[0], last_dm(bot, CONTACTS[0]), ids.A_APPROVE)
    assert seen["INSERT outbox_message"] == 1
    assert seen["flushes"] <= 3  # 11 before: one per outbox row and query
    # The request and its partner cities are read once (twice each before: the row read
    # back after its conditional UPDATE, the partners for the budget check and the news).
    assert seen["SELECT exchange_request of one"] == 1
    assert seen["SELECT request_partner of one"] == 1
    with bot.session_factory() as s:
        stored = s.exec(select(ExchangeRequest)).one()
        assert (stored.status, stored.version, stored.decided_by) == ("approved", 2, CONTACTS[0])
    confirmation = bot.slack.delivered("chat.update")
    assert any("Genehmigt" in str(c.params) or "genehmigt" in str(c.params) for c in confirmation)


def test_an_approve_click_reads_the_absences_and_the_open_messages_once(bot):
    """The absences are read once for the whole click (twice before: whom the clicker
    stands in for, then who names the experts), and the request's open messages once
    (twice before: the copies to close, then the requester's confirmation). Nobody has
    opened their Home tab, whose renders read them too."""
    submit_request(bot, REQUESTER)
    bot.clock.advance(seconds=5)
    with counted(bot.session_factory.engine) as seen:
        click(bot, CONTACTS[0], last_dm(bot, CONTACTS[0]), ids.A_APPROVE)
    assert seen["SELECT deputy"] == 1
    assert seen["SELECT action_message of one"] == 1
    # What Slack got is the same: both contacts' copies closed, the confirmation updated,
    # the partner cities' contacts asked for experts.
    contacts = [last_dm(bot, c).response["channel"] for c in CONTACTS]
    confirmation = last_dm(bot, REQUESTER).response["channel"]
    updated = [c.params["channel"] for c in bot.slack.delivered("chat.update")]
    assert sorted(updated) == sorted([*contacts, confirmation])
    assert "Expert/innen gesucht für Bremen" in str(last_dm(bot, "U0BRE3").params)


def test_no_home_tab_is_published_for_people_who_never_opened_it(bot):
    mark = len(bot.slack.calls)
    submit_request(bot, REQUESTER)
    bot.clock.advance(seconds=5)
    click(bot, CONTACTS[0], last_dm(bot, CONTACTS[0]), ids.A_APPROVE)
    assert publishes(bot, mark) == Counter()
    # Once someone looks at it, changes that concern them refresh it.
    open_homes(bot, REQUESTER)
    mark = len(bot.slack.calls)
    bot.clock.advance(seconds=5)
    submit_request(bot, REQUESTER, view_id="V2")
    assert publishes(bot, mark) == Counter({REQUESTER: 1})


def test_a_burst_of_changes_publishes_each_home_once_per_window_and_the_last_state(bot):
    open_homes(bot, *EVERYONE)
    mark = len(bot.slack.calls)
    for n in range(5):
        assert submit_request(bot, REQUESTER, view_id=f"VBURST{n}") == (200, "")
    # The first change is shown at once; the other four wait for the window and are shown
    # by one publication each, of the state as it is then.
    assert publishes(bot, mark) == Counter({REQUESTER: 1, CONTACTS[0]: 1, CONTACTS[1]: 1})
    bot.clock.advance(seconds=2.5)
    bot.services.outbox.deliver_due()
    assert publishes(bot, mark) == Counter({REQUESTER: 2, CONTACTS[0]: 2, CONTACTS[1]: 2})
    last = [c for c in bot.slack.delivered("views.publish") if c.params["user_id"] == REQUESTER]
    shown = str(last[-1].params["view"])
    assert all(f"#{n} " in shown for n in range(1, 6))
    # Nothing more waits.
    bot.clock.advance(seconds=10)
    bot.services.outbox.deliver_due()
    assert publishes(bot, mark) == Counter({REQUESTER: 2, CONTACTS[0]: 2, CONTACTS[1]: 2})


def test_each_home_put_back_by_the_window_is_published_when_its_window_ends(bot):
    """Two groups of people whose tabs the window put back until different times: once the
    first group's are published, the sender still wakes when the second group's fall due
    (it used to remember only the earliest time; the second group then waited for its next
    round, 5 s later)."""
    leipzig, bremen = (REQUESTER, *CONTACTS), ("U0REQ2",)
    open_homes(bot, *leipzig, *bremen)
    bot.clock.advance(seconds=3)
    mark = len(bot.slack.calls)
    assert submit_request(bot, REQUESTER, view_id="VA") == (200, "")
    bot.clock.advance(seconds=1)
    assert submit_request(bot, "U0REQ2", view_id="VB") == (200, "")
    bot.clock.advance(seconds=0.5)
    assert submit_request(bot, REQUESTER, view_id="VC") == (200, "")  # due at +2 s
    assert submit_request(bot, "U0REQ2", view_id="VD") == (200, "")  # due at +3 s
    assert publishes(bot, mark) == Counter(dict.fromkeys([*leipzig, *bremen], 1))

    outbox = bot.services.outbox

    def next_look() -> float:
        """What the background sender does after a round: how long it waits, with the
        rounds it runs at once when something is due by now."""
        while (wait := outbox.window.wait_at_most(5.0, bot.clock())) == 0:
            outbox.deliver_due()
        return wait

    assert next_look() == pytest.approx(0.5, abs=0.02)
    bot.clock.advance(seconds=0.5)
    assert next_look() == pytest.approx(1.0, abs=0.02)
    assert publishes(bot, mark) == Counter(
        {**dict.fromkeys(leipzig, 2), **dict.fromkeys(bremen, 1)}
    )
    bot.clock.advance(seconds=1.0)
    assert next_look() == 5.0  # nothing is put back any more
    assert publishes(bot, mark) == Counter(dict.fromkeys([*leipzig, *bremen], 2))
    last = [c for c in bot.slack.delivered("views.publish") if c.params["user_id"] == "U0REQ2"]
    assert "#4 " in str(last[-1].params["view"])  # the change made during its window


def test_two_instances_coalesce_through_the_database(bot, session_factory):
    """The mark is a row: a second sender (another instance) respects the window too."""
    from bot.outbox import Outbox
    from bot.slack.listeners.home import render_home

    open_homes(bot, REQUESTER)
    mark = len(bot.slack.calls)
    submit_request(bot, REQUESTER, view_id="VA")
    submit_request(bot, REQUESTER, view_id="VB")
    other = Outbox(
        bot.session_factory,
        bot.services.client,
        clock=bot.clock,
        home=lambda user: render_home(bot.services, user),
    )
    other.deliver_due()
    assert publishes(bot, mark) == Counter({REQUESTER: 1})
    bot.clock.advance(seconds=3)
    other.deliver_due()
    bot.services.outbox.deliver_due()
    assert publishes(bot, mark) == Counter({REQUESTER: 2})


def test_postgresql_connections_are_recycled_not_pinged():
    engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:5432/x")
    assert engine.pool._pre_ping is False  # type: ignore[attr-defined]
    assert 0 < engine.pool._recycle <= 600  # type: ignore[attr-defined]


@pytest.mark.skipif(not PG_URL, reason="needs TEST_DATABASE_URL (PostgreSQL)")
def test_a_dropped_postgresql_connection_is_replaced_without_a_ping(database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    factory = SessionFactory(make_engine(database_url))
    admin = make_engine(database_url)
    try:
        assert factory.ping()
        with admin.begin() as conn:  # the server drops our pooled connection
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND application_name = ''"
                )
            )
        assert factory.ping()  # the dead connection is dropped, a fresh one answers
        with factory() as s:
            assert s.execute(text("SELECT 1")).scalar() == 1
    finally:
        factory.engine.dispose()
        admin.dispose()


def test_marking_a_home_waits_for_no_other_action(bot):
    """Two actions that concern the same person (her contacts are in every submission)
    mark her Home tab without waiting for each other's locks (PostgreSQL: the second
    commits while the first is still open); one publication then shows both."""
    import threading

    from bot.outbox import refresh_home, write_pending

    if bot.session_factory.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time anyway")
    open_homes(bot, CONTACTS[0])
    mark = len(bot.slack.calls)
    with bot.session_factory.begin() as earlier:  # a mark already waits
        refresh_home(earlier, CONTACTS[0], now=bot.clock())
    with bot.session_factory.begin() as first:
        refresh_home(first, CONTACTS[0], now=bot.clock())
        write_pending(first)  # its mark is written, not committed
        done = threading.Event()

        def second() -> None:
            with bot.session_factory.begin() as s:
                refresh_home(s, CONTACTS[0], now=bot.clock())
            done.set()

        threading.Thread(target=second, daemon=True).start()
        assert done.wait(2), "the second action waited for the first"
    bot.services.outbox.deliver_due()
    assert publishes(bot, mark) == Counter({CONTACTS[0]: 1})


def test_a_click_before_the_sender_noted_its_message_waits_for_the_note(bot, production_note_wait):
    """Slack shows a message before the sender has noted where it went (after its batch);
    under load a first click can come in between (the bench once saw 1 of 1,800 refused)."""
    import threading
    import time

    from sqlmodel import select

    from models import ExchangeRequest, OutboxMessage

    submit_request(bot, REQUESTER)
    dm = last_dm(bot, CONTACTS[0])
    where = (dm.response["channel"], dm.response["ts"])
    with bot.session_factory.begin() as s:
        row = s.exec(
            select(OutboxMessage).where(
                OutboxMessage.result_channel == where[0], OutboxMessage.result_ts == where[1]
            )
        ).one()
        row.result_channel = row.result_ts = None

    def note_later() -> None:
        time.sleep(0.3)
        with bot.session_factory.begin() as s:
            noted = s.get(OutboxMessage, row.id)
            assert noted is not None
            noted.result_channel, noted.result_ts = where

    threading.Thread(target=note_later, daemon=True).start()
    assert click(bot, CONTACTS[0], dm, ids.A_APPROVE) == (200, "")
    with bot.session_factory() as s:
        assert s.exec(select(ExchangeRequest)).one().status == "approved"


def test_dates_and_sums_are_formatted_once_for_all_the_messages_that_show_them(bot):
    """Babel formats each date and sum once (about a millisecond each); the many messages
    of a click (and the Home tabs) that show them take the same text again."""
    from bot.texts.formats import fmt_cents, fmt_date

    fmt_date.cache_clear()
    fmt_cents.cache_clear()
    open_homes(bot, *EVERYONE)
    submit_request(bot, REQUESTER)
    bot.clock.advance(seconds=5)
    click(bot, CONTACTS[0], last_dm(bot, CONTACTS[0]), ids.A_APPROVE)
    dates, sums = fmt_date.cache_info(), fmt_cents.cache_info()
    assert dates.hits > 2 * dates.misses, dates
    assert sums.hits > sums.misses, sums
    # What people read is the same text: the travel dates and the cost, in German.
    shown = str(last_dm(bot, REQUESTER).params)
    assert "7. Dez. 2026" in shown and "450,00 €" in shown


def test_a_home_tab_reads_each_list_with_its_total(bot):
    """A Home tab's lists carry their totals ("… and N more") in their own statement (a
    window count; a COUNT of its own each before), and the partner cities of the three
    main lists are read at once."""
    from bot.slack.listeners.home import render_home

    for n in range(10):
        submit_request(bot, REQUESTER, view_id=f"VHOME{n}")
    with counted(bot.session_factory.engine) as seen:
        view = render_home(bot.services, CONTACTS[0])
    assert seen["SELECT count"] == 0
    assert seen["SELECT request_partner"] == 1
    assert seen["statements"] <= 11  # 15 before (SQLite; fewer on PostgreSQL, no BEGIN)
    assert "… und 2 weitere" in blocks_text(view["blocks"])  # 10 to decide, 8 shown


def test_an_action_writes_its_tracked_messages_in_one_insert_and_its_closes_in_one_update(bot):
    """The messages with buttons an action posts are inserted together (one executemany,
    no ORM objects flushed), the ones it closes in one UPDATE; as they were, in the table."""
    from sqlmodel import select

    from models import ActionMessage

    with counted(bot.session_factory.engine) as seen:
        assert submit_request(bot, REQUESTER) == (200, "")
    # The receipt and both contacts' decision DMs: one INSERT (three on SQLite before, as
    # the ORM's flush wrote them one by one to know each one's id).
    assert seen["INSERT action_message"] == 1
    with bot.session_factory() as s:
        stored = s.exec(select(ActionMessage).order_by(ActionMessage.id)).all()
    assert sorted(
        (m.kind, m.user_id, m.round, m.closed) for m in stored if m.kind != "confirmation"
    )[:2] == [("decision", c, 1, False) for c in CONTACTS]
    assert all(m.channel and m.ts for m in stored)  # noted by the sender as posted
    bot.clock.advance(seconds=5)
    with counted(bot.session_factory.engine) as seen:
        click(bot, CONTACTS[0], last_dm(bot, CONTACTS[0]), ids.A_APPROVE)
    assert seen["UPDATE action_message"] <= 2  # the closes at once; the sender's notes
    with bot.session_factory() as s:
        decisions = s.exec(select(ActionMessage).where(ActionMessage.kind == "decision")).all()
    assert [m.closed for m in decisions] == [True, True]
