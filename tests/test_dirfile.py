"""The directory file and Slack together: `cr-bot directory export` writes the directory
as the database has it (Slack's changes included) as a file that `check` accepts and whose
`sync` changes nothing; at start the file is applied only when its content changed since it
was last applied, and then the log names each change made in Slack that it replaces."""

from __future__ import annotations

import dataclasses
import logging
import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.budget import BudgetInfo
from bot.domain.directory import CityInfo, Directory, TopicContact, TopicInfo
from bot.domain.directory_diff import differences, entries
from bot.domain.travel import TravelRate
from bot.infra import directory_file as reader
from bot.infra.db import SessionFactory, make_engine
from bot.infra.directory_export import directory_toml
from bot.infra.directory_file import check_directory, load_directory_file, parse_directory
from bot.slack import ids
from bot.usecases.directory import load_directory, sync_directory
from bot.usecases.directory_source import apply_directory_file
from tests.conftest import DIRECTORY, running_bot
from tests.flows import buttons, dms_to, last_dm, submit_request
from tests.test_cli import cr_bot_here

EXAMPLE = Path(__file__).resolve().parent.parent / "directory.example.toml"
START_LOG = "bot.entry.server"


def _same_meaning(a: Directory, b: Directory) -> bool:
    return entries(a) == entries(b) and not differences(a, b)


# --- the file written from a directory ---------------------------------------

EVERYTHING = Directory(
    network_name='Netz "Süd" \\ West',
    coordinators=("U0COORD1", "U0COORD2"),
    cities=(
        CityInfo("leipzig", "Leipzig", ("leipzig.de", "l.de"), ("U0LEI1",), "DE-SN"),
        CityInfo("bremen", "Bremen\tHB", (), ("U0BRE1", "U0BRE2"), None),
    ),
    topics=(TopicInfo("wohnen", "Wohnen", "Housing"), TopicInfo("klima", "Klima\u007f", None)),
    topic_contacts=(TopicContact("leipzig", "wohnen", ("U0LEI3", "U0LEI4")),),
    budgets=(
        BudgetInfo(2027, 2_000_000),
        BudgetInfo(2027, 500_050, "leipzig"),
        BudgetInfo(2028, 7, "bremen"),
    ),
    holidays="DE",
    privacy_url="https://netz.example/datenschutz?a=1&b=2",
    certificate_signature='Für die Koordination: Dr. "M" Muster',
    certificate_signature_en="For the coordination: Dr M Muster",
    travel_rates=(TravelRate("bremen", "leipzig", 18_050),),
)


def test_the_export_of_every_kind_of_entry_reads_back_the_same():
    text = directory_toml(EVERYTHING, written_at=datetime(2026, 12, 7, 5, 0, tzinfo=UTC))

    assert check_directory(text) == []
    assert parse_directory(text) == EVERYTHING
    assert text.startswith("# Verzeichnis des Netzwerks aus der Datenbank")
    assert "# cr-bot directory export, 2026-12-07 05:00 UTC\n" in text
    assert "amount_eur = 5000.50\n" in text and "amount_eur = 0.07\n" in text


def test_the_writer_writes_every_field_the_reader_knows():
    """A field the file learns must be exported too, or an export would drop it."""
    data = tomllib.loads(directory_toml(EVERYTHING))
    written = {section: set() for section in reader._SECTIONS}
    for section, value in data.items():
        for table in [value] if isinstance(value, dict) else value:
            written[section] |= set(table)

    assert set(data) == set(reader._SECTIONS)
    assert written == {
        "network": set(reader._NETWORK_FIELDS),
        "city": set(reader._CITY_FIELDS),
        "topic": set(reader._TOPIC_FIELDS),
        "topic_contact": set(reader._TOPIC_CONTACT_FIELDS),
        "budget": set(reader._BUDGET_FIELDS),
        "travel_rate": set(reader._TRAVEL_RATE_FIELDS),
    }


def test_the_example_file_round_trips_through_sync_and_export(session_factory):
    original = load_directory_file(EXAMPLE)
    sync_directory(session_factory, original, now=datetime(2026, 12, 1, tzinfo=UTC))

    exported = directory_toml(load_directory(session_factory))

    assert check_directory(exported) == []
    assert _same_meaning(parse_directory(exported), original)
    again = sync_directory(session_factory, parse_directory(exported), now=datetime.now(UTC))
    assert str(again) == "directory synced: nothing changed"


def test_order_of_entries_and_people_makes_no_difference():
    shuffled = dataclasses.replace(
        EVERYTHING,
        coordinators=EVERYTHING.coordinators[::-1],
        cities=tuple(
            dataclasses.replace(c, contacts=c.contacts[::-1]) for c in EVERYTHING.cities[::-1]
        ),
        budgets=EVERYTHING.budgets[::-1],
    )

    assert differences(EVERYTHING, shuffled) == []


# --- the command -------------------------------------------------------------


def _slack_edit(session_factory: SessionFactory, now: datetime) -> Directory:
    """What coordinators do in Slack, as the rows change there: a contact added to Leipzig
    and one removed, a coordinator added, a topic's English name and a budget set."""
    directory = load_directory(session_factory)
    edited = dataclasses.replace(
        directory,
        coordinators=(*directory.coordinators, "U0COORD2"),
        cities=tuple(
            dataclasses.replace(c, contacts=("U0LEI1", "U0LEI9")) if c.key == "leipzig" else c
            for c in directory.cities
        ),
        topics=tuple(
            dataclasses.replace(t, name_en="Transport") if t.key == "mobilitaet" else t
            for t in directory.topics
        ),
        budgets=(BudgetInfo(2027, 1_500_000),),
    )
    report = sync_directory(session_factory, edited, now=now)
    assert report.changed
    return edited


@pytest.fixture
def factory(database_url: str) -> Iterator[SessionFactory]:
    engine = make_engine(database_url)
    yield SessionFactory(engine)
    engine.dispose()


def test_export_after_a_slack_edit_checks_and_syncs_to_nothing(tmp_path, database_url, factory):
    (tmp_path / "directory.toml").write_text(DIRECTORY, encoding="utf-8")
    synced = cr_bot_here(tmp_path, "directory", "sync", "directory.toml", DATABASE_URL=database_url)
    assert synced.returncode == 0, synced.stderr
    edited = _slack_edit(factory, datetime.now(UTC) + timedelta(minutes=1))

    exported = cr_bot_here(
        tmp_path, "directory", "export", "export.toml", DATABASE_URL=database_url
    )
    to_stdout = cr_bot_here(tmp_path, "directory", "export", DATABASE_URL=database_url)
    checked = cr_bot_here(tmp_path, "directory", "check", "export.toml")
    again = cr_bot_here(tmp_path, "directory", "sync", "export.toml", DATABASE_URL=database_url)

    assert exported.returncode == 0, exported.stderr
    assert exported.stdout == "export.toml: directory exported\n"
    text = (tmp_path / "export.toml").read_text(encoding="utf-8")
    assert 'contacts = ["U0LEI1", "U0LEI9"]' in text
    assert 'coordinators = ["U0COORD1", "U0COORD2"]' in text
    assert 'name_en = "Transport"' in text
    assert "[[budget]]\nyear = 2027\namount_eur = 15000\n" in text
    assert to_stdout.returncode == 0, to_stdout.stderr
    assert parse_directory(to_stdout.stdout) == parse_directory(text)
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout == "export.toml: ok\n"
    assert again.returncode == 0, again.stderr
    assert again.stdout == "export.toml: directory synced: nothing changed\n"
    assert _same_meaning(parse_directory(text), edited)
    assert _same_meaning(load_directory(factory), edited)


def test_sync_of_the_old_file_says_which_slack_changes_it_replaces(tmp_path, database_url, factory):
    (tmp_path / "directory.toml").write_text(DIRECTORY, encoding="utf-8")
    cr_bot_here(tmp_path, "directory", "sync", "directory.toml", DATABASE_URL=database_url)
    _slack_edit(factory, datetime.now(UTC) + timedelta(minutes=1))

    synced = cr_bot_here(tmp_path, "directory", "sync", "directory.toml", DATABASE_URL=database_url)

    assert synced.returncode == 0, synced.stderr
    assert synced.stdout.splitlines() == [
        "directory.toml: directory synced: topics 1 updated; contacts 1 deactivated, "
        "1 reactivated; coordinators 1 deactivated; budgets 1 deactivated",
        *(f"directory.toml: replaces {line}" for line in REPLACED),
    ]
    assert _same_meaning(load_directory(factory), parse_directory(DIRECTORY))


def test_export_names_what_the_file_check_refuses(tmp_path, database_url, factory):
    """A city left without contacts: the file is written, the problem named, exit 1."""
    directory = parse_directory(DIRECTORY)
    sync_directory(
        factory,
        dataclasses.replace(
            directory,
            cities=tuple(
                dataclasses.replace(c, contacts=()) if c.key == "bremen" else c
                for c in directory.cities
            ),
        ),
        now=datetime.now(UTC),
    )

    exported = cr_bot_here(tmp_path, "directory", "export", "out.toml", DATABASE_URL=database_url)

    assert exported.returncode == 1
    assert exported.stderr.splitlines() == [
        'out.toml: [[city]] #1 (key "bremen"), field contacts: a city needs at least one contact',
        "out.toml: the directory in the database has the problems above; fix them in the file "
        "before `cr-bot directory sync`",
    ]
    assert 'key = "bremen"' in (tmp_path / "out.toml").read_text(encoding="utf-8")


def test_export_of_an_empty_database_says_to_sync_first(tmp_path, database_url):
    exported = cr_bot_here(tmp_path, "directory", "export", DATABASE_URL=database_url)

    assert exported.returncode == 1
    assert exported.stderr.splitlines()[-1] == (
        "cr-bot: no directory in the database yet: load a file first with "
        "`cr-bot directory sync FILE`"
    )
    assert exported.stdout == ""


# --- at start ----------------------------------------------------------------

# What the test directory file replaces of `_slack_edit`, as the log and `sync` say it.
REPLACED = [
    "coordinator @U0COORD2 (added in Slack) removed",
    "contact of leipzig @U0LEI2 (removed in Slack) added",
    "contact of leipzig @U0LEI9 (added in Slack) removed",
    "topic mobilitaet (set in Slack): name “Mobilität”; English “Transport” → "
    "name “Mobilität”; English “Mobility”",
    "budget 2027 of the network (set in Slack) removed",
]


def _start_lines(bot, caplog) -> list[str]:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=START_LOG):
        bot.runtime.announce()
    return [r.getMessage() for r in caplog.records if r.name == START_LOG]


def _decision_goes_to(bot) -> set[str]:
    """Who gets the decision buttons of a new request from Leipzig."""
    status, _ = submit_request(bot, "U0REQ1")
    assert status == 200
    return {
        user
        for user in ("U0LEI1", "U0LEI2", "U0LEI9")
        if dms_to(bot, user) and ids.A_APPROVE in buttons(last_dm(bot, user).params["blocks"])
    }


def test_slack_changes_survive_a_restart_with_the_unchanged_file(
    fake_slack, database_url, directory_file, clock, caplog
):
    fake_slack.set_user("U0LEI9", email="lina@leipzig.de")
    with running_bot(fake_slack, database_url, directory_file, clock) as bot:
        assert _start_lines(bot, caplog)[0].startswith(f"directory {directory_file} synced: ")
        _slack_edit(bot.session_factory, clock.advance(hours=1))
        edited = load_directory(bot.session_factory)
    clock.advance(hours=1)

    with running_bot(fake_slack, database_url, directory_file, clock) as bot:
        assert _start_lines(bot, caplog) == [
            f"directory {directory_file} unchanged since it was applied (2026-11-26 09:00 UTC): "
            "not applied again; the directory in the database keeps 5 changes made in Slack "
            "since (`cr-bot directory export` writes it as a file)"
        ]
        assert load_directory(bot.session_factory) == edited
        assert _decision_goes_to(bot) == {"U0LEI1", "U0LEI9"}


def test_a_changed_file_wins_and_the_log_names_the_slack_changes_it_replaces(
    fake_slack, database_url, directory_file, clock, caplog
):
    fake_slack.set_user("U0LEI9", email="lina@leipzig.de")
    with running_bot(fake_slack, database_url, directory_file, clock) as bot:
        _slack_edit(bot.session_factory, clock.advance(hours=1))
    clock.advance(hours=1)
    # The file's own changes (a topic renamed, one added) are not Slack's: not named.
    changed = DIRECTORY.replace('name_en = "Housing"', 'name_en = "Living"')
    changed += '\n[[topic]]\nkey = "klima"\nname = "Klimaanpassung"\n'
    directory_file.write_text(changed, encoding="utf-8")

    with running_bot(fake_slack, database_url, directory_file, clock) as bot:
        lines = _start_lines(bot, caplog)
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]

        assert lines == [
            f"directory {directory_file} synced: directory synced: topics 1 added, 2 updated; "
            "contacts 1 "
            "deactivated, 1 reactivated; coordinators 1 deactivated; budgets 1 deactivated",
            *(f"directory file {directory_file} replaces: {line}" for line in REPLACED),
        ]
        assert warnings == lines[1:]
        assert _same_meaning(load_directory(bot.session_factory), parse_directory(changed))
        assert _decision_goes_to(bot) == {"U0LEI1", "U0LEI2"}


def test_the_hash_sync_stores_keeps_later_slack_changes_at_start(
    fake_slack, database_url, directory_file, clock, caplog, tmp_path
):
    """`cr-bot directory sync FILE` counts as applying it: the next start leaves Slack's
    changes made after it, also when started from the same file under another path."""
    synced = cr_bot_here(tmp_path, "directory", "sync", "directory.toml", DATABASE_URL=database_url)
    assert synced.returncode == 0, synced.stderr
    engine = make_engine(database_url)
    edited = _slack_edit(SessionFactory(engine), datetime.now(UTC) + timedelta(minutes=1))
    engine.dispose()
    moved = tmp_path / "elsewhere.toml"
    moved.write_text(directory_file.read_text(encoding="utf-8"), encoding="utf-8")

    for path in (directory_file, moved):
        with running_bot(fake_slack, database_url, path, clock) as bot:
            assert _start_lines(bot, caplog)[0].startswith(
                f"directory {path} unchanged since it was applied ("
            )
            assert _same_meaning(load_directory(bot.session_factory), edited)


def test_instances_starting_at_once_apply_a_changed_file_once(session_factory, tmp_path):
    """The decision and the sync are one transaction under the directory lock."""
    import threading

    directory = parse_directory(DIRECTORY)
    barrier = threading.Barrier(3)
    outcomes = []

    def start() -> None:
        barrier.wait(timeout=10)
        outcomes.append(
            apply_directory_file(
                session_factory,
                directory,
                path=str(tmp_path / "directory.toml"),
                text=DIRECTORY,
                now=datetime.now(UTC),
                force=False,
            )
        )

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(o.applied for o in outcomes) == [False, False, True]
    assert [o.report.changed for o in outcomes if o.applied] == [True]


def test_a_contact_added_through_the_slack_modal_survives_a_restart_and_a_changed_file_names_it(
    fake_slack, database_url, directory_file, clock, caplog
):
    """The two halves together: the coordinators' modal (not a simulated edit) writes the
    change, an unchanged file keeps it at the next start, a changed file replaces it and the
    log says so."""
    from tests.test_directory_slack import open_directory, person, push_edit, submit_edit

    fake_slack.set_user("U0LEI3", email="u0lei3@leipzig.de")
    with running_bot(fake_slack, database_url, directory_file, clock) as bot:
        clock.advance(hours=1)
        modal = push_edit(bot, open_directory(bot), ids.A_DIR_ADD_CONTACT, "leipzig")
        assert submit_edit(bot, modal, person("U0LEI3")) == (200, "")
    clock.advance(hours=1)

    with running_bot(fake_slack, database_url, directory_file, clock) as bot:
        lines = _start_lines(bot, caplog)
        assert "not applied again; the directory in the database keeps 1 change" in lines[0]
        leipzig = next(c for c in load_directory(bot.session_factory).cities if c.key == "leipzig")
        assert "U0LEI3" in leipzig.contacts
    clock.advance(hours=1)

    directory_file.write_text(DIRECTORY + "\n# edited\n", encoding="utf-8")
    with running_bot(fake_slack, database_url, directory_file, clock) as bot:
        lines = _start_lines(bot, caplog)
        assert (
            f"directory file {directory_file} replaces: contact of leipzig @U0LEI3 "
            "(added in Slack) removed" in lines
        )
        leipzig = next(c for c in load_directory(bot.session_factory).cities if c.key == "leipzig")
        assert "U0LEI3" not in leipzig.contacts
