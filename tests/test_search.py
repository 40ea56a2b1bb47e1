"""The network's memory: full-text search of past exchanges and the experts on a topic,
on SQLite (FTS5) and PostgreSQL (German tsvector), as people see it in Slack."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from bot.domain import search as words
from bot.domain.request import RequestDraft
from bot.slack import ids
from bot.usecases import decisions, filing, matching, search
from tests.flows import blocks_text, buttons, text_state

_n = [0]


def exchange(
    bot,
    *,
    state: str = "matched",
    title: str = "Austausch",
    question: str = "Wie macht ihr das?",
    topic: str = "wohnen",
    requester: str = "U0REQ1",
    experts: tuple[str, ...] = ("U0EXP1",),
    partners: tuple[str, ...] = ("bremen",),
    days: int = 0,
) -> int:
    """A request in `state` (submitted, approved, matched, declined, cancelled)."""
    _n[0] += 1
    services = bot.services
    draft = RequestDraft(
        title=title,
        question=question,
        topic_key=topic,
        format="workshop",
        direction="visit",
        own_city_key="leipzig",
        partner_keys=partners,
        date_from=date(2026, 12, 7) + timedelta(days=days),
        date_to=date(2026, 12, 9) + timedelta(days=days),
        travellers=2,
        cost_eur=None,
    )
    now = bot.clock.advance(minutes=1)
    request_id = filing.file_request(
        services.session_factory,
        draft,
        requester_id=requester,
        locale="de",
        submission_key=f"search-{_n[0]}-{id(bot)}",
        ctx=services.context(),
        now=now,
    ).request.id
    kw = {"ctx": services.context(), "now": now}
    if state in ("approved", "matched"):
        decisions.decide(services.session_factory, request_id, 1, "approve", actor="U0LEI1", **kw)
    if state == "declined":
        decisions.decide(
            services.session_factory, request_id, 1, "decline", actor="U0LEI1", comment="nein",
            **kw,
        )  # fmt: skip
    if state == "cancelled":
        decisions.cancel(services.session_factory, request_id, actor=requester, **kw)
    if state == "matched":
        for city in partners:
            namer = services.directory.naming_contacts(city, topic)[0]
            matching.name_experts(
                services.session_factory, request_id, city, list(experts), actor=namer,
                note=None, **kw,
            )  # fmt: skip
    services.deliver()
    return request_id


def run_search(bot, user: str, query: str, name: str = "s") -> dict:
    bot.http.command(user_id=user, text=f"suche {query}", response_url=bot.slack.response_url(name))
    said = [c for c in bot.slack.calls_to("response_url") if c.params.get("_name") == name]
    assert said, bot.slack.methods()
    return said[-1].params


# --- the query words -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "query"),
    [
        ("Mobilitätsstationen", '"mobilitatsstation"*'),
        ("Quartiersschulen Bremen", '"quartiersschul"* "brem"*'),
        ("  a  ", ""),
        ('x"; DROP TABLE y --', '"drop"* "tabl"*'),
    ],
)
def test_search_words_become_prefixes_of_light_stems(typed, query):
    assert words.fts5_query(words.terms(typed)) == query


# --- search over Slack ---------------------------------------------------------------


def test_search_finds_a_matched_exchange_by_a_word_form_not_in_its_title(bot):
    found_id = exchange(bot, title="Mobilitätsstation am Bahnhof", experts=("U0EXP1", "U0EXP2"))
    exchange(bot, title="Quartiersschulen gemeinsam planen", experts=("U0EXP3",))

    said = run_search(bot, "U0REQ2", "Mobilitätsstationen")

    text = blocks_text(said["blocks"])
    assert said["text"] == "1 Treffer für „Mobilitätsstationen“"
    assert said.get("response_type") == "ephemeral"
    assert f"#{found_id} Mobilitätsstation am Bahnhof" in text
    assert "Quartiersschulen" not in text
    assert "Leipzig → Bremen · Mo, 7. Dez. 2026 – Mi, 9. Dez. 2026" in text
    assert "Expert/innen: <@U0EXP1> (Bremen) und <@U0EXP2> (Bremen)" in text
    # Who acted as expert on the topic before, from every exchange of it.
    assert (
        "Schon Expert/in zu Wohnen: <@U0EXP1> (1 Austausch), <@U0EXP2> (1 Austausch) und "
        "<@U0EXP3> (1 Austausch)"
    ) in text


def test_search_finds_plural_titles_by_the_singular_without_umlauts_and_by_the_question(bot):
    plural = exchange(bot, title="Mobilitätsstationen im Quartier")
    asked = exchange(bot, title="Verkehr", question="Wie plant ihr eine Mobilitätsstation?")

    text = blocks_text(run_search(bot, "U0REQ2", "mobilitatsstation")["blocks"])

    assert f"#{plural} " in text and f"#{asked} " in text


def test_search_finds_by_topic_and_city_names(bot):
    first = exchange(bot, title="Eins", topic="mobilitaet", partners=("nuernberg",))
    exchange(bot, title="Zwei")

    text = blocks_text(run_search(bot, "U0REQ2", "Mobilität Nürnberg")["blocks"])

    assert f"#{first} Eins" in text and "Zwei" not in text


def test_search_never_shows_another_persons_pending_declined_or_cancelled_request(bot):
    for state in ("submitted", "approved", "declined", "cancelled"):
        exchange(bot, state=state, title=f"Mobilitätsstation {state}", requester="U0REQ2")

    other = run_search(bot, "U0REQ1", "Mobilitätsstation", name="other")
    own = run_search(bot, "U0REQ2", "Mobilitätsstation", name="own")

    assert other["text"] == "Keine Treffer für „Mobilitätsstation“"
    assert "Mobilitätsstation submitted" not in blocks_text(other["blocks"])
    own_text = blocks_text(own["blocks"])
    for state in ("submitted", "approved", "declined", "cancelled"):
        assert f"Mobilitätsstation {state}" in own_text  # one's own, in any state
    assert own["text"] == "4 Treffer für „Mobilitätsstation“"


def test_ten_results_then_more_replaces_the_message_with_the_next_page(bot):
    made = [exchange(bot, title=f"Mobilitätsstation {i}") for i in range(12)]

    first = run_search(bot, "U0REQ2", "Mobilitätsstation")

    text = blocks_text(first["blocks"])
    assert first["text"] == "10 Treffer für „Mobilitätsstation“…"
    assert "Treffer 1–10, weitere folgen" in text
    # Equal ranks: newest first.
    assert text.index(f"#{made[-1]} ") < text.index(f"#{made[-2]} ")
    assert f"#{made[0]} " not in text and f"#{made[1]} " not in text
    more = buttons(first["blocks"])[ids.A_SEARCH_MORE]
    bot.http.click(
        action_id=ids.A_SEARCH_MORE,
        value=more,
        user_id="U0REQ2",
        response_url=bot.slack.response_url("more"),
    )
    [page] = [c.params for c in bot.slack.calls_to("response_url") if c.params["_name"] == "more"]
    assert page["replace_original"] is True
    assert page["text"] == "2 Treffer für „Mobilitätsstation“"
    second = blocks_text(page["blocks"])
    assert "Treffer 11–12" in second and f"#{made[0]} " in second and f"#{made[1]} " in second
    assert ids.A_SEARCH_MORE not in buttons(page["blocks"])


def test_search_without_words_explains_itself(bot):
    bot.services.remember_language("U0REQ1", "de-DE")
    status, body = bot.http.command(user_id="U0REQ1", text="suche")
    assert status == 200 and "/cr-request suche BEGRIFF" in body["text"]
    bot.services.remember_language("U0REQ2", "en-US")
    status, body = bot.http.command(user_id="U0REQ2", text="search ?")
    assert "/cr-request search WORDS" in body["text"]


def test_home_search_opens_a_modal_and_shows_results_under_the_field(bot):
    found_id = exchange(bot, title="Quartiersschulen gemeinsam planen")
    mark = len(bot.slack.calls)
    bot.http.click(
        action_id=ids.A_SEARCH_OPEN,
        value="search",
        user_id="U0REQ2",
        container_type="view",
        view={"id": "VHOME", "type": "home", "hash": "h"},
        trigger_id="T0SEARCH",
    )
    [opened] = bot.slack.delivered("views.open")
    assert opened.params["view"]["callback_id"] == ids.VIEW_SEARCH
    assert bot.slack.calls[mark].method == "views.open"  # nothing before it
    view = opened.response["view"]

    status, body = bot.http.submit(
        callback_id=ids.VIEW_SEARCH,
        user_id="U0REQ2",
        values=text_state(ids.B_SEARCH, "Quartiersschule"),
        view_id=view["id"],
        private_metadata=view.get("private_metadata", ""),
    )

    assert status == 200 and body["response_action"] == "update"
    text = blocks_text(body["view"]["blocks"])
    assert f"#{found_id} Quartiersschulen gemeinsam planen" in text
    field = body["view"]["blocks"][0]
    assert field["block_id"] == ids.B_SEARCH and field["element"]["initial_value"] == (
        "Quartiersschule"
    )


def test_home_search_with_no_words_says_so_under_the_field(bot):
    status, body = bot.http.submit(
        callback_id=ids.VIEW_SEARCH,
        user_id="U0REQ2",
        values=text_state(ids.B_SEARCH, " ! "),
        private_metadata=json.dumps({"lang": "de"}),
    )
    assert status == 200 and body["response_action"] == "errors"
    assert "mindestens ein Wort" in body["errors"][ids.B_SEARCH]


def test_home_tab_has_the_search_button(bot):
    bot.http.event({"type": "app_home_opened", "user": "U0REQ1", "tab": "home"})
    [published] = bot.slack.delivered("views.publish")
    assert buttons(published.params["view"]["blocks"])[ids.A_SEARCH_OPEN] == "search"
    assert "Austausche durchsuchen" in blocks_text(published.params["view"]["blocks"])


def test_an_edited_request_is_found_by_its_new_words(bot):
    request_id = exchange(bot, state="submitted", title="Alt")
    services = bot.services
    s = search.search(services.session_factory, "U0REQ1", "Alt").hits[0].request
    draft = RequestDraft.model_validate(
        s.model_dump(include=set(RequestDraft.model_fields)) | {"title": "Baumpatenschaften"}
    )
    decisions.save_edit(
        services.session_factory, request_id, draft, version=s.version, actor="U0REQ1",
        ctx=services.context(), now=bot.clock(),
    )  # fmt: skip
    assert [h.request.id for h in search.search(services.session_factory, "U0REQ1", "Baum").hits]
    assert not search.search(services.session_factory, "U0REQ1", "Alt").hits


# --- experts -------------------------------------------------------------------------


def test_the_expert_list_per_city_with_how_many_exchanges(bot):
    exchange(bot, experts=("U0EXP1",))
    exchange(bot, experts=("U0EXP1", "U0EXP2"))
    exchange(bot, experts=("U0EXP3",), partners=("nuernberg",))
    exchange(bot, experts=("U0EXP9",), topic="mobilitaet")  # another topic
    exchange(bot, state="approved")  # nobody named yet
    bot.services.remember_language("U0REQ2", "de-DE")

    status, body = bot.http.command(user_id="U0REQ2", text="expert/innen Wohnen")

    assert status == 200 and body["text"] == "Expert/innen zu Wohnen"
    text = blocks_text(body["blocks"])
    assert "*Bremen*: <@U0EXP1> (2 Austausche) und <@U0EXP2> (1 Austausch)" in text
    assert "*Nürnberg*: <@U0EXP3> (1 Austausch)" in text
    assert "U0EXP9" not in text
    assert text.index("*Bremen*") < text.index("*Nürnberg*")


def test_the_expert_list_in_english_and_for_an_unknown_topic(bot):
    exchange(bot, experts=("U0EXP1",), topic="mobilitaet")
    bot.services.remember_language("U0REQ2", "en-US")

    _status, body = bot.http.command(user_id="U0REQ2", text="experts mobility")
    assert body["text"] == "Experts on Mobility"
    assert "*Bremen*: <@U0EXP1> (1 exchange)" in blocks_text(body["blocks"])

    _status, body = bot.http.command(user_id="U0REQ2", text="experts Gärten")
    assert body["text"] == 'There is no topic "Gärten". Topics: Mobility, Housing.'
    _status, body = bot.http.command(user_id="U0REQ2", text="experten")
    assert "/cr-request experts TOPIC" in blocks_text(body["blocks"])


def test_more_in_the_search_modal_updates_the_modal(bot):
    made = [exchange(bot, title=f"Quartiersschule {i}") for i in range(11)]
    _status, body = bot.http.submit(
        callback_id=ids.VIEW_SEARCH,
        user_id="U0REQ2",
        values=text_state(ids.B_SEARCH, "Quartiersschule"),
        view_id="V0SEARCH",
        private_metadata=json.dumps({"lang": "de"}),
    )
    more = buttons(body["view"]["blocks"])[ids.A_SEARCH_MORE]

    bot.http.click(
        action_id=ids.A_SEARCH_MORE,
        value=more,
        user_id="U0REQ2",
        container_type="view",
        view={"id": "V0SEARCH", "type": "modal", "hash": "h2", "private_metadata": "{}"},
    )

    [update] = bot.slack.delivered("views.update")
    assert update.params["view_id"] == "V0SEARCH" and update.params["hash"] == "h2"
    text = blocks_text(update.params["view"]["blocks"])
    assert "Treffer 11–11" in text and f"#{made[0]} Quartiersschule 0" in text


def test_the_escaped_command_text_is_searched_as_typed(bot):
    found_id = exchange(bot, title="Schule & Stadtteil")
    # With should_escape, Slack sends "&" as "&amp;": it is no word to search for.
    said = run_search(bot, "U0REQ2", "Schule &amp; Stadtteil")
    assert f"#{found_id} Schule &amp; Stadtteil" in blocks_text(said["blocks"])
    assert said["text"] == "1 Treffer für „Schule &amp; Stadtteil“"
