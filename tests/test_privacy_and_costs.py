"""The participants' side of the form: one line on what the bot keeps (form, Home,
`/cr-request help`), and the travel estimate the directory's rates suggest."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.models.views import View

from bot.domain.privacy import PrivacyNotice
from bot.domain.request import RawRequest
from bot.infra.directory_file import check_directory, parse_directory
from bot.infra.settings import Settings, SettingsError
from bot.slack import ids, views
from bot.usecases.directory import load_directory, sync_directory
from tests import payloads as p
from tests.conftest import DIRECTORY, NOW, Clock, running_bot
from tests.fakeslack import FakeSlack
from tests.flows import blocks_text, form_values

NETWORK = '[network]\nname = "koopstadt"\n'
PRIVACY = NETWORK + 'privacy_url = "https://koopstadt.de/datenschutz"\n'
RATES = """
[[travel_rate]]
from = "bremen"
to = "leipzig"
eur_per_person = 180

[[travel_rate]]
from = "leipzig"
to = "nuernberg"
eur_per_person = 150.5
"""


@contextmanager
def bot_with(
    fake: FakeSlack, database_url: str, tmp_path: Path, directory: str, **env: str
) -> Iterator[Any]:
    path = tmp_path / "directory.toml"
    path.write_text(directory, encoding="utf-8")
    with running_bot(fake, database_url, path, Clock(NOW), **env) as bot:
        yield bot


def open_form(bot: Any, user: str = "U0REQ1") -> dict[str, Any]:
    """/cr-request: the form as Slack shows it now (after the bot's prefill, if any)."""
    status, _ = bot.http.command(user_id=user, text="", trigger_id="T0FORM")
    assert status == 200
    return shown_form(bot)


def shown_form(bot: Any) -> dict[str, Any]:
    views = [c for c in bot.slack.calls if c.method in ("views.open", "views.update")]
    assert views and not views[-1].failed
    return views[-1].response["view"]


def privacy_text(blocks: list[dict[str, Any]]) -> str:
    lines = [t for t in blocks_text(blocks).split("\n") if "Slack-ID" in t or "Slack ID" in t]
    assert len(lines) == 1, blocks_text(blocks)
    return lines[0]


def home_of(bot: Any, user: str) -> list[dict[str, Any]]:
    bot.http.event(p.app_home_opened(user_id=user))
    published = [c for c in bot.slack.delivered("views.publish") if c.params["user_id"] == user]
    return published[-1].params["view"]["blocks"]


# --- privacy -----------------------------------------------------------------------------


def test_without_a_privacy_page_the_line_still_says_what_is_stored(
    fake_slack, database_url, tmp_path
):
    with bot_with(fake_slack, database_url, tmp_path, DIRECTORY) as bot:
        line = privacy_text(open_form(bot)["blocks"])
        assert line == (
            ":lock: Datenschutz: Der Bot speichert Ihre Slack-ID und was Sie eintragen "
            "(Anfrage, Rückfragen, Reflexion). Abgeschlossene Anfragen bleiben gespeichert, "
            "bis die Betreiber sie löschen. Eine Kopie Ihrer Daten erhalten Sie bei der "
            "Koordination (`cr-bot export`)."
        )
        assert privacy_text(home_of(bot, "U0REQ1")) == line
        _, help_answer = bot.http.command(user_id="U0REQ1", text="help")
        assert privacy_text(help_answer["blocks"]) == line


def test_the_directorys_page_and_the_purge_age_in_form_home_and_help(
    fake_slack, database_url, tmp_path
):
    directory = DIRECTORY.replace(NETWORK, PRIVACY)
    with bot_with(fake_slack, database_url, tmp_path, directory, CR_PURGE_AFTER="2y") as bot:
        bot.services.remember_language("U0REQ2", "en-US")
        expected = (
            ":lock: Datenschutz: Der Bot speichert Ihre Slack-ID und was Sie eintragen "
            "(Anfrage, Rückfragen, Reflexion). Texte und Namen abgeschlossener Anfragen löscht "
            "er nach 2 Jahren. Eine Kopie Ihrer Daten erhalten Sie bei der Koordination "
            "(`cr-bot export`). <https://koopstadt.de/datenschutz|Datenschutzhinweise>"
        )
        assert privacy_text(open_form(bot)["blocks"]) == expected
        assert privacy_text(home_of(bot, "U0REQ1")) == expected
        _, help_answer = bot.http.command(user_id="U0REQ1", text="hilfe")
        assert privacy_text(help_answer["blocks"]) == expected
        assert privacy_text(home_of(bot, "U0REQ2")) == (
            ":lock: Privacy: the bot stores your Slack ID and what you enter (request, "
            "questions, reflection). Texts and names of closed requests are deleted after "
            "2 years. The coordinators can give you a copy of your data (`cr-bot export`). "
            "<https://koopstadt.de/datenschutz|Privacy notice>"
        )


def test_cr_privacy_url_wins_over_the_directory(fake_slack, database_url, tmp_path):
    directory = DIRECTORY.replace(NETWORK, PRIVACY)
    env = {"CR_PRIVACY_URL": "https://betrieb.example/privacy?a=1&b=2", "CR_PURGE_AFTER": "18m"}
    with bot_with(fake_slack, database_url, tmp_path, directory, **env) as bot:
        line = privacy_text(open_form(bot)["blocks"])
        assert "nach 18 Monaten" in line
        assert line.endswith("<https://betrieb.example/privacy?a=1&amp;b=2|Datenschutzhinweise>")
        assert "koopstadt.de" not in line


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"CR_PRIVACY_URL": "koopstadt.de/datenschutz"}, 'CR_PRIVACY_URL: "koopstadt.de/'),
        ({"CR_PURGE_AFTER": "zwei Jahre"}, "CR_PURGE_AFTER: invalid duration 'zwei Jahre'"),
    ],
)
def test_bad_privacy_settings_say_what_to_write(env, message):
    with pytest.raises(SettingsError, match="^" + message.replace("?", r"\?")):
        Settings.from_env({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", **env})


def test_the_directory_checks_its_privacy_page():
    problems = check_directory(
        DIRECTORY.replace(NETWORK, NETWORK + 'privacy_url = "www.koopstadt.de"\n')
    )
    assert [str(x) for x in problems] == [
        '[network], field privacy_url: "www.koopstadt.de" is not a web address: write it in '
        'full, like "https://example.org/privacy"'
    ]


# --- travel rates in the directory ----------------------------------------------------------


@pytest.mark.parametrize(
    ("rate", "problem"),
    [
        (
            'from = "bremen"\nto = "hamburg"\neur_per_person = 90',
            '[[travel_rate]] #1, field to: unknown city "hamburg"; the cities are "bremen", '
            '"leipzig", "nuernberg"',
        ),
        (
            'from = "bremen"\nto = "leipzig"\neur_per_person = -5',
            "[[travel_rate]] #1, field eur_per_person: must not be negative (euros per person)",
        ),
        (
            'from = "bremen"\nto = "leipzig"\neur_per_person = "180"',
            "[[travel_rate]] #1, field eur_per_person: must be a number of euros without "
            "quotes, like 20000",
        ),
        (
            'from = "bremen"\nto = "bremen"\neur_per_person = 10',
            '[[travel_rate]] #1, field to: "bremen" is the same city as from: name two cities',
        ),
        (
            'from = "bremen"\nto = "leipzig"\neur_per_person = 180\n\n[[travel_rate]]\n'
            'from = "leipzig"\nto = "bremen"\neur_per_person = 170',
            '[[travel_rate]] #2, field to: "leipzig"–"bremen" already has a rate in '
            "[[travel_rate]] #1 (a rate applies in both directions)",
        ),
    ],
)
def test_directory_check_names_a_bad_travel_rate(rate, problem):
    problems = check_directory(DIRECTORY + "\n[[travel_rate]]\n" + rate + "\n")
    assert [str(x) for x in problems] == [problem]


def test_rates_and_privacy_page_are_stored_with_the_directory(session_factory):
    directory = parse_directory(DIRECTORY.replace(NETWORK, PRIVACY) + RATES)
    report = sync_directory(session_factory, directory, now=NOW)
    assert "travel rates 2 added" in str(report)
    loaded = load_directory(session_factory)
    assert loaded.privacy_url == "https://koopstadt.de/datenschutz"
    assert {(r.pair, r.cents_per_person) for r in loaded.travel_rates} == {
        (frozenset({"bremen", "leipzig"}), 18000),
        (frozenset({"leipzig", "nuernberg"}), 15050),
    }
    # A changed rate is updated, a removed one no longer applies.
    changed = parse_directory(
        DIRECTORY + RATES.split("\n\n[[travel_rate]]")[0].replace("180", "190")
    )
    assert "travel rates 1 updated, 1 deactivated" in str(
        sync_directory(session_factory, changed, now=NOW)
    )
    again = load_directory(session_factory)
    assert [(r.pair, r.cents_per_person) for r in again.travel_rates] == [
        (frozenset({"bremen", "leipzig"}), 19000)
    ]
    assert again.privacy_url is None


# --- the suggestion under the cost field -----------------------------------------------------


def cost_block(view: dict[str, Any]) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == ids.B_COST)


def change_field(bot: Any, view: dict[str, Any], block: str, **values: Any) -> dict[str, Any]:
    """The person changes `block` in the form (its other fields as in form_values); the
    form as Slack shows it afterwards."""
    state = form_values(**{ids.B_COST: p.text_value(None), **values})
    mark = len(bot.slack.calls)
    status, _ = bot.http.click(
        action_id=ids.VALUE,
        value="",
        user_id="U0REQ1",
        block_id=block,
        container_type="view",
        view={**view, "state": {"values": state}},
        action={**state[block][ids.VALUE]},
    )
    assert status == 200
    updates = [c for c in bot.slack.calls[mark:] if c.method == "views.update"]
    return updates[-1].response["view"] if updates else view


def test_the_form_suggests_the_estimate_from_the_rate_and_the_people_travelling(
    fake_slack, database_url, tmp_path
):
    with bot_with(fake_slack, database_url, tmp_path, DIRECTORY + RATES) as bot:
        form = open_form(bot)
        # The fields the suggestion depends on tell the bot when they change.
        dispatching = {b["block_id"] for b in form["blocks"] if b.get("dispatch_action")}
        assert dispatching == {"format", "direction", "own_city", "partners", "travellers"}
        assert (
            cost_block(form)["hint"]["text"] == "Optional. Die Reisekosten übernimmt das Netzwerk."
        )

        form = change_field(bot, form, ids.B_PARTNERS)  # Leipzig visits Bremen, 2 people
        cost = cost_block(form)
        assert cost["hint"]["text"] == (
            "Vorschlag: 360,00 € (2 × 180,00 € Leipzig–Bremen) – bitte übernehmen oder "
            "anpassen. Optional. Die Reisekosten übernimmt das Netzwerk."
        )
        # A suggestion, not a value: the field stays the person's to fill in.
        assert "initial_value" not in cost["element"]
        assert cost["element"]["placeholder"]["text"] == "Vorschlag: 360,00 €"

        # Three people to Bremen and Nürnberg: each leg, then the sum.
        form = change_field(
            bot,
            form,
            ids.B_TRAVELLERS,
            **{
                ids.B_TRAVELLERS: p.number_value("3"),
                ids.B_PARTNERS: p.multi_select_values(["bremen", "nuernberg"]),
            },
        )
        assert cost_block(form)["hint"]["text"].startswith(
            "Vorschlag: 991,50 € (3 × 180,00 € Leipzig–Bremen + 3 × 150,50 € Leipzig–Nürnberg)"
        )

        # Online: nobody travels, nothing is suggested.
        form = change_field(
            bot, form, ids.B_FORMAT, **{ids.B_FORMAT: p.select_value("online", "Online")}
        )
        assert (
            cost_block(form)["hint"]["text"] == "Optional. Die Reisekosten übernimmt das Netzwerk."
        )
        assert "Vorschlag" not in blocks_text(form["blocks"])


def test_the_form_with_a_suggestion_is_valid_block_kit():
    directory = parse_directory(DIRECTORY + RATES)
    raw = RawRequest(own_city_key="leipzig", partner_keys=("bremen",), travellers="2")
    form = views.request_modal(directory, "de", prefill=raw, privacy=PrivacyNotice())
    assert "Vorschlag: 360,00 €" in blocks_text(form["blocks"])
    assert View(**form).to_dict() == form
    # Without rates, the fields send nothing as they change.
    plain_form = views.request_modal(parse_directory(DIRECTORY), "de")
    assert not any(b.get("dispatch_action") for b in plain_form["blocks"])


def test_the_suggestion_in_english_and_none_without_a_rate(fake_slack, database_url, tmp_path):
    with bot_with(fake_slack, database_url, tmp_path, DIRECTORY + RATES) as bot:
        fake_slack.set_user("U0REQ1", email="anna.schmidt@leipzig.de", locale="en-US")
        bot.services.remember_language("U0REQ1", "en-US")
        form = change_field(bot, open_form(bot), ids.B_PARTNERS)
        assert cost_block(form)["hint"]["text"].startswith(
            "Suggestion: €360.00 (2 × €180.00 Leipzig–Bremen) – take it over or adjust it."
        )
        # Bremen–Nürnberg has no rate: half an estimate would mislead, so none.
        form = change_field(
            bot,
            form,
            ids.B_OWN_CITY,
            **{
                ids.B_OWN_CITY: p.select_value("bremen"),
                ids.B_PARTNERS: p.multi_select_values(["nuernberg"]),
            },
        )
        assert "Suggestion" not in blocks_text(form["blocks"])


def test_a_change_that_leaves_the_suggestion_as_it_was_sends_nothing(
    fake_slack, database_url, tmp_path
):
    with bot_with(fake_slack, database_url, tmp_path, DIRECTORY) as bot:
        form = open_form(bot)
        mark = len(bot.slack.calls)
        change_field(bot, form, ids.B_PARTNERS)  # no rates at all: the hint stays
        assert [c.method for c in bot.slack.calls[mark:]] == []


# --- the purge age the line states is the one purge uses ---------------------------------------


def test_purge_without_older_than_takes_cr_purge_after(session_factory, capsys):
    from bot.domain.privacy import Retention
    from bot.entry.cli_admin import build_parser, dispatch

    def purge(settings: Settings) -> int | None:
        return dispatch(build_parser().parse_args(["purge"]), settings, session_factory, now=NOW)

    assert purge(Settings(bot_token="xoxb-test")) == 2
    assert "purge needs --older-than DURATION (e.g. 2y), or CR_PURGE_AFTER set" in (
        capsys.readouterr().err
    )
    assert purge(Settings(bot_token="xoxb-test", purge_after=Retention.parse("2y"))) == 0
    assert capsys.readouterr().out.startswith("dry run: 0 closed requests older than 730 days")
