"""The certificate of participation: a PDF in the DM of the requester and of every named
expert once the exchange is completed, through the outbox (made when its row is sent,
uploaded once whatever step of the upload Slack fails, later while Slack cannot name the
person), in the person's language, read back with pdftotext; again on the Home tab's
button. None for others, before completion, or for a purged request; an HTML page with a
note where Chromium is missing."""

from __future__ import annotations

import io
import shutil
import subprocess
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlmodel import col, select

from bot.domain.participation import EXPERT, REQUESTER, Certificate, Part
from bot.domain.request import Summary
from bot.infra.directory_file import parse_directory
from bot.outbox.files import NotMade
from bot.render import browser
from bot.render.certificate import certificate_file, certificate_html
from bot.slack import ids
from bot.slack.certificate import CertificateMaker
from bot.usecases import lifecycle, reflection
from models import OutboxMessage
from tests.conftest import DIRECTORY, running_bot
from tests.flows import blocks_text, buttons, click, last_dm, replies
from tests.seed import seed
from tests.test_faults import arm, drain

pytestmark = pytest.mark.chromium  # prints with the real Chromium (tests/conftest.py)

HAS_CHROMIUM = Path(browser.CHROMIUM).is_file() and shutil.which("pdftotext") is not None
NO_CHROMIUM = "needs Debian's chromium (/usr/bin/chromium) and pdftotext (poppler-utils)"
SIGNED = DIRECTORY.replace(
    'coordinators = ["U0COORD1"]',
    'coordinators = ["U0COORD1"]\n'
    'certificate_signature = "Für die Koordination: Dr. Maria Muster"\n'
    'certificate_signature_en = "For the coordination: Dr Maria Muster"',
)
AFTER = datetime(2026, 12, 10, 10, 0, tzinfo=UTC)  # the day after the exchange, 11:00


@pytest.fixture
def no_chromium(monkeypatch):
    """A server without Chromium: the certificate is its HTML page (and quick to make)."""
    monkeypatch.setattr(browser, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setenv("PATH", "/nonexistent")


@pytest.fixture
def signed_bot(fake_slack, database_url, tmp_path, clock):
    path = tmp_path / "directory.toml"
    path.write_text(SIGNED, encoding="utf-8")
    with running_bot(fake_slack, database_url, path, clock) as running:
        # The tests' app answers after its listener (process_before_response), and the
        # listener prints the PDF with Chromium: seconds on a busy machine. In production the
        # click is acked first.
        running.http.timeout = 120
        running.slack.set_user("U0REQ1", email="anna@leipzig.de", real_name="Anna Schmidt")
        running.slack.set_user("U0EXP1", locale="en-US", real_name="Erik Experte")
        yield running


def _complete(bot) -> int:
    """Request #1, Leipzig → Bremen, 7–9 Dec 2026, the expert U0EXP1 (English), completed
    by the requester's reflection the day after; nothing sent yet."""
    bot.services.remember_language("U0EXP1", "en-US")
    request_id = seed(bot, state="matched", title="Quartiersschulen gemeinsam planen")
    bot.clock.now = AFTER
    reflection.submit_reflection(
        bot.session_factory,
        request_id,
        actor="U0REQ1",
        worked="Viel",
        not_worked=None,
        recommend=True,
        rating=5,
        ctx=bot.services.context(),
        now=bot.clock(),
    )
    return request_id


def _completed(bot) -> int:
    request_id = _complete(bot)
    bot.services.deliver()
    return request_id


def _certificates(bot, user: str) -> list[dict]:
    """The certificates shared into the DM with `user`, oldest first (name, title, bytes,
    the comment that came with it); the calendar files are .ics."""
    return [f for f in bot.slack.shared_files(user) if not f["name"].endswith(".ics")]


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(content)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(done.stdout.decode("utf-8").split())


def _rows(bot) -> list[OutboxMessage]:
    """The outbox rows of certificates."""
    with bot.session_factory() as session:
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
    return [r for r in rows if (r.payload.get("_make") or {}).get("kind") == "certificate"]


DONE_DE = (
    ":page_facing_up: Der Austausch *#1* „Quartiersschulen gemeinsam planen“ ist "
    "abgeschlossen – danke für Ihre Teilnahme! Hier ist Ihre Teilnahmebescheinigung; im "
    "Home-Tab des Bots können Sie sie jederzeit wieder herunterladen."
)
DONE_EN = (
    ":page_facing_up: Exchange *#1* “Quartiersschulen gemeinsam planen” is completed – thank "
    "you for taking part! Here is your certificate of participation; you can download it "
    "again from the bot's Home tab at any time."
)
TITLE_DE = "Teilnahmebescheinigung – Austausch #1"
TITLE_EN = "Certificate of participation – exchange #1"


@pytest.mark.skipif(not HAS_CHROMIUM, reason=NO_CHROMIUM)
def test_on_completion_each_participant_gets_the_pdf_in_their_dm_once(signed_bot, tmp_path):
    bot = signed_bot
    _completed(bot)

    (german,) = _certificates(bot, "U0REQ1")
    assert (german["name"], german["title"]) == ("Teilnahmebescheinigung-1.pdf", TITLE_DE)
    assert german["comment"] == DONE_DE
    assert german["content"].startswith(b"%PDF")
    text = _pdf_text(german["content"], tmp_path)
    for line in (
        "KOOPSTADT Teilnahmebescheinigung C+R – Coaching + Reflexion",
        "Hiermit wird bescheinigt, dass Anna Schmidt als anfragende Person der Stadt Leipzig "
        "am C+R-Austausch „Quartiersschulen gemeinsam planen“ des Netzwerks koopstadt "
        "teilgenommen hat.",
        "Rolle Anfragende Person der Stadt Leipzig",
        "Zeitraum 7. Dezember 2026 bis 9. Dezember 2026",
        "Beteiligte Städte Leipzig (anfragend) mit Bremen",
        "Gastgeber Bremen",
        "Thema Wohnen",
        "Format Workshop · Wir besuchen eine Partnerstadt",
        "Ausgestellt am 10. Dezember 2026",
        "Für die Koordination: Dr. Maria Muster",
    ):
        assert line in text, (line, text)

    (english,) = _certificates(bot, "U0EXP1")
    assert (english["name"], english["title"]) == ("certificate-of-participation-1.pdf", TITLE_EN)
    assert english["comment"] == DONE_EN
    text = _pdf_text(english["content"], tmp_path)
    for line in (
        "Certificate of participation",
        "This is to certify that Erik Experte took part in the C+R exchange “Quartiersschulen "
        "gemeinsam planen” of the koopstadt network as an expert from the city of Bremen.",
        "Role Expert, city of Bremen",
        "Dates 7 December 2026 to 9 December 2026",
        "Host Bremen",
        "Topic Housing",
        "Issued on 10 December 2026",
        "For the coordination: Dr Maria Muster",
    ):
        assert line in text, (line, text)

    # Completed into each person's DM (the DM conversations.open gave), nobody else's; the
    # file is the message: no second DM with a button.
    opened = {
        c.params["users"]: c.response["channel"]["id"]
        for c in bot.slack.delivered("conversations.open")
    }
    shared = [
        c.params["channel_id"]
        for c in bot.slack.delivered("files.completeUploadExternal")
        if c.params["files"][0]["title"] in (TITLE_DE, TITLE_EN)
    ]
    assert sorted(shared) == sorted([opened["U0REQ1"], opened["U0EXP1"]])
    posted = [
        m
        for m in bot.slack.delivered("chat.postMessage")
        if ids.A_CERTIFICATE in buttons(m.params.get("blocks") or [])
    ]
    assert posted == []
    # Sent is sent: another round shares nothing again, and the rows keep no bytes.
    bot.clock.advance(seconds=3600)
    bot.services.outbox.deliver_due()
    assert len(_certificates(bot, "U0REQ1")) == len(_certificates(bot, "U0EXP1")) == 1
    rows = _rows(bot)
    assert len(rows) == 2 and all(r.sent_at is not None for r in rows)
    assert all("_content_b64" not in r.payload for r in rows)


@pytest.mark.skipif(not HAS_CHROMIUM, reason=NO_CHROMIUM)
def test_it_is_downloadable_again_from_the_home_tab(signed_bot, tmp_path):
    bot = signed_bot
    _completed(bot)
    for user, section in (("U0REQ1", "Ihre Anfragen"), ("U0EXP1", "Your exchanges as an expert")):
        bot.http.event(_home_opened(user))
        view = _home(bot, user)
        text = blocks_text(view["blocks"])
        assert section in text, text
        assert ids.A_CERTIFICATE in buttons(view["blocks"])
        mark = len(bot.slack.calls)
        _home_click(bot, user, view, ids.A_CERTIFICATE)
        # First a small modal says it is coming (the trigger dies in 3 s), then the file.
        assert bot.slack.calls[mark].method == "views.open"
        said = blocks_text(bot.slack.calls[mark].params["view"]["blocks"])
        assert "#1" in said and ("kommt gleich" in said or "in a moment" in said)
        first, again = _certificates(bot, user)
        assert again["content"].startswith(b"%PDF") and again["name"] == first["name"]
        assert again["title"] == first["title"]
    assert again["comment"] == (
        ":page_facing_up: Your certificate of participation for exchange *#1* "
        "“Quartiersschulen gemeinsam planen”."
    )
    assert _certificates(bot, "U0REQ1")[-1]["comment"] == (
        ":page_facing_up: Ihre Teilnahmebescheinigung für den Austausch *#1* "
        "„Quartiersschulen gemeinsam planen“."
    )
    assert "Ihre Austausche als Expert/in" not in blocks_text(_home(bot, "U0REQ1")["blocks"])
    assert "Erik Experte" in _pdf_text(again["content"], tmp_path)


def test_clicks_while_it_is_on_its_way_send_it_once(signed_bot, no_chromium):
    """Slack fails the upload; the person clicks again, twice at once even: one more file."""
    bot = signed_bot
    _completed(bot)
    bot.http.event(_home_opened("U0REQ1"))
    view = _home(bot, "U0REQ1")
    bot.slack.fail("files.completeUploadExternal", status=500, times=-1)
    _home_click(bot, "U0REQ1", view, ids.A_CERTIFICATE)
    bot.services.deliver()
    clicks = [
        threading.Thread(target=_home_click, args=(bot, "U0REQ1", view, ids.A_CERTIFICATE))
        for _ in range(2)
    ]
    for one in clicks:
        one.start()
    for one in clicks:
        one.join()
    coming = [
        blocks_text(c.params["view"]["blocks"])
        for c in bot.slack.delivered("views.open")
        if c.params["view"]["blocks"]
    ]
    assert sum("kommt gleich" in said for said in coming) == 3, coming  # each click is answered
    assert len([r for r in _rows(bot) if r.sent_at is None]) == 1
    bot.slack.heal()
    drain(bot)
    first, again = _certificates(bot, "U0REQ1")  # on completion, and once on request
    assert again["name"] == first["name"] == "Teilnahmebescheinigung-1.html"
    # Once it is there, another click sends it again: the person may have lost it.
    _home_click(bot, "U0REQ1", view, ids.A_CERTIFICATE)
    drain(bot)
    assert len(_certificates(bot, "U0REQ1")) == 3


def test_a_button_in_an_earlier_dm_sends_it_too(signed_bot, no_chromium):
    """Before certificates came as files, the DM after the exchange had the button."""
    bot = signed_bot
    done = _completed(bot)
    message = last_dm(bot, "U0REQ1")

    click(bot, "U0REQ1", message, ids.A_CERTIFICATE, value=f"{done}:9")

    _, again = _certificates(bot, "U0REQ1")
    assert again["name"] == "Teilnahmebescheinigung-1.html"
    assert again["comment"].startswith(":page_facing_up: Ihre Teilnahmebescheinigung für")


def test_others_and_unfinished_and_purged_exchanges_get_none(signed_bot):
    bot = signed_bot
    open_one = seed(bot, state="matched", title="Noch nicht vorbei")
    value = f"{open_one}:3"
    # Not completed yet: the requester is told when it comes.
    bot.http.event(_home_opened("U0REQ1"))
    _home_click(bot, "U0REQ1", _home(bot, "U0REQ1"), ids.A_CERTIFICATE, value=value)
    said = blocks_text(bot.slack.delivered("views.update")[-1].params["view"]["blocks"])
    assert "sobald der Austausch #1 abgeschlossen ist (jetzt: Vermittelt)" in said
    done = _complete(bot)
    message = last_dm(bot, "U0REQ1")
    # Somebody who did not take part, pressing a copy of the button: refused.
    click(bot, "U0LEI1", message, ids.A_CERTIFICATE, name="other", value=f"{done}:9")
    assert replies(bot, "other")[-1] == (
        ":no_entry: Eine Teilnahmebescheinigung für #2 erhalten die anfragende Person und "
        "die benannten Expert/innen."
    )
    # Purged while its certificates wait (Slack refused the first completion): the rows go
    # with the request, and nothing is shared.
    bot.slack.fail("files.completeUploadExternal", status=500, times=-1)
    bot.services.deliver()
    waiting = _rows(bot)
    assert len(waiting) == 2 and all("_content_b64" in r.payload for r in waiting)
    bot.slack.heal()
    lifecycle.purge(bot.session_factory, timedelta(days=1), now=AFTER + timedelta(days=30))
    drain(bot)
    assert _rows(bot) == []
    titles = [
        c.params["files"][0]["title"] for c in bot.slack.delivered("files.completeUploadExternal")
    ]
    assert all(title.endswith("(calendar)") or "Kalender" in title for title in titles), titles
    # Purged before its row was sent (claimed just then, say): the maker makes none.
    services = bot.services
    maker = CertificateMaker(
        services.session_factory,
        services.client,
        services.refresh_directory,
        services.settings.timezone,
    )
    with pytest.raises(NotMade, match=r"refused\.purged"):
        maker({"user": "U0REQ1", **{k: v for k, v in waiting[0].payload.items() if k == "_make"}})
    # And none on request: not from a DM, not from the Home tab.
    click(bot, "U0REQ1", message, ids.A_CERTIFICATE, name="purged", value=f"{done}:9")
    assert replies(bot, "purged")[-1] == f"Die Anfrage #{done} gibt es nicht (mehr)."
    _home_click(bot, "U0REQ1", _home(bot, "U0REQ1"), ids.A_CERTIFICATE, value=f"{done}:9")
    said = blocks_text(bot.slack.delivered("views.update")[-1].params["view"]["blocks"])
    assert said.endswith("ihre Angaben wurden nach Ablauf der Aufbewahrungsfrist gelöscht.")
    assert _certificates(bot, "U0REQ1") == _certificates(bot, "U0EXP1") == []


def test_while_slack_cannot_name_the_person_it_comes_later(signed_bot, no_chromium):
    bot = signed_bot
    _complete(bot)
    bot.slack.fail("users.info", status=500, times=-1)
    bot.services.deliver()
    drain(bot, 60)
    assert _certificates(bot, "U0REQ1") == _certificates(bot, "U0EXP1") == []
    assert all(r.sent_at is None and not r.dead for r in _rows(bot))
    assert all("_content_b64" not in r.payload for r in _rows(bot))  # nothing made yet

    bot.slack.heal()
    drain(bot)

    (german,) = _certificates(bot, "U0REQ1")
    (english,) = _certificates(bot, "U0EXP1")
    assert (german["title"], german["comment"]) == (TITLE_DE, DONE_DE + "\n" + HTML_NOTE_DE)
    assert (english["title"], english["comment"]) == (TITLE_EN, DONE_EN + "\n" + HTML_NOTE_EN)
    assert "Anna Schmidt" in german["content"].decode("utf-8")


def test_when_slack_knows_no_such_person_there_is_none(signed_bot, no_chromium, caplog):
    bot = signed_bot
    _complete(bot)
    bot.slack.fail("users.info", error="user_not_found", times=-1)
    bot.services.deliver()
    drain(bot)
    assert _certificates(bot, "U0REQ1") == _certificates(bot, "U0EXP1") == []
    rows = _rows(bot)
    assert len(rows) == 2 and all(r.dead for r in rows)
    assert all(
        r.last_error == f"obsolete: users.info for {r.payload['user']}: user_not_found"
        for r in rows
    )
    assert any("ends unsent" in r.getMessage() for r in caplog.records)
    # Logged, not reported to the coordinators: there is nothing anybody could do.
    told = [m.params["text"] for m in bot.slack.delivered("chat.postMessage")]
    assert not [text for text in told if "user_not_found" in text]


HTML_NOTE_DE = (
    "Als PDF ließ sie sich hier nicht erstellen (auf dem Server fehlt Chromium): Öffnen Sie "
    "die HTML-Datei im Browser und drucken Sie sie als PDF."
)
HTML_NOTE_EN = (
    "It could not be made a PDF here (Chromium is missing on the server): open the HTML file "
    "in your browser and print it as a PDF."
)


def test_without_chromium_it_is_the_html_page_with_a_note(signed_bot, no_chromium):
    bot = signed_bot
    _completed(bot)

    (file,) = _certificates(bot, "U0EXP1")
    assert file["name"] == "certificate-of-participation-1.html"
    page = file["content"].decode("utf-8")
    assert "<h1>Certificate of participation</h1>" in page and "Erik Experte" in page
    assert file["comment"] == DONE_EN + "\n" + HTML_NOTE_EN
    (german,) = _certificates(bot, "U0REQ1")
    assert german["name"] == "Teilnahmebescheinigung-1.html"
    assert german["comment"] == DONE_DE + "\n" + HTML_NOTE_DE


# --- Slack failing at a step of the upload ------------------------------------------------

UPLOAD_STEPS = (
    "conversations.open",
    "files.getUploadURLExternal",
    "upload",
    "files.completeUploadExternal",
)


@pytest.mark.parametrize("fault", ["http500", "ratelimited", "timeout"])
@pytest.mark.parametrize("method", UPLOAD_STEPS)
def test_a_fault_at_any_upload_step_loses_and_doubles_nothing(
    signed_bot, no_chromium, method, fault, caplog
):
    bot = signed_bot
    _complete(bot)
    arm(bot, method, fault)

    bot.services.deliver()
    drain(bot, 60)
    bot.slack.heal()
    drain(bot)

    if fault == "timeout":
        assert any("timeout: " in r.getMessage() for r in caplog.records)
    else:
        assert [c for c in bot.slack.calls_to(method) if c.failed]
    (german,) = _certificates(bot, "U0REQ1")
    (english,) = _certificates(bot, "U0EXP1")
    assert (german["title"], german["comment"]) == (TITLE_DE, DONE_DE + "\n" + HTML_NOTE_DE)
    assert (english["title"], english["comment"]) == (TITLE_EN, DONE_EN + "\n" + HTML_NOTE_EN)
    assert "Erik Experte" in english["content"].decode("utf-8")
    rows = _rows(bot)
    assert len(rows) == 2 and all(r.sent_at is not None and not r.dead for r in rows)


def test_purged_while_its_bytes_are_on_the_way_it_is_not_shared(signed_bot, no_chromium):
    """The request is purged while Slack takes the bytes: the row is gone when the sender
    would mark it *completing*, so it stops before `files.completeUploadExternal`."""
    bot = signed_bot
    _complete(bot)
    before = len(bot.slack.calls_to("upload"))
    bot.slack.fail("upload", delay=1.0, times=2)  # each person's upload takes a second
    sending = threading.Thread(target=bot.services.outbox.deliver_due)
    sending.start()
    bot.slack.wait_for("upload", count=before + 1)
    lifecycle.purge(bot.session_factory, timedelta(days=1), now=AFTER + timedelta(days=30))
    sending.join(timeout=30)
    drain(bot)

    # The first person's bytes did go (the other's, sent at once too, may or may not have).
    assert len(bot.slack.calls_to("upload")) > before
    assert _certificates(bot, "U0REQ1") == _certificates(bot, "U0EXP1") == []
    assert _rows(bot) == []


@pytest.mark.parametrize("method", ["conversations.open", "upload"])
def test_a_retry_uploads_the_file_made_the_first_time(signed_bot, no_chromium, method):
    """What is made is kept: the person renamed in Slack before the retry still gets the
    certificate made at the first attempt (made again, it would say the new name), before
    the upload started (conversations.open failed) and during it (the upload failed)."""
    bot = signed_bot
    _complete(bot)
    bot.slack.fail(method, status=500, times=-1)
    bot.services.deliver()
    assert all("_content_b64" in r.payload and r.sent_at is None for r in _rows(bot))

    bot.slack.set_user("U0REQ1", email="anna@leipzig.de", real_name="Anna Neumann")
    bot.slack.heal()
    drain(bot)

    (german,) = _certificates(bot, "U0REQ1")
    page = german["content"].decode("utf-8")
    assert "Anna Schmidt" in page and "Neumann" not in page


def test_refused_for_good_the_row_keeps_no_bytes(signed_bot, no_chromium):
    """Slack refuses the upload for good (the person's DM closed to apps, say): the row ends
    unsent, and the certificate made for it does not wait in the database until purge."""
    bot = signed_bot
    _complete(bot)
    bot.slack.fail("files.completeUploadExternal", error="not_allowed", times=-1)
    bot.services.deliver()
    rows = _rows(bot)
    assert len(rows) == 2 and all(r.dead and r.sent_at is None for r in rows)
    assert all("not_allowed" in (r.last_error or "") for r in rows)
    assert not any("_content_b64" in r.payload or "content" in r.payload for r in rows)
    assert all(r.payload["_make"]["kind"] == "certificate" for r in rows)  # what it was
    assert _certificates(bot, "U0REQ1") == _certificates(bot, "U0EXP1") == []


# --- the page itself -------------------------------------------------------------------

DIR = parse_directory(SIGNED)
S = Summary(
    id=12,
    version=5,
    status="completed",
    requester_id="U0REQ1",
    title='Schulen <script>alert("x")</script> & Quartiere',
    question="?",
    topic_key="mobilitaet",
    format="online",
    direction="online",
    own_city_key="leipzig",
    partner_keys=("bremen", "nuernberg"),
    date_from=date(2027, 3, 4),
    date_to=date(2027, 3, 4),
    travellers=0,
    cost_eur=None,
)


def test_the_page_escapes_what_people_typed_and_names_an_online_host():
    cert = Certificate(
        Part(S, EXPERT, "nuernberg", "U0NUE1"),
        "koopstadt",
        date(2027, 3, 5),
        signature=DIR.certificate_signature,
    )
    page = certificate_html(cert, DIR, "de", name="Nina <b>Nürnberg</b>")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "Nina &lt;b&gt;Nürnberg&lt;/b&gt;" in page
    assert "<td>online, ohne Reise</td>" in page  # the host of an online exchange
    assert "<td>4. März 2027</td>" in page  # one day: no range
    assert "<td>Expert/in der Stadt Nürnberg</td>" in page
    assert "Für die Koordination: Dr. Maria Muster" in page
    unsigned = Certificate(Part(S, REQUESTER, "leipzig"), "koopstadt", date(2027, 3, 5))
    english = certificate_html(unsigned, DIR, "en", name="Anna")
    assert "The coordination of the koopstadt network" in english
    assert 'lang="en"' in english and "<td>Leipzig (requesting) with Bremen and Nürnberg</td>" in (
        english
    )
    assert "http" not in page.replace("http-equiv", "")  # loads nothing from anywhere


@pytest.mark.skipif(not HAS_CHROMIUM, reason=NO_CHROMIUM)
def test_a_rendering_looks_like_a_certificate(tmp_path):
    cert = Certificate(Part(S, REQUESTER, "leipzig"), "koopstadt", date(2027, 3, 5))
    page = tmp_path / "c.html"
    page.write_text(certificate_html(cert, DIR, "de", name="Anna Schmidt"), encoding="utf-8")
    shot = tmp_path / "c.png"
    browser.screenshot(page, shot, size=(794, 1123))
    with Image.open(shot) as image:
        gray = image.convert("L")
        width, height = gray.size
        # The dark title on top, the rule under the header, white paper around them.
        top = gray.crop((60, 100, width - 60, 200))
        assert top.getextrema()[0] < 80
        assert gray.crop((0, 0, width, 40)).getextrema()[0] > 240  # only paper up there
        assert height == 1123
    made = certificate_file(cert, DIR, "de", name="Anna Schmidt")
    assert made.pdf and made.filename == "Teilnahmebescheinigung-12.pdf"
    assert b"/Count 1" in made.content  # one A4 page
    assert Image.open(io.BytesIO(shot.read_bytes())).format == "PNG"


# --- helpers -----------------------------------------------------------------------------


def _home_opened(user: str) -> dict:
    from tests import payloads as p

    return p.app_home_opened(user_id=user)


def _home(bot, user: str) -> dict:
    published = [c for c in bot.slack.delivered("views.publish") if c.params["user_id"] == user]
    assert published, bot.slack.methods()
    return published[-1].params["view"]


def _home_click(bot, user: str, view: dict, action_id: str, value: str | None = None):
    value = value or buttons(view["blocks"])[action_id]
    return bot.http.click(
        action_id=action_id,
        value=value,
        user_id=user,
        container_type="view",
        view={**view, "id": "VHOME" + user, "hash": "1"},
    )


def _certificate_actions(request_id: int) -> dict:
    return {
        "type": "actions",
        "elements": [
            {"type": "button", "action_id": ids.A_CERTIFICATE, "value": f"{request_id}:3"}
        ],
    }
