"""The directory file (parse, check) and its sync into the database."""

from __future__ import annotations

import dataclasses
import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel, select

from bot.domain.directory import CityInfo, Directory, TopicContact
from bot.infra.db import SessionFactory, make_engine, upgrade
from bot.infra.directory_file import (
    DirectoryFileError,
    Problem,
    check_directory,
    load_directory_file,
    parse_directory,
)
from bot.usecases.directory import SyncReport, load_directory, sync_directory
from models.tables import City, DirectoryRole, Network, Topic

EXAMPLE = Path(__file__).resolve().parent.parent / "directory.example.toml"
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
T1 = T0 + timedelta(days=1)
T2 = T0 + timedelta(days=2)

VALID = """\
[network]
name = "koopstadt"
coordinators = ["U0COORD1"]

[[city]]
key = "bremen"
name = "Bremen"
email_domains = ["bremen.de"]
contacts = ["U0BRE1"]

[[city]]
key = "leipzig"
name = "Leipzig"
email_domains = ["leipzig.de"]
contacts = ["U0LEI1", "U0LEI2"]

[[topic]]
key = "wohnen"
name = "Wohnen"
name_en = "Housing"

[[topic]]
key = "klima"
name = "Klimaanpassung"

[[topic_contact]]
city = "leipzig"
topic = "wohnen"
users = ["U0LEI3"]
"""


def _edit(*replacements: tuple[str, str]) -> str:
    """VALID with each (old, new) applied; old must occur exactly once."""
    result = VALID
    for old, new in replacements:
        assert result.count(old) == 1, old
        result = result.replace(old, new)
    return result


# --- check: each problem names its entry and field ---------------------------

LEIPZIG = '[[city]] #2 (key "leipzig")'
NETWORK_BLOCK = '[network]\nname = "koopstadt"\ncoordinators = ["U0COORD1"]\n'
LEIPZIG_CONTACTS = 'contacts = ["U0LEI1", "U0LEI2"]'
UNKNOWN_LEIPZIG = '[[topic_contact]] #1, field city: unknown city key "leipzig"'

CASES = [
    # [network]
    ((NETWORK_BLOCK, ""), ['[network]: missing; the file needs [network] with name = "…"']),
    (
        ('name = "koopstadt"', 'nmae = "koopstadt"'),
        [
            "[network], field nmae: unknown field; expected name, coordinators, holidays, "
            "privacy_url, certificate_signature, certificate_signature_en",
            "[network], field name: missing (required)",
        ],
    ),
    (
        ('name = "koopstadt"', 'name = "koopstadt"\ncertificate_signature = 12'),
        ["[network], field certificate_signature: must be text in quotes"],
    ),
    (
        ('name = "koopstadt"', 'name = "koopstadt"\ncertificate_signature_en = "a\\nb"'),
        ["[network], field certificate_signature_en: must be one line (no line breaks)"],
    ),
    (
        ('name = "koopstadt"', f'name = "koopstadt"\ncertificate_signature = "{"x" * 301}"'),
        ["[network], field certificate_signature: longer than 300 characters"],
    ),
    (
        ('coordinators = ["U0COORD1"]', 'coordinators = ["UCOORD 1"]'),
        ['[network], field coordinators: "UCOORD 1" is not a Slack user ID (like "U0123ABCD")'],
    ),
    # sections
    (
        ("[[topic_contact]]", "[topic_contact]"),
        ["[topic_contact]: write [[topic_contact]] (double brackets), once per entry"],
    ),
    (
        ('[[topic]]\nkey = "klima"', '[[citys]]\nkey = "x"\n\n[[topic]]\nkey = "klima"'),
        [
            "top level, field citys: unknown section; "
            "expected [network], [[city]], [[topic]], [[topic_contact]], [[budget]] or "
            "[[travel_rate]]"
        ],
    ),
    # [[city]]
    (('key = "bremen"\n', ""), ["[[city]] #1, field key: missing (required)"]),
    (
        ('key = "leipzig"', 'key = "Leipzig"'),
        [
            '[[city]] #2 (key "Leipzig"), field key: "Leipzig" is not a valid key: '
            'use lowercase letters, digits, "-" and "_"',
            UNKNOWN_LEIPZIG,
        ],
    ),
    (
        ('key = "leipzig"', 'key = "bremen"'),
        [
            '[[city]] #2 (key "bremen"), field key: duplicate city key "bremen", '
            'also in [[city]] #1 (key "bremen")',
            UNKNOWN_LEIPZIG,
        ],
    ),
    (('name = "Leipzig"\n', ""), [f"{LEIPZIG}, field name: missing (required)"]),
    (('name = "Leipzig"', 'name = "  "'), [f"{LEIPZIG}, field name: must not be empty"]),
    (
        (LEIPZIG_CONTACTS, "contacts = []"),
        [f"{LEIPZIG}, field contacts: a city needs at least one contact"],
    ),
    (
        (LEIPZIG_CONTACTS + "\n", ""),
        [f"{LEIPZIG}, field contacts: a city needs at least one contact"],
    ),
    (
        (LEIPZIG_CONTACTS, 'contacts = "U0LEI1"'),
        [f'{LEIPZIG}, field contacts: must be a list in brackets, like ["U0123ABCD"]'],
    ),
    (
        (LEIPZIG_CONTACTS, 'contacts = ["U0LEI1", "u0lei2"]'),
        [f'{LEIPZIG}, field contacts: "u0lei2" is not a Slack user ID (like "U0123ABCD")'],
    ),
    (
        (LEIPZIG_CONTACTS, 'contacts = ["U0LEI1", 42]'),
        [f"{LEIPZIG}, field contacts: 42 must be text in quotes"],
    ),
    (
        (LEIPZIG_CONTACTS, 'contacts = ["U0LEI1", "U0LEI1"]'),
        [f'{LEIPZIG}, field contacts: "U0LEI1" is listed twice'],
    ),
    (
        ('email_domains = ["leipzig.de"]', 'email_domains = ["@leipzig.de"]'),
        [
            f'{LEIPZIG}, field email_domains: "@leipzig.de" is not a domain '
            '(like "leipzig.de", without the @)'
        ],
    ),
    (
        ('email_domains = ["leipzig.de"]', 'email_domains = ["leipzig"]'),
        [f'{LEIPZIG}, field email_domains: "leipzig" is not a domain (like "leipzig.de")'],
    ),
    (
        ('email_domains = ["leipzig.de"]', 'email_domains = ["amt.bremen.de"]'),
        [
            f'{LEIPZIG}, field email_domains: "amt.bremen.de" overlaps with "bremen.de" '
            'of city "bremen"'
        ],
    ),
    (
        ('email_domains = ["leipzig.de"]', 'email_domain = ["leipzig.de"]'),
        [
            f"{LEIPZIG}, field email_domain: unknown field; "
            "expected key, name, email_domains, contacts, holidays"
        ],
    ),
    # [[topic]]
    (
        ('name = "Klimaanpassung"\n', ""),
        ['[[topic]] #2 (key "klima"), field name: missing (required)'],
    ),
    (
        ('key = "klima"', 'key = "wohnen"'),
        [
            '[[topic]] #2 (key "wohnen"), field key: duplicate topic key "wohnen", '
            'also in [[topic]] #1 (key "wohnen")'
        ],
    ),
    (
        ('name_en = "Housing"', 'name_de = "Housing"'),
        ['[[topic]] #1 (key "wohnen"), field name_de: unknown field; expected key, name, name_en'],
    ),
    (
        ('name_en = "Housing"', "name_en = 5"),
        ['[[topic]] #1 (key "wohnen"), field name_en: must be text in quotes'],
    ),
    # [[topic_contact]]
    (
        ('topic = "wohnen"', 'topic = "wonen"'),
        ['[[topic_contact]] #1, field topic: unknown topic key "wonen"'],
    ),
    (
        ('city = "leipzig"', 'city = "lepzig"'),
        ['[[topic_contact]] #1, field city: unknown city key "lepzig"'],
    ),
    (
        ('users = ["U0LEI3"]', "users = []"),
        ["[[topic_contact]] #1, field users: a topic contact needs at least one user"],
    ),
    (
        ('users = ["U0LEI3"]', 'users = ["X0LEI3"]'),
        ['[[topic_contact]] #1, field users: "X0LEI3" is not a Slack user ID (like "U0123ABCD")'],
    ),
    (
        (
            'users = ["U0LEI3"]',
            'users = ["U0LEI3"]\n\n[[topic_contact]]\ncity = "leipzig"\ntopic = "wohnen"\n'
            'users = ["U0LEI4"]',
        ),
        [
            '[[topic_contact]] #2, field topic: city "leipzig" and topic "wohnen" '
            "are already in [[topic_contact]] #1"
        ],
    ),
]


@pytest.mark.parametrize(("replacement", "expected"), CASES, ids=[str(c[1][0])[:60] for c in CASES])
def test_check_names_entry_and_field(replacement, expected):
    assert [str(p) for p in check_directory(_edit(replacement))] == expected


def test_valid_text_has_no_problems():
    assert check_directory(VALID) == []


def test_problem_carries_entry_field_and_message():
    [problem] = check_directory(_edit(('topic = "wohnen"', 'topic = "wonen"')))
    assert problem == Problem("[[topic_contact]] #1", "topic", 'unknown topic key "wonen"')


def test_toml_syntax_error_names_the_line():
    broken = _edit(('name = "Leipzig"', "name = Leipzig"))
    line = broken.splitlines().index("name = Leipzig") + 1

    [problem] = check_directory(broken)

    assert problem.line == line
    assert str(problem).startswith(f"TOML syntax, line {line}: ")
    assert f"line {line}" in problem.message  # tomllib's own wording is kept


def test_every_problem_is_reported_at_once():
    text = _edit(
        ('coordinators = ["U0COORD1"]', 'coordinators = ["nobody"]'),
        (LEIPZIG_CONTACTS, "contacts = []"),
        ('name = "Klimaanpassung"\n', ""),
        ('topic = "wohnen"', 'topic = "wonen"'),
    )

    assert [str(p) for p in check_directory(text)] == [
        '[network], field coordinators: "nobody" is not a Slack user ID (like "U0123ABCD")',
        f"{LEIPZIG}, field contacts: a city needs at least one contact",
        '[[topic]] #2 (key "klima"), field name: missing (required)',
        '[[topic_contact]] #1, field topic: unknown topic key "wonen"',
    ]


def test_parse_raises_with_all_problems():
    text = _edit((LEIPZIG_CONTACTS, "contacts = []"), ('name = "Wohnen"', 'name = ""'))

    with pytest.raises(DirectoryFileError) as raised:
        parse_directory(text)

    assert [p.field for p in raised.value.problems] == ["contacts", "name"]
    assert "2 problems in the directory file" in str(raised.value)
    assert f"{LEIPZIG}, field contacts: a city needs at least one contact" in str(raised.value)


def test_parse_builds_the_directory():
    directory = parse_directory(
        _edit(('email_domains = ["leipzig.de"]', 'email_domains = ["Leipzig.DE"]'))
    )

    assert directory.network_name == "koopstadt"
    assert directory.coordinators == ("U0COORD1",)
    assert directory.cities[1] == CityInfo(
        "leipzig", "Leipzig", ("leipzig.de",), ("U0LEI1", "U0LEI2")
    )
    assert directory.topic("klima").name_en is None
    assert directory.topic_label("wohnen", "en") == "Housing"
    assert directory.topic_label("klima", "en") == "Klimaanpassung"
    assert directory.topic_contacts == (TopicContact("leipzig", "wohnen", ("U0LEI3",)),)


# --- the example file and the Directory it gives -----------------------------


def test_example_file_is_clean():
    assert check_directory(EXAMPLE.read_text(encoding="utf-8")) == []
    directory = load_directory_file(EXAMPLE)
    assert directory.network_name == "koopstadt"
    assert [c.key for c in directory.cities] == ["bremen", "leipzig", "nuernberg"]
    assert directory.city_name("nuernberg") == "Nürnberg"
    assert {t.key: t.name_en for t in directory.topics} == {
        "wohnen": "Housing",
        "mobilitaet": "Mobility",
        "bildung": "Education and schools",
        "quartiere": "Neighbourhoods",
        "wirtschaft": "Economy and creative scenes",
        "region": "Regional cooperation",
        "klima": "Climate adaptation",
        "beteiligung": "Public participation",
    }
    assert len(directory.topic_contacts) == 2
    assert len(directory.coordinators) == 1
    assert directory.is_usable


@pytest.mark.parametrize(
    ("email", "city"),
    [
        ("anna@leipzig.de", "leipzig"),
        ("Anna@LEIPZIG.DE", "leipzig"),
        ("bo@stadt.nuernberg.de", "nuernberg"),
        ("bo@amt.stadt.nuernberg.de", "nuernberg"),
        ("carl@bremen.de", "bremen"),
        ("eve@notleipzig.de", None),
        ("eve@leipzig.de.example.org", None),
        ("no-at-sign", None),
        (None, None),
    ],
)
def test_city_for_email(email, city):
    assert load_directory_file(EXAMPLE).city_for_email(email) == city


def test_naming_contacts_prefers_topic_contacts_and_falls_back_to_the_city():
    directory = load_directory_file(EXAMPLE)

    assert directory.naming_contacts("leipzig", "wohnen") == ("U0LEI3",)
    assert directory.naming_contacts("leipzig", "klima") == ("U0LEI1", "U0LEI2")
    assert directory.naming_contacts("nuernberg", "mobilitaet") == ("U0NUE2", "U0NUE3")
    assert directory.naming_contacts("bremen", "mobilitaet") == ("U0BRE1",)
    assert directory.may_name("U0LEI1", "leipzig", "wohnen")  # city contacts still may
    assert not directory.may_name("U0BRE1", "leipzig", "wohnen")


def test_missing_file_says_to_copy_the_example(tmp_path):
    path = tmp_path / "directory.toml"

    with pytest.raises(DirectoryFileError) as raised:
        load_directory_file(path)

    [problem] = raised.value.problems
    assert str(path) in str(problem)
    assert "directory.example.toml" in problem.message


def test_file_with_problems_names_the_file(tmp_path):
    path = tmp_path / "directory.toml"
    path.write_text(_edit(('topic = "wohnen"', 'topic = "wonen"')), encoding="utf-8")

    with pytest.raises(DirectoryFileError) as raised:
        load_directory_file(path)

    assert str(raised.value) == (
        f"{path}: 1 problem in the directory file:\n"
        '  [[topic_contact]] #1, field topic: unknown topic key "wonen"'
    )


# --- sync into the database and load back ------------------------------------

_DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(params=_DATABASES)
def _sf(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine("sqlite:///" + str(tmp_path / "t.db"))
    else:
        engine = make_engine(os.environ["TEST_DATABASE_URL"])
        SQLModel.metadata.drop_all(engine)
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
    upgrade(engine)
    yield SessionFactory(engine)
    engine.dispose()


def _example() -> Directory:
    return load_directory_file(EXAMPLE)


def _without_contact(directory: Directory, city_key: str, user_id: str) -> Directory:
    cities = tuple(
        dataclasses.replace(c, contacts=tuple(u for u in c.contacts if u != user_id))
        if c.key == city_key
        else c
        for c in directory.cities
    )
    return dataclasses.replace(directory, cities=cities)


def _role(sf: SessionFactory, role: str, city_key: str, user_id: str) -> DirectoryRole:
    with sf() as session:
        return session.exec(
            select(DirectoryRole).where(
                DirectoryRole.role == role,
                DirectoryRole.city_key == city_key,
                DirectoryRole.user_id == user_id,
            )
        ).one()


def test_first_sync_adds_everything_and_load_gives_it_back(_sf):
    directory = _example()

    report = sync_directory(_sf, directory, now=T0)

    assert (report.network.added, report.cities.added, report.topics.added) == (1, 3, 8)
    assert (report.contacts.added, report.topic_contacts.added, report.coordinators.added) == (
        4,
        3,
        1,
    )
    loaded = load_directory(_sf)
    # Topics come back ordered by name, the rest as in the example file.
    assert [t.name for t in loaded.topics] == sorted(
        (t.name for t in directory.topics), key=lambda n: n.replace("ü", "u")
    )
    assert dataclasses.replace(loaded, topics=directory.topics) == directory
    assert loaded.topic("wohnen") == directory.topic("wohnen")
    assert loaded.city_for_email("x@stadt.nuernberg.de") == "nuernberg"


def test_second_sync_with_the_same_directory_changes_nothing(_sf):
    sync_directory(_sf, _example(), now=T0)

    report = sync_directory(_sf, _example(), now=T1)

    assert report == SyncReport()
    assert not report.changed
    assert str(report) == "directory synced: nothing changed"
    with _sf() as session:
        stamps = [r.updated_at for r in session.exec(select(City)).all()]
        stamps += [r.updated_at for r in session.exec(select(Topic)).all()]
        stamps += [r.updated_at for r in session.exec(select(DirectoryRole)).all()]
        stamps.append(session.get(Network, 1).updated_at)
    assert set(stamps) == {T0}


def test_the_certificate_line_is_synced_and_read_in_each_language(_sf):
    sync_directory(_sf, _example(), now=T0)
    assert load_directory(_sf).certificate_line("de") == (
        "Für die Koordination von koopstadt: Dr. Maria Muster, Geschäftsstelle"
    )
    assert load_directory(_sf).certificate_line("en") == (
        "For the koopstadt coordination: Dr Maria Muster, programme office"
    )
    german_only = dataclasses.replace(
        _example(), certificate_signature="Gez. Koordination", certificate_signature_en=None
    )

    report = sync_directory(_sf, german_only, now=T1)

    assert report.network.updated == 1
    assert load_directory(_sf).certificate_line("en") == "Gez. Koordination"
    with _sf() as session:
        assert session.get(Network, 1).updated_at >= T1  # running instances reload it


def test_removed_contact_becomes_inactive_and_returns_active(_sf):
    sync_directory(_sf, _example(), now=T0)
    first_id = _role(_sf, "contact", "leipzig", "U0LEI2").id

    report = sync_directory(_sf, _without_contact(_example(), "leipzig", "U0LEI2"), now=T1)

    assert report.contacts.deactivated == 1
    assert report.contacts.total == 1
    assert str(report) == "directory synced: contacts 1 deactivated"
    row = _role(_sf, "contact", "leipzig", "U0LEI2")
    assert (row.id, row.active, row.updated_at) == (first_id, False, T1)
    loaded = load_directory(_sf)
    assert loaded.contacts_of("leipzig") == ("U0LEI1",)
    assert not loaded.may_decide("U0LEI2", "leipzig")

    report = sync_directory(_sf, _example(), now=T2)

    assert report.contacts.reactivated == 1
    assert str(report) == "directory synced: contacts 1 reactivated"
    row = _role(_sf, "contact", "leipzig", "U0LEI2")
    assert (row.id, row.active, row.updated_at) == (first_id, True, T2)
    assert load_directory(_sf).contacts_of("leipzig") == ("U0LEI1", "U0LEI2")


def test_removed_city_and_topic_stay_as_inactive_rows(_sf):
    sync_directory(_sf, _example(), now=T0)
    full = _example()
    smaller = dataclasses.replace(
        full,
        cities=tuple(c for c in full.cities if c.key != "nuernberg"),
        topics=tuple(t for t in full.topics if t.key != "mobilitaet"),
        topic_contacts=tuple(tc for tc in full.topic_contacts if tc.city != "nuernberg"),
    )

    report = sync_directory(_sf, smaller, now=T1)

    assert report.cities.deactivated == 1
    assert report.topics.deactivated == 1
    assert report.contacts.deactivated == 1
    assert report.topic_contacts.deactivated == 2
    with _sf() as session:
        assert session.get(City, "nuernberg").active is False
        assert session.get(Topic, "mobilitaet").active is False
        assert len(session.exec(select(DirectoryRole)).all()) == 8  # nothing deleted
    loaded = load_directory(_sf)
    assert loaded.city("nuernberg") is None
    assert loaded.topic("mobilitaet") is None
    assert loaded.city_for_email("x@nuernberg.de") is None
    assert [tc.city for tc in loaded.topic_contacts] == ["leipzig"]

    report = sync_directory(_sf, full, now=T2)

    assert (report.cities.reactivated, report.topics.reactivated) == (1, 1)
    assert (report.contacts.reactivated, report.topic_contacts.reactivated) == (1, 2)
    assert load_directory(_sf).city("nuernberg") == full.city("nuernberg")


def test_changed_names_and_domains_are_updated(_sf):
    sync_directory(_sf, _example(), now=T0)
    full = _example()
    renamed = dataclasses.replace(
        full,
        network_name="koopstadt-plus",
        cities=tuple(
            dataclasses.replace(c, email_domains=("leipzig.de", "l.de"))
            if c.key == "leipzig"
            else c
            for c in full.cities
        ),
        topics=tuple(
            dataclasses.replace(t, name_en="Climate") if t.key == "klima" else t
            for t in full.topics
        ),
    )

    report = sync_directory(_sf, renamed, now=T1)

    assert (report.network.updated, report.cities.updated, report.topics.updated) == (1, 1, 1)
    assert str(report) == "directory synced: network 1 updated; cities 1 updated; topics 1 updated"
    loaded = load_directory(_sf)
    assert loaded.network_name == "koopstadt-plus"
    assert loaded.city_for_email("a@l.de") == "leipzig"
    assert loaded.topic_label("klima", "en") == "Climate"
    with _sf() as session:
        assert session.get(City, "leipzig").updated_at == T1
        assert session.get(City, "bremen").updated_at == T0


def test_removed_topic_contact_falls_back_to_city_contacts(_sf):
    sync_directory(_sf, _example(), now=T0)
    assert load_directory(_sf).naming_contacts("leipzig", "wohnen") == ("U0LEI3",)
    full = _example()

    sync_directory(
        _sf,
        dataclasses.replace(
            full, topic_contacts=tuple(tc for tc in full.topic_contacts if tc.city != "leipzig")
        ),
        now=T1,
    )

    assert load_directory(_sf).naming_contacts("leipzig", "wohnen") == ("U0LEI1", "U0LEI2")
    assert _role(_sf, "topic_contact", "leipzig", "U0LEI3").active is False


def test_load_from_an_empty_database_is_an_empty_directory(_sf):
    assert load_directory(_sf) == Directory()


def test_concurrent_syncs_store_everything_once(_sf):
    barrier = threading.Barrier(2)
    reports: list[SyncReport] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            reports.append(sync_directory(_sf, _example(), now=T0))
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert errors == []
    assert sorted(r.cities.added for r in reports) == [0, 3]
    assert sorted(r.changed for r in reports) == [False, True]
    with _sf() as session:
        assert len(session.exec(select(City)).all()) == 3
        assert len(session.exec(select(DirectoryRole)).all()) == 8
