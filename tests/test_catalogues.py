"""The texts' gettext catalogues: complete in every language, read the way they always read,
and a new language is one catalogue plus its code in `bot.domain.people.LANGUAGES`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.messages.pofile import read_po

import bot.texts as texts
from bot.domain import people
from bot.domain.people import language_of_locale
from bot.texts.catalogue import DOMAINS, read_catalogue
from tests.conftest import running_bot
from tests.flows import blocks_text, last_dm, submit_request

ROOT = Path(__file__).resolve().parent.parent
TEST_LOCALE = Path(__file__).parent / "data" / "locale"


def catalogues() -> dict[str, texts.catalogue.Catalogue]:
    return {lang: read_catalogue(lang) for lang in people.LANGUAGES}


def test_every_message_is_in_every_language_with_the_same_placeholders():
    source, *others = catalogues().values()
    assert source.lang == "de" and len(source.keys["messages"]) > 450
    assert len(source.keys["formats"]) > 10
    assert not set(source.keys["messages"]) & set(source.keys["formats"])
    for cat in others:
        for domain in DOMAINS:
            assert sorted(cat.keys[domain]) == sorted(source.keys[domain]), (cat.lang, domain)
        assert sorted(cat.texts) == sorted(source.texts), cat.lang
        assert sorted(cat.plurals) == sorted(source.plurals), cat.lang
        for key, text in source.texts.items():
            assert texts.placeholders(cat.texts[key]) == texts.placeholders(text), (cat.lang, key)
            # Empty only where the German is (nothing to say, e.g. next.declined).
            assert bool(cat.texts[key]) == bool(text), (cat.lang, key)
        for key, forms in source.plurals.items():
            theirs = cat.plurals[key]
            assert all(theirs), (cat.lang, key)
            assert set().union(*map(texts.placeholders, theirs)) == set().union(
                *map(texts.placeholders, forms)
            ), (cat.lang, key)


def po_files() -> list[Path]:
    return [
        texts.LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"
        for lang in people.LANGUAGES
        for domain in DOMAINS
    ]


def test_every_catalogue_has_all_its_plural_forms_and_flags_its_placeholders():
    for path in po_files():
        lang = path.parent.parent.name
        with path.open("rb") as f:
            po = read_po(f, locale=lang)
        assert po.locale_identifier == lang
        plurals = [m for m in po if isinstance(m.id, tuple)]
        assert all(len(m.string) == po.num_plurals for m in plurals)
        assert plurals or path.stem == "formats"
        # Babel's reader derives python-brace-format from the msgid (here a key), so the
        # flags are read from the file: gettext tools check {placeholders} by them.
        for entry in path.read_text(encoding="utf-8").split("\n\n")[1:]:
            if "msgstr" in entry and texts.placeholders(entry[entry.index("msgstr") :]):
                assert "#, python-brace-format" in entry, entry


def test_no_message_is_in_a_catalogue_twice():
    """read_po would keep one of two silently; each key is written once."""
    for path in po_files():
        ids = re.findall(r'^msgid "(.+)"$', path.read_text(encoding="utf-8"), re.M)
        assert len(ids) == len(set(ids)), [i for i in set(ids) if ids.count(i) > 1]


def test_no_text_is_left_in_a_python_dictionary():
    """Texts added as `bot/texts/texts_NAME.py` dicts belong in the catalogues: convert them
    with /work/notes/dict_to_po.py (see the README's "Texts")."""
    assert sorted(p.name for p in (ROOT / "bot" / "texts").glob("texts_*.py")) == []


def test_no_code_chooses_words_by_comparing_a_language():
    pattern = re.compile(r"""(==|!=)\s*["'](de|en)["']|["'](de|en)["']\s*(==|!=)""")
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "bot").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert found == []


# The tables the bot wrote dates with before CLDR did (weekday, month, month in full).
OLD_WEEKDAYS = {
    "de": ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}
OLD_MONTHS = {
    "de": ("Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sept.", "Okt.",
           "Nov.", "Dez."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}  # fmt: skip
OLD_MONTHS_LONG = {
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
           "September", "Oktober", "November", "Dezember"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
}  # fmt: skip


@pytest.mark.parametrize("lang", ["de", "en"])
def test_cldr_names_of_days_and_months_are_the_ones_the_bot_always_wrote(lang):
    for offset in range(7):
        day = date(2026, 12, 7) + timedelta(days=offset)  # a Monday, then the week
        assert texts.fmt_date(day, lang).startswith(OLD_WEEKDAYS[lang][offset] + ", ")
    for month in range(1, 13):
        day = date(2026, month, 9)
        assert texts.month_name(month, lang) == OLD_MONTHS[lang][month - 1]
        assert texts.month_name(month, lang, wide=True) == OLD_MONTHS_LONG[lang][month - 1]
        old = {
            "de": f"{OLD_WEEKDAYS['de'][day.weekday()]}, 9. {OLD_MONTHS['de'][month - 1]} 2026",
            "en": f"{OLD_WEEKDAYS['en'][day.weekday()]}, 9 {OLD_MONTHS['en'][month - 1]} 2026",
        }
        assert texts.fmt_date(day, lang) == old[lang]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "de",
            [
                "Mo, 7. Dez. 2026",
                "Mo, 7. Dez. 2026 – Mi, 9. Dez. 2026",
                "Mo, 7. Dez. 2026 um 09:10 Uhr",
                "<!date^1796631000^{date_short_pretty} um {time}|Mo, 7. Dez. 2026 um 09:10 Uhr>",
                "2.450,50 €",
                "-2.450,50 €",
                "1.234.567",
                "12,5 %",
                "1.234,5",
                "7. Dezember 2026",
                "@a, @b und @c",
                "niemand reist",
            ],
        ),
        (
            "en",
            [
                "Mon, 7 Dec 2026",
                "Mon, 7 Dec 2026 – Wed, 9 Dec 2026",
                "Mon, 7 Dec 2026 at 09:10",
                "<!date^1796631000^{date_short_pretty} at {time}|Mon, 7 Dec 2026 at 09:10>",
                "€2,450.50",
                "-€2,450.50",
                "1,234,567",
                "12.5%",
                "1,234.5",
                "7 December 2026",
                "@a, @b and @c",
                "nobody travels",
            ],
        ),
    ],
)
def test_dates_numbers_money_and_lists_read_as_before(lang, expected):
    moment = datetime(2026, 12, 7, 8, 10, tzinfo=UTC)
    berlin = ZoneInfo("Europe/Berlin")
    assert [
        texts.fmt_date(date(2026, 12, 7), lang),
        texts.fmt_range(date(2026, 12, 7), date(2026, 12, 9), lang),
        texts.fmt_datetime(moment, lang, berlin),
        texts.date_token(moment, lang, berlin),
        texts.fmt_cents(245050, lang),
        texts.fmt_money(Decimal("-2450.50"), lang),
        texts.fmt_count(1234567, lang),
        texts.fmt_percent(0.125, lang),
        texts.fmt_decimal(1234.55, 1, lang),  # 1234.55 is 1234.549… as a float
        texts.fmt_long_date(date(2026, 12, 7), lang),
        texts.join_names(["@a", "@b", "@c"], lang),
        texts.travellers_text(0, lang),
    ] == expected


def test_a_language_without_a_catalogue_reads_german():
    assert texts.t("xx", "modal.title") == "C+R-Anfrage"
    assert texts.fmt_date(date(2026, 12, 7), "xx") == "Mo, 7. Dez. 2026"
    assert texts.tn("xx", "travellers", 2) == "2 Personen reisen"


# --- a new language: French, whose catalogue exists only in the tests ------------------


@pytest.fixture
def french(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The code "fr" added to the one list, its catalogue found in tests/data/locale."""
    before = people.LANGUAGES
    monkeypatch.setattr(people, "LANGUAGES", (*before, "fr"))
    texts.load(dirs=(texts.LOCALE_DIR, TEST_LOCALE))
    yield
    texts.load(before)


def test_a_new_language_is_one_catalogue_and_its_code_in_one_list(french):
    assert texts.languages() == ("de", "en", "fr")
    assert language_of_locale("fr-FR", "de") == "fr"
    assert texts.t("fr", "modal.title") == "Demande C+R"
    assert texts.t("fr", "modal.close") == "Abbrechen"  # not translated: German, as always
    # Babel's French: names, decimal comma, a narrow no-break space between thousands.
    assert texts.fmt_date(date(2026, 12, 7), "fr") == "lun. 7 déc. 2026"
    assert texts.fmt_cents(245050, "fr") == "2\u202f450,50 €"
    assert texts.join_names(["a", "b", "c"], "fr") == "a, b et c"
    # CLDR's French plural: 0 and 1 are singular; a .zero text still wins for 0.
    assert texts.tn("fr", "search.count", 0, query="école") == "0 résultat pour « école »"
    assert texts.tn("fr", "search.count", 2, query="école") == "2 résultats pour « école »"
    assert texts.tn("fr", "travellers", 1) == "1 personne voyage"
    assert texts.tn("fr", "travellers", 0) == "personne ne voyage"
    # The test catalogue invents no key and keeps the placeholders of the German.
    fr, de = read_catalogue("fr", (TEST_LOCALE,)), read_catalogue("de")
    for key, text in fr.texts.items():
        assert texts.placeholders(text) == texts.placeholders(de.texts[key]), key
    assert set(fr.plurals) <= set(de.plurals)
    assert texts.t("fr", "fmt.event_title", title="École") == "Échange C+R : École"


def test_a_french_contact_reads_the_decision_request_in_french(
    french, fake_slack, database_url, directory_file, clock
):
    with running_bot(fake_slack, database_url, directory_file, clock) as bot:
        bot.slack.set_user("U0LEI2", email="u0lei2@example.org", locale="fr-FR")
        submit_request(bot, "U0REQ1")
        dm = last_dm(bot, "U0LEI2")
    pushed = "À décider : #1 Quartiersschulen gemeinsam planen (Leipzig → Bremen)"
    assert dm.params["text"] == pushed
    shown = blocks_text(dm.params["blocks"])
    assert ":inbox_tray: Nouvelle demande C+R *#1* de <@U0REQ1> – à décider :" in shown
    assert "*Quand*\nlun. 7 déc. 2026 – mer. 9 déc. 2026" in shown
    assert "*Voyage*\n2 personnes voyagent" in shown
    assert "*Frais de voyage (estimés)*\n450,00 €" in shown
    assert "Approuver" in shown and "Ablehnen" in shown  # the latter not translated yet
