"""German word forms find the same exchanges on SQLite and PostgreSQL, as a person sees
them after `/cr-request suche …`: ß and ss, umlauts with and without (ä/ae), plurals and
compounds. One normalisation (case folding, the Snowball German stemmer) on both sides."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import SQLModel

from bot.domain import search as words
from bot.infra.db import SessionFactory, alembic_config, make_engine, upgrade
from bot.usecases import search
from tests.conftest import NOW
from tests.flows import blocks_text
from tests.test_search import exchange, run_search

TITLES = {
    "schulweg": "Sichere Schulwege an der Hauptstraße",
    "bahn": "Neue Straßenbahn für den Süden",
    "zone": "Fußgängerzonen in der Altstadt",
    "gross": "Großstädte im Wandel",
    "haus": "Häuser am Fluss",
    "station": "Mobilitätsstation am Bahnhof",
}
# (typed, the exchanges found); a word finds the words that start with its stem.
TABLE = [
    ("Hauptstraße", {"schulweg"}),
    ("Hauptstrasse", {"schulweg"}),
    ("HAUPTSTRASSE", {"schulweg"}),
    ("hauptstr", {"schulweg"}),
    ("Straßenbahn", {"bahn"}),
    ("Strassenbahn", {"bahn"}),
    ("Straßenbahnen", {"bahn"}),
    ("Straße", {"bahn"}),  # the start of "Straßenbahn"; not the end of "Hauptstraße"
    ("Fußgängerzone", {"zone"}),
    ("Fußgängerzonen", {"zone"}),
    ("Fussgaengerzone", {"zone"}),
    ("fussgangerzonen", {"zone"}),
    ("Fußgänger", {"zone"}),
    ("Großstadt", {"gross"}),
    ("Großstädte", {"gross"}),
    ("Grossstaedte", {"gross"}),
    ("Großstädten", {"gross"}),
    ("grossstadte", {"gross"}),
    ("Haus", {"haus"}),
    ("Häuser", {"haus"}),
    ("Haeuser", {"haus"}),
    ("Häusern", {"haus"}),
    ("Schulweg", {"schulweg"}),
    ("Schulwegen", {"schulweg"}),
    ("Süden", {"bahn"}),
    ("Sueden", {"bahn"}),
    ("Mobilitätsstationen", {"station"}),
    ("Mobilitaetsstation", {"station"}),
    ("Straßenbahn Süden", {"bahn"}),
    ("Schulwege an der Hauptstraße", {"schulweg"}),
    ("Straßenbahn Fußgängerzone", set()),
    ("Autobahn", set()),
]
FOUND = re.compile(r"\*#(\d+) ")


def test_german_word_forms_find_the_same_exchanges(bot):
    made = {exchange(bot, title=title): name for name, title in TITLES.items()}

    seen = []
    for n, (typed, _expected) in enumerate(TABLE):
        said = run_search(bot, "U0REQ2", typed, name=f"q{n}")
        found = {made[int(i)] for i in FOUND.findall(blocks_text(said["blocks"]))}
        count = f"{len(found)} Treffer für „{typed}“" if found else f"Keine Treffer für „{typed}“"
        seen.append((typed, found, said["text"] == count))
    assert seen == [(typed, expected, True) for typed, expected in TABLE]


STEMMED = ["Hauptstraße", "Straßenbahnen", "Fußgängerzonen", "Großstädte", "Häuser", "Süden",
           "Mobilitätsstationen", "Schulwege", "Erkenntnisse", "Verwaltung"]  # fmt: skip


def test_the_stems_are_postgresqls_german_snowball(session_factory):
    """On PostgreSQL: the Python stems are what its German configuration makes."""
    engine = session_factory.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's stemmer")
    with engine.connect() as conn:
        lexemes = [
            conn.execute(
                sa.text("SELECT ts_lexize('german_stem', :w)"), {"w": w.lower()}
            ).scalar_one()[0]
            for w in STEMMED
        ]
    assert [words.stem(w) for w in STEMMED] == lexemes


def test_the_migration_gives_existing_documents_their_stems(database_url):
    """A document written before the stems (revision 0004) is found after the upgrade."""
    engine = make_engine(database_url)
    cfg = alembic_config(engine)
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0004")
        request = SQLModel.metadata.tables["exchange_request"]
        with engine.begin() as conn:
            [request_id] = conn.execute(
                sa.insert(request).values(
                    title="Sichere Schulwege an der Hauptstraße", question="Wie?",
                    topic_key="wohnen", format="workshop", direction="visit",
                    own_city_key="leipzig", date_from=date(2026, 12, 7), date_to=date(2026, 12, 9),
                    travellers=1, requester_id="U0REQ1", status="matched", version=1,
                    locale="de", created_at=NOW, status_changed_at=NOW,
                ).returning(request.c.id)
            ).one()  # fmt: skip
            conn.execute(
                sa.text(
                    "INSERT INTO search_document (request_id, body, updated_at) "
                    "VALUES (:id, :body, :now)"
                ),
                {
                    "id": request_id,
                    "body": "Sichere Schulwege an der Hauptstraße\nWie?",
                    "now": NOW,
                },
            )
        upgrade(engine)

        found = search.search(SessionFactory(engine), "U0REQ2", "Hauptstrasse")
        assert [h.request.id for h in found.hits] == [request_id]
    finally:
        upgrade(engine)
        engine.dispose()
