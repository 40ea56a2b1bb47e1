"""Snapshots of what people receive, in German and English, pinned byte for byte.

Two kinds: every text of bot/texts rendered with sample values (and the formatters for a
table of inputs), and scripted end-to-end flows through the HTTP rig whose every call to
Slack that a person sees (messages, updates, modals, Home tabs, private replies, files,
acks) is recorded in call order. Only what the fake invents (message ts, conversation,
view and file ids) is replaced by stable placeholders.

    UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_snapshots.py   # rewrite tests/snapshots/
    .venv/bin/pytest tests/test_snapshots.py                      # compare; diff on mismatch
"""

from __future__ import annotations

import difflib
import json
import os
import re
import string
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import bot.texts as tx
from bot.domain.request import RequestDraft
from bot.entry.scheduler import digest_job, reflect_job, remind_job
from bot.render import charts, report, report_html
from bot.slack import ids
from bot.texts import TEXTS
from bot.usecases import decisions, filing, matching
from tests import payloads as p
from tests.conftest import DIRECTORY, NOW, USERS, Clock, running_bot
from tests.fakeslack import FakeSlack
from tests.flows import buttons, click, dms_to, form_values, last_dm, submit_opened, text_state

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("UPDATE_SNAPSHOTS") == "1"
LANGS = ("de", "en")
BERLIN = ZoneInfo("Europe/Berlin")
DIGEST = "C0DIGEST"
EXPERTS = ("U0EXP1", "U0EXP2", "U0EXP3")
BUDGETS = """
[[budget]]
year = 2026
amount_eur = 1000
"""


# --- comparing and rewriting ------------------------------------------------------------


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _first_difference(stored: Any, current: Any) -> tuple[str, Any, Any]:
    if isinstance(stored, list) and isinstance(current, list):
        for i, (a, b) in enumerate(zip(stored, current, strict=False)):
            if a != b:
                return f"record {i}", a, b
        i = min(len(stored), len(current))
        return (
            f"record {i} (stored {len(stored)}, now {len(current)} records)",
            (stored[i] if i < len(stored) else None),
            (current[i] if i < len(current) else None),
        )
    if isinstance(stored, dict) and isinstance(current, dict):
        for key in sorted(set(stored) | set(current)):
            if stored.get(key) != current.get(key):
                return f"key {key!r}", stored.get(key), current.get(key)
    return "whole file", stored, current


def check_snapshot(name: str, data: Any) -> None:
    """Compare `data` with tests/snapshots/<name>.json, or rewrite it under UPDATE_SNAPSHOTS."""
    path = SNAPSHOTS / f"{name}.json"
    current = json.loads(_dump(data))  # what the file would hold (tuples become lists)
    if UPDATE:
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(_dump(current), encoding="utf-8")
        return
    assert path.exists(), f"no snapshot {path}: run with UPDATE_SNAPSHOTS=1 to create it"
    stored = json.loads(path.read_text(encoding="utf-8"))
    if stored == current:
        return
    where, before, after = _first_difference(stored, current)
    diff = difflib.unified_diff(
        _dump(before).splitlines(),
        _dump(after).splitlines(),
        f"{path.name} (stored)",
        f"{path.name} (now)",
        lineterm="",
    )
    pytest.fail(
        f"{path.name} differs at {where}:\n" + "\n".join(diff) + "\n"
        "(if the change is intended: UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/test_snapshots.py)",
        pytrace=False,
    )


# --- 1. every text and formatter ----------------------------------------------------------


def _sample(text: str) -> str:
    fields = {f for _, f, _, _ in string.Formatter().parse(text) if f}
    return text.format(**{f: f"«{f}»" for f in fields})


@pytest.mark.parametrize("lang", LANGS)
def test_every_text_with_sample_values(lang):
    texts = {key: _sample(entry.get(lang) or entry["de"]) for key, entry in TEXTS.items()}
    plurals = {
        key: {str(n): tx.tn(lang, key, n, **_fill(key)) for n in (0, 1, 2)}
        for key in sorted({k.rsplit(".", 1)[0] for k in TEXTS if k.endswith(".other")})
    }
    check_snapshot(f"texts.{lang}", {"texts": texts, "tn": plurals})


def _fill(plural_key: str) -> dict[str, str]:
    """Sample values for a plural family's placeholders other than n."""
    fields = {
        f
        for key in TEXTS
        if key.startswith(plural_key + ".")
        for entry in TEXTS[key].values()
        for _, f, _, _ in string.Formatter().parse(entry)
        if f and f != "n"
    }
    return {f: f"«{f}»" for f in fields}


DATES = [date(2026, 12, 7), date(2027, 1, 1), date(2026, 3, 29), date(2028, 2, 29)]
MOMENTS = [
    datetime(2026, 11, 26, 9, 0, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # the night the clocks go forward
    datetime(2026, 12, 31, 23, 5, tzinfo=UTC),  # already next year in Berlin
]
CENTS = [0, 1, 99, 100, 45000, 100050, 2000000, 123456789, -5, -150050]
NUMBERS = [0, 1, 2.5, 1234.5, Decimal("1000.005"), 1234567, None]


def _formatters(lang: str) -> dict[str, Any]:
    out: dict[str, Any] = {
        "fmt_date": {d.isoformat(): tx.fmt_date(d, lang) for d in DATES},
        "fmt_range": {
            f"{a.isoformat()}..{b.isoformat()}": tx.fmt_range(a, b, lang)
            for a, b in [(DATES[0], DATES[0]), (DATES[0], date(2026, 12, 9)), (DATES[2], DATES[1])]
        },
        "fmt_datetime": {m.isoformat(): tx.fmt_datetime(m, lang, BERLIN) for m in MOMENTS},
        "date_token": {m.isoformat(): tx.date_token(m, lang, BERLIN) for m in MOMENTS},
        "fmt_cents": {str(c): tx.fmt_cents(c, lang) for c in CENTS},
        "fmt_money": {
            str(a): tx.fmt_money(a, lang)
            for a in [None, Decimal("0"), Decimal("450"), Decimal("250.5"), Decimal("1234.565")]
        },
        "join_names": {str(n): tx.join_names(["@a", "@b", "@c", "@d"][:n], lang) for n in range(5)},
        "travellers_text": {str(n): tx.travellers_text(n, lang) for n in (0, 1, 2, 20)},
        "format_label": {k: tx.format_label(k, lang) for k in _keys("format.")},
        "direction_label": {k: tx.direction_label(k, lang) for k in _keys("direction.")},
        "status_label": {k: tx.status_label(k, lang) for k in _keys("status.")},
        "render.charts.count": {str(n): charts.count(n, lang) for n in (0, 1, 999, 1000, 123456)},
        "render.charts.euros": {
            f"{a}/{c}": charts.euros(a, lang, cents=c)
            for a in (0, 1.5, 1000, Decimal("1234.56"), 250000)
            for c in (True, False)
        },
        "render.report.number": {
            f"{v}/{places}/{comma}": report.number(v, places, comma=comma)
            for v in NUMBERS
            for places in (0, 1, 2)
            for comma in (True, False)
        },
        "render.report.status_name": {k: report.status_name(k, lang) for k in _keys("status.")},
        "render.report.format_name": {k: report.format_name(k, lang) for k in _keys("format.")},
        "render.report_html.decimal": {
            f"{v}/{places}": report_html.decimal(v, places, lang)
            for v in NUMBERS
            for places in (0, 1)
        },
        "render.report_html.percent": {
            str(s): report_html.percent(s, lang) for s in (None, 0.0, 0.005, 0.5, 1 / 3, 1.0)
        },
        "render.report_html.long_date": {
            d.isoformat(): report_html.long_date(d, lang) for d in DATES
        },
        "render.report_html.month_name": {
            str(m): report_html.month_name(m, lang) for m in range(1, 13)
        },
        "render.report_html.followup_label": {
            a: report_html.followup_label(a, lang) for a in ("yes", "partly", "not_yet")
        },
    }
    return out


def _keys(prefix: str) -> list[str]:
    return sorted(
        k[len(prefix) :] for k in TEXTS if k.startswith(prefix) and "." not in k[len(prefix) :]
    )


@pytest.mark.parametrize("lang", LANGS)
def test_every_formatter_for_a_table_of_inputs(lang):
    check_snapshot(f"formatters.{lang}", _formatters(lang))


# --- 2. what Slack receives, flow by flow -------------------------------------------------

# Methods whose calls a person sees, and the parameters of each that carry what they see
# (or who sees it). Everything else (tokens, trigger ids, hashes, users.info …) is left out.
SHOWN: dict[str, tuple[str, ...]] = {
    "chat.postMessage": (
        "channel", "text", "blocks", "attachments", "metadata", "thread_ts", "reply_broadcast",
        "mrkdwn", "unfurl_links", "unfurl_media",
    ),
    "chat.update": ("channel", "ts", "text", "blocks", "attachments", "metadata"),
    "chat.postEphemeral": ("channel", "user", "text", "blocks", "attachments", "thread_ts"),
    "chat.scheduleMessage": ("channel", "post_at", "text", "blocks", "attachments", "metadata"),
    "views.open": ("view",),
    "views.push": ("view",),
    "views.update": ("view_id", "external_id", "view"),
    "views.publish": ("user_id", "view"),
    "response_url": (
        "_name", "text", "blocks", "attachments", "response_type", "replace_original",
        "delete_original", "thread_ts",
    ),
    "conversations.open": ("users",),
    "files.getUploadURLExternal": ("filename", "alt_txt", "snippet_type"),
    "upload": ("content",),
    "files.completeUploadExternal": ("files", "channel_id", "initial_comment", "thread_ts"),
}  # fmt: skip


def _shown(method: str, params: dict[str, Any]) -> dict[str, Any] | None:
    if method == "conversations.open" and not params.get("users"):
        return None  # opening a known channel: nothing a person sees
    kept = {k: params[k] for k in SHOWN[method] if k in params}
    if method == "upload":
        content = kept.get("content", b"")
        try:
            kept["content"] = content.decode("utf-8")
        except UnicodeDecodeError:  # an image: its bytes depend on the renderer's version
            kept["content"] = f"<binary, starts {content[:4]!r}>"
        if kept["content"].startswith("<!DOCTYPE html>"):
            # The report page: its charts are the renderer's (tests/test_report_page.py
            # checks what it shows); here, that it went.
            kept["content"] = "<the report page>"
    return {"method": method, **kept}


class Recorder:
    """The calls people see, with the user actions and acks between them, in order."""

    def __init__(self, bot: Any) -> None:
        self.bot = bot
        self.marks: list[tuple[int, dict[str, Any]]] = []  # (index into slack.calls, record)
        for kind in ("command", "submit", "click", "event"):
            setattr(bot.http, kind, self._wrap(kind, getattr(bot.http, kind)))

    def _calls(self) -> int:
        with self.bot.slack._cond:
            return len(self.bot.slack.calls)

    def step(self, what: str) -> None:
        """A note in the record: what the script does next (a job, a clock change)."""
        self.marks.append((self._calls(), {"step": what}))

    def _wrap(self, kind: str, send: Callable[..., tuple[int, Any]]) -> Callable[..., Any]:
        def wrapped(*args: Any, **kw: Any) -> tuple[int, Any]:
            seen = {"event": args[0], **kw} if args else kw  # event(payload) is positional
            what = {
                "command": lambda: f"/cr-request {seen.get('text', '')}".rstrip(),
                "submit": lambda: f"submits {seen.get('callback_id')}",
                "click": lambda: f"clicks {seen.get('action_id')} ({seen.get('value')})",
                "event": lambda: f"event {seen['event'].get('type')}",
            }[kind]()
            user = seen.get("user_id") or (seen.get("event") or {}).get("user", "")
            self.step(f"{user}: {what}")
            status, body = send(*args, **kw)
            if body not in ("", None, {}) or status != 200:
                self.marks.append((self._calls(), {"ack": body, "status": status}))
            return status, body

        return wrapped

    def records(self) -> list[dict[str, Any]]:
        with self.bot.slack._cond:
            calls = list(self.bot.slack.calls)
        out: list[dict[str, Any]] = []
        marks = iter(self.marks)
        mark = next(marks, None)
        for i, call in enumerate([*calls, None]):
            while mark is not None and mark[0] <= i:
                out.append(mark[1])
                mark = next(marks, None)
            if call is None or call.method not in SHOWN:
                continue
            shown = _shown(call.method, call.params)
            if shown is not None:
                if call.failed:
                    shown["failed"] = True
                out.append(shown)
        with self.bot.slack._cond:
            conversations = dict(self.bot.slack._conversations)
        # A conversation the fake opened is named by its members (sorted), not its id.
        names = {
            channel: ("<dm " if len(members) == 1 else "<group ") + ",".join(sorted(members)) + ">"
            for members, channel in conversations.items()
        }
        return normalise(out, names)


FAKE_ID = re.compile(r"\b[DGVF]\d{8}\b")
FAKE_TS = re.compile(r"\b(1700\d{6})\.(\d{6})\b")
PERMALINK_TS = re.compile(r"/p(1700\d{6})(\d{6})\b")


def normalise(records: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    """Conversations the fake opened become <dm U…> / <group U…,U…>; other ids and message
    timestamps it invents become <V1>, <F1>, <ts1> …, numbered by first appearance (the
    calls come in a fixed order: in tests the outbox sends in the order written, one at a
    time)."""
    text = json.dumps(records, ensure_ascii=False)
    seen: dict[str, str] = dict(names)

    def label(kind: str, raw: str) -> str:
        if raw not in seen:
            seen[raw] = f"<{kind}{sum(v.startswith(f'<{kind}') for v in seen.values()) + 1}>"
        return seen[raw]

    text = PERMALINK_TS.sub(lambda m: "/p" + label("ts", f"{m[1]}.{m[2]}"), text)
    text = FAKE_TS.sub(lambda m: label("ts", m[0]), text)
    text = FAKE_ID.sub(lambda m: label(m[0][0], m[0]), text)
    return json.loads(text)


@contextmanager
def recorded_bot(
    fake: FakeSlack, database_url: str, tmp_path: Path, lang: str, *, budgets: bool = False
) -> Iterator[Any]:
    """The bot with all people speaking `lang` (the workspace default too), recorded."""
    directory = tmp_path / "directory.toml"
    directory.write_text(DIRECTORY + (BUDGETS if budgets else ""), encoding="utf-8")
    env = {"CR_DIGEST_CHANNEL": DIGEST, "CR_LANGUAGE": lang}
    with running_bot(fake, database_url, directory, Clock(NOW), **env) as bot:
        locale = "en-US" if lang == "en" else "de-DE"
        for user, email in {**USERS, **{e: f"{e.lower()}@bremen.de" for e in EXPERTS}}.items():
            fake.set_user(user, email=email, locale=locale)
            bot.services.remember_language(user, locale)
        fake.clear()
        bot.recorder = Recorder(bot)
        yield bot


def berlin(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=BERLIN).astimezone(UTC)


def at(bot: Any, moment: datetime) -> None:
    bot.recorder.step(f"clock: {moment.astimezone(BERLIN).isoformat()}")
    bot.clock.now = moment


def job(bot: Any, name: str, run: Callable[[], object]) -> None:
    bot.recorder.step(f"job: {name}")
    run()
    bot.services.deliver()


def meta(lang: str) -> str:
    return json.dumps({"lang": lang})


def submit(bot: Any, lang: str, user: str = "U0REQ1", view_id: str = "V0FORM", **kw: Any) -> Any:
    from tests.flows import submit_request

    return submit_request(bot, user, view_id=view_id, metadata=meta(lang), **kw)


def seed(
    bot: Any,
    lang: str,
    title: str,
    *,
    state: str = "approved",
    own: str = "leipzig",
    partners: tuple[str, ...] = ("bremen",),
    date_from: date = date(2026, 12, 7),
    date_to: date = date(2026, 12, 9),
    experts: tuple[str, ...] = ("U0EXP1",),
    travellers: int = 2,
    cost_eur: Decimal | None = None,
) -> int:
    """A request through the use cases (no HTTP), filed in `lang`; what it sends is recorded."""
    bot.recorder.step(f"seed: {title!r} {state}")
    services, now = bot.services, bot.clock()
    draft = RequestDraft(
        title=title,
        question="Wie macht ihr das?",
        topic_key="wohnen",
        format="workshop",
        direction="visit",
        own_city_key=own,
        partner_keys=partners,
        date_from=date_from,
        date_to=date_to,
        travellers=travellers,
        cost_eur=cost_eur,
    )
    kw = {"ctx": services.context(), "now": now}
    request_id = filing.file_request(
        services.session_factory,
        draft,
        requester_id="U0REQ1",
        locale=lang,
        submission_key=f"snap-{title}",
        **kw,
    ).request.id
    contact = services.directory.contacts_of(own)[0]
    if state in ("approved", "matched"):
        decisions.decide(services.session_factory, request_id, 1, "approve", actor=contact, **kw)
    if state == "declined":
        decisions.decide(
            services.session_factory, request_id, 1, "decline", actor=contact, comment="nein", **kw
        )
    if state == "matched":
        for city in partners:
            namer = services.directory.naming_contacts(city, "wohnen")[0]
            matching.name_experts(
                services.session_factory, request_id, city, list(experts), actor=namer,
                note=None, **kw,
            )  # fmt: skip
    services.deliver()
    return request_id


def with_button(bot: Any, user: str, action: str) -> Any:
    """The latest DM to `user` that offers the button `action`."""
    found = [m for m in dms_to(bot, user) if action in buttons(m.params.get("blocks", []))]
    assert found, f"no DM to {user} with {action}"
    return found[-1]


def group_intro(bot: Any) -> Any:
    groups = {
        c.response["channel"]["id"]
        for c in bot.slack.delivered("conversations.open")
        if "," in str(c.params.get("users", ""))
    }
    return next(c for c in bot.slack.delivered("chat.postMessage") if c.params["channel"] in groups)


def home_click(bot: Any, user: str, view: dict[str, Any], action: str) -> None:
    bot.http.click(
        action_id=action,
        value=buttons(view["blocks"])[action],
        user_id=user,
        container_type="view",
        view={**view, "id": "VHOME" + user, "hash": "1"},
        trigger_id=f"T0{user}",
    )


def open_home(bot: Any, user: str) -> dict[str, Any]:
    bot.http.event(p.app_home_opened(user_id=user))
    published = [c for c in bot.slack.delivered("views.publish") if c.params["user_id"] == user]
    return published[-1].params["view"]


# --- the flows ---


def flow_filing(bot: Any, lang: str) -> None:
    """The form by command, a submission with field errors, a valid one, and the commands."""
    bot.http.command(user_id="U0REQ1", trigger_id="T0FORM")
    bad = {
        ids.B_TITLE: p.text_value(" "),
        ids.B_DATE_FROM: p.date_value("2026-12-09"),
        ids.B_DATE_TO: p.date_value("2026-12-07"),
        ids.B_TRAVELLERS: p.number_value("25"),
        ids.B_COST: p.text_value("viel"),
    }
    submit(bot, lang, **bad)
    submit(bot, lang, **{ids.B_GOALS: p.text_value("Wie die Stadt Standorte auswählt")})
    bot.http.timeout = 120  # the report's PDF: Chromium takes seconds on a busy machine
    for text in ("help", "list", "upcoming", "quatsch", "report 19", "report 2026"):
        user = "U0COORD1" if text.startswith("report 2") else "U0REQ1"
        bot.http.command(
            user_id=user, text=text, response_url=bot.slack.response_url(text.replace(" ", "-"))
        )
    bot.http.command(user_id="U0REQ2", text="list", response_url=bot.slack.response_url("empty"))


def flow_question_and_edit(bot: Any, lang: str) -> None:
    """A question (empty first), the answer, a second question answered by an edit, approval."""
    submit(bot, lang)
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_ASK)
    submit_opened(bot, "U0LEI1", text_state(ids.B_REASON, ""))
    submit_opened(bot, "U0LEI1", text_state(ids.B_REASON, "Wie viele Personen genau?"))
    asked = last_dm(bot, "U0REQ1")
    click(bot, "U0REQ1", asked, ids.A_ANSWER)
    submit_opened(bot, "U0REQ1", text_state(ids.B_REASON, "Zwei, beide aus dem Schulamt."))
    click(bot, "U0LEI2", last_dm(bot, "U0LEI2"), ids.A_ASK)
    submit_opened(bot, "U0LEI2", text_state(ids.B_REASON, "Geht es auch im Januar?"))
    click(bot, "U0REQ1", last_dm(bot, "U0REQ1"), ids.A_EDIT)
    form = bot.slack.delivered("views.update")[-1]
    bot.http.submit(
        callback_id=ids.VIEW_REQUEST,
        user_id="U0REQ1",
        values=form_values(**{ids.B_DATE_FROM: p.date_value("2027-01-11"),
                              ids.B_DATE_TO: p.date_value("2027-01-12")}),
        view_id=form.response["view"]["id"],
        private_metadata=form.params["view"]["private_metadata"],
    )  # fmt: skip
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)


def flow_decline(bot: Any, lang: str) -> None:
    """A decline with an empty, then a real reason; the open messages close."""
    submit(bot, lang)
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_DECLINE)
    submit_opened(bot, "U0LEI1", text_state(ids.B_REASON, ""))
    submit_opened(bot, "U0LEI1", text_state(ids.B_REASON, "Das Budget 2026 ist ausgeschöpft."))
    click(bot, "U0LEI2", dms_to(bot, "U0LEI2")[0], ids.A_APPROVE)  # too late


def flow_naming_and_agreement(bot: Any, lang: str) -> None:
    """Two partner cities name experts (one with an offer and a note), the group DM with the
    agreement, the calendar files, and each confirmation (an outsider's and a second refused)."""
    partners = p.multi_select_values(["bremen", "nuernberg"], ["Bremen", "Nürnberg"])
    submit(
        bot,
        lang,
        **{ids.B_PARTNERS: partners, ids.B_GOALS: p.text_value("Wie die Stadt Standorte wählt")},
    )
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE)
    click(bot, "U0BRE3", last_dm(bot, "U0BRE3"), ids.A_NAME_EXPERTS)
    submit_opened(bot, "U0BRE3", {ids.B_EXPERTS: {ids.VALUE: p.users_value([])}})
    values = {
        ids.B_EXPERTS: {ids.VALUE: p.users_value(["U0EXP1", "U0EXP2"])},
        ids.B_OFFER: {ids.VALUE: p.text_value("Führung durch zwei Mobilitätsstationen")},
    }
    values.update(text_state(ids.B_NOTE, "Bitte Pläne mitbringen."))
    submit_opened(bot, "U0BRE3", values)
    click(bot, "U0NUE1", last_dm(bot, "U0NUE1"), ids.A_NAME_EXPERTS)
    submit_opened(bot, "U0NUE1", {ids.B_EXPERTS: {ids.VALUE: p.users_value(["U0EXP3"])}})
    intro = group_intro(bot)
    for user in ("U0EXP1", "U0OUT1", "U0EXP1", "U0REQ1", "U0BRE3", "U0NUE1", "U0EXP2", "U0EXP3"):
        click(bot, user, intro, ids.A_CONFIRM_AGREEMENT, name=f"confirm-{user}")


def flow_withdrawal(bot: Any, lang: str) -> None:
    """A contact may not withdraw; the requester does; a late decision click is answered."""
    submit(bot, lang)
    confirmation = dms_to(bot, "U0REQ1")[0]
    click(bot, "U0LEI1", confirmation, ids.A_CANCEL, name="not-yours")
    click(bot, "U0REQ1", confirmation, ids.A_CANCEL, name="withdraw")
    click(bot, "U0LEI1", dms_to(bot, "U0LEI1")[0], ids.A_APPROVE, name="late")


def flow_reminders(bot: Any, lang: str) -> None:
    """Reminder after two working days, escalation after five; the reminder's buttons work."""
    submit(bot, lang)
    at(bot, berlin(2026, 11, 30))
    job(bot, "remind", lambda: remind_job(bot.services))
    at(bot, berlin(2026, 12, 3))
    job(bot, "remind", lambda: remind_job(bot.services))
    click(bot, "U0BRE1", last_dm(bot, "U0LEI1"), ids.A_APPROVE, name="outsider")
    click(bot, "U0COORD1", last_dm(bot, "U0COORD1"), ids.A_APPROVE, name="coordinator")


def flow_digest(bot: Any, lang: str) -> None:
    """The weekly digest in the channel and /cr-request upcoming, with one pending request."""
    seed(bot, lang, "Wohnen in Bremen")
    seed(bot, lang, "Mobilstationen", state="matched", own="bremen", partners=("nuernberg",),
         date_from=date(2026, 12, 1), date_to=date(2026, 12, 2), travellers=3)  # fmt: skip
    seed(bot, lang, "Zu spät", date_from=date(2027, 1, 11), date_to=date(2027, 1, 12))
    seed(bot, lang, "Wartet noch", state="submitted", date_from=date(2026, 12, 8))
    at(bot, berlin(2026, 11, 30, 9))
    job(bot, "digest", lambda: digest_job(bot.services))
    bot.http.command(user_id="U0REQ2", text="upcoming", response_url=bot.slack.response_url("u"))


def _reflect(bot: Any, user: str, share: str, worked: str, rating: str = "4") -> None:
    click(bot, user, with_button(bot, user, ids.A_REFLECT), ids.A_REFLECT)
    values = {
        ids.B_WORKED: {ids.VALUE: p.text_value(worked)},
        ids.B_NOT_WORKED: {ids.VALUE: p.text_value("Zu wenig Zeit")},
        ids.B_WILL_APPLY: {ids.VALUE: p.text_value("Standorte wählen")},
        ids.B_RECOMMEND: {ids.VALUE: p.radio_value("yes")},
        ids.B_RATING: {ids.VALUE: p.radio_value(rating)},
        ids.B_SHARE: {ids.VALUE: p.radio_value(share)},
    }
    submit_opened(bot, user, values)


def flow_reflection(bot: Any, lang: str) -> None:
    """Prompts the day after, both reflections, the joint reflection, the lessons post,
    completion, and the day-45 question (an expert's click, the requester's answer)."""
    request_id = seed(bot, lang, "Stationen", state="matched", cost_eur=Decimal("450"))
    bot.http.timeout = 120  # completion's certificates: Chromium takes seconds on a busy machine
    at(bot, berlin(2026, 12, 10))
    job(bot, "reflect", lambda: reflect_job(bot.services))
    click(bot, "U0REQ1", with_button(bot, "U0REQ1", ids.A_REFLECT), ids.A_REFLECT)
    submit_opened(bot, "U0REQ1", {ids.B_WORKED: {ids.VALUE: p.text_value("")}})
    _reflect(bot, "U0REQ1", "network", "Der Rundgang")
    _reflect(bot, "U0EXP1", "participants", "Neugierige Fragen", rating="5")
    job(bot, "reflect", lambda: reflect_job(bot.services))
    at(bot, berlin(2026, 12, 23))
    job(bot, "reflect", lambda: reflect_job(bot.services))
    at(bot, berlin(2027, 1, 25))
    job(bot, "reflect", lambda: reflect_job(bot.services))
    question = with_button(bot, "U0REQ1", ids.A_FOLLOW_UP)
    click(bot, "U0EXP1", question, ids.A_FOLLOW_UP, value=f"{request_id}:yes")
    click(bot, "U0REQ1", question, ids.A_FOLLOW_UP, value=f"{request_id}:partly")
    submit_opened(
        bot,
        "U0REQ1",
        {
            ids.B_FOLLOW_UP: {ids.VALUE: p.radio_value("partly")},
            ids.B_NOTE: {ids.VALUE: p.text_value("Zwei Standorte geplant")},
        },
    )


def _claim(bot: Any, amount: str, basis: str, files: list[tuple[str, str]], note: str = "") -> None:
    opened = bot.slack.delivered("views.open")[-1].response["view"]
    uploaded = [
        {
            "id": fid,
            "name": name,
            "title": name,
            "mimetype": "application/pdf",
            "filetype": "pdf",
            "user": "U0REQ1",
            "size": 65457,
            "url_private": f"https://files.slack.com/files-pri/T0TEAM-{fid}/x.pdf",
            "permalink": f"https://koopstadt.slack.com/files/U0REQ1/{fid}/x.pdf",
        }
        for fid, name in files
    ]
    bot.http.submit(
        callback_id=ids.VIEW_CLAIM,
        user_id="U0REQ1",
        values={
            ids.B_CLAIM_AMOUNT: {ids.VALUE: p.text_value(amount)},
            ids.B_CLAIM_BASIS: {ids.VALUE: p.radio_value(basis, basis)},
            ids.B_CLAIM_NOTE: {ids.VALUE: p.text_value(note)},
            ids.B_CLAIM_FILES: {ids.VALUE: {"type": "file_input", "files": uploaded}},
        },
        view_id=opened["id"],
        private_metadata=opened.get("private_metadata", ""),
    )


def flow_claims(bot: Any, lang: str) -> None:
    """The travel costs: asked, a bad amount, claimed with receipts, a question, corrected,
    a contact's check refused, checked, a second check answered, paid."""
    seed(bot, lang, "Stationen", state="matched", cost_eur=Decimal("450"))
    at(bot, berlin(2026, 12, 10))
    job(bot, "reflect", lambda: reflect_job(bot.services))
    click(bot, "U0REQ1", with_button(bot, "U0REQ1", ids.A_CLAIM), ids.A_CLAIM)
    _claim(bot, "zwölf", "per_person", [])
    _claim(bot, "160,50", "per_person", [("F0REC1", "Bahn Hinfahrt.pdf")], "Bahn, 2. Klasse")
    copy = last_dm(bot, "U0COORD1")
    click(bot, "U0COORD1", copy, ids.A_CLAIM_QUESTION)
    opened = bot.slack.delivered("views.open")[-1].response["view"]
    bot.http.submit(
        callback_id=ids.VIEW_CLAIM_QUESTION,
        user_id="U0COORD1",
        values=text_state(ids.B_REASON, "Bitte die Rückfahrt anhängen."),
        view_id=opened["id"],
        private_metadata=opened["private_metadata"],
    )
    click(bot, "U0REQ1", with_button(bot, "U0REQ1", ids.A_CLAIM), ids.A_CLAIM)
    _claim(bot, "321", "total", [("F0REC2", "Rückfahrt.pdf"), ("F0REC1", "Bahn Hinfahrt.pdf")])
    copy = last_dm(bot, "U0COORD1")
    click(bot, "U0LEI1", copy, ids.A_CLAIM_CHECK, name="contact")
    click(bot, "U0COORD1", copy, ids.A_CLAIM_CHECK, name="check")
    click(bot, "U0COORD1", copy, ids.A_CLAIM_CHECK, name="again")
    checked = bot.slack.delivered("chat.update")[-1]
    shown = type(copy)(**{**copy.__dict__, "params": {**copy.params, **checked.params}})
    click(bot, "U0COORD1", shown, ids.A_CLAIM_PAID, name="paid")


def flow_deputies(bot: Any, lang: str) -> None:
    """A deputy by command (one unreadable first), receiving and deciding; ended; the
    Home tab's deputy modal."""
    for text in ("vertretung @nina bis 31.12.", "vertretung <@U0NUE1|nina> bis 31.12."):
        bot.http.command(user_id="U0LEI1", text=text)
    submit(bot, lang)
    click(bot, "U0NUE1", last_dm(bot, "U0NUE1"), ids.A_APPROVE)
    bot.http.command(user_id="U0LEI1", text="vertretung ende")
    home = open_home(bot, "U0LEI2")
    home_click(bot, "U0LEI2", home, ids.A_DEPUTY_SET)


def flow_budget(bot: Any, lang: str) -> None:
    """Over the budget: the contact is refused and the coordinators decide."""
    seed(bot, lang, "Schon gebunden", cost_eur=Decimal("700"))
    submit(bot, lang)
    click(bot, "U0LEI1", last_dm(bot, "U0LEI1"), ids.A_APPROVE, name="over")
    click(bot, "U0LEI2", last_dm(bot, "U0LEI2"), ids.A_APPROVE, name="over-again")
    click(bot, "U0COORD1", last_dm(bot, "U0COORD1"), ids.A_APPROVE, name="coordinator")
    open_home(bot, "U0COORD1")


def flow_search(bot: Any, lang: str) -> None:
    """Search by command (hits, none, no words), the expert list, the Home search modal."""
    seed(bot, lang, "Quartiersschulen gemeinsam planen", state="matched")
    seed(bot, lang, "Mobilstationen", state="matched", experts=("U0EXP1", "U0EXP2"))
    seed(bot, lang, "Nur beantragt", state="submitted")
    for text in ("suche Quartiersschule", "suche Weltraum", "suche", "experten Wohnen",
                 "experten Gärten", "experten"):  # fmt: skip
        bot.http.command(
            user_id="U0REQ2", text=text, response_url=bot.slack.response_url(text.replace(" ", "-"))
        )
    bot.http.click(
        action_id=ids.A_SEARCH_OPEN,
        value="search",
        user_id="U0REQ2",
        container_type="view",
        view={"id": "VHOME", "type": "home", "hash": "h"},
        trigger_id="T0SEARCH",
    )
    view = bot.slack.delivered("views.open")[-1].response["view"]
    for typed in (" ! ", "Mobil"):
        bot.http.submit(
            callback_id=ids.VIEW_SEARCH,
            user_id="U0REQ2",
            values=text_state(ids.B_SEARCH, typed),
            view_id=view["id"],
            private_metadata=view.get("private_metadata", ""),
        )


def flow_home(bot: Any, lang: str) -> None:
    """Home tabs of the requester, a contact, an outsider, the coordinator and a namer;
    deciding from Home; the form from Home."""
    submit(bot, lang)
    requester = open_home(bot, "U0REQ1")
    contact = open_home(bot, "U0LEI1")
    open_home(bot, "U0OUT1")
    open_home(bot, "U0COORD1")
    home_click(bot, "U0OUT1", contact, ids.A_APPROVE)
    home_click(bot, "U0LEI1", contact, ids.A_APPROVE)
    home_click(bot, "U0LEI2", contact, ids.A_APPROVE)
    open_home(bot, "U0BRE3")
    home_click(bot, "U0REQ1", requester, ids.A_NEW_REQUEST)


def flow_refusals(bot: Any, lang: str) -> None:
    """Wrong people clicking: another city's contact, the requester deciding, someone
    naming for a city not theirs, a non-coordinator's report."""
    submit(bot, lang)
    decision = last_dm(bot, "U0LEI1")
    click(bot, "U0BRE1", decision, ids.A_APPROVE, name="other-city")
    click(bot, "U0REQ1", decision, ids.A_APPROVE, name="requester")
    click(bot, "U0OUT1", decision, ids.A_DECLINE, name="outsider")
    click(bot, "U0LEI1", decision, ids.A_APPROVE, name="ok")
    click(bot, "U0LEI2", last_dm(bot, "U0BRE3"), ids.A_NAME_EXPERTS, name="not-namer")
    click(bot, "U0REQ2", dms_to(bot, "U0REQ1")[0], ids.A_CANCEL, name="not-requester")
    bot.http.command(user_id="U0REQ1", text="report 2026", response_url=bot.slack.response_url())


def button_elements(data: Any) -> Iterator[dict[str, Any]]:
    """Every button in `data` (call parameters: blocks, views, JSON strings of blocks)."""
    if isinstance(data, str) and data[:1] in "[{":
        try:
            data = json.loads(data)
        except ValueError:
            return
    if isinstance(data, dict):
        if data.get("type") == "button":
            yield data
        for value in data.values():
            yield from button_elements(value)
    elif isinstance(data, list):
        for value in data:
            yield from button_elements(value)


NO_BUTTONS: set[str] = set()

FLOWS: dict[str, Callable[[Any, str], None]] = {
    name[len("flow_") :]: fn for name, fn in globals().items() if name.startswith("flow_")
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_what_people_receive(flow, lang, fake_slack, database_url, tmp_path):
    with recorded_bot(fake_slack, database_url, tmp_path, lang, budgets=flow == "budget") as bot:
        FLOWS[flow](bot, lang)
        records = bot.recorder.records()
        every_call = [c.params for c in bot.slack.calls]
    assert any("method" in r for r in records)
    # A screen reader reads a button alone: every one, in every message, modal and Home tab
    # the flow sent, carries a label of its own (Slack's limit: 75 characters).
    found = list(button_elements(every_call))
    assert found or flow in NO_BUTTONS, f"flow {flow} sent no button at all"
    unlabelled = [b for b in found if not b.get("accessibility_label")]
    assert not unlabelled, f"buttons without accessibility_label: {unlabelled}"
    assert all(len(b["accessibility_label"]) <= 75 for b in found)
    check_snapshot(f"flow.{flow}.{lang}", records)
