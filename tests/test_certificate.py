"""The certificate of participation: offered by DM once the exchange is completed (to the
requester and every named expert), sent as a PDF on the button's click, from the DM or
the Home tab, in the person's language; read back with pdftotext. Refused to others,
before completion, and for a purged request; an HTML page where Chromium is missing."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image

from bot.domain.participation import EXPERT, REQUESTER, Certificate, Part
from bot.domain.request import Summary
from bot.infra.directory_file import parse_directory
from bot.render import browser
from bot.render.certificate import certificate_file, certificate_html
from bot.slack import ids
from bot.usecases import lifecycle, reflection
from tests.conftest import DIRECTORY, running_bot
from tests.flows import blocks_text, buttons, click, dms_to, replies
from tests.seed import seed

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


def _completed(bot) -> int:
    """Request #1, Leipzig → Bremen, 7–9 Dec 2026, the expert U0EXP1 (English), completed
    by the requester's reflection the day after."""
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
    bot.services.deliver()
    return request_id


def _offer(bot, user: str):
    found = [m for m in dms_to(bot, user) if ids.A_CERTIFICATE in buttons(m.params["blocks"])]
    assert found, [m.params["text"] for m in dms_to(bot, user)]
    return found[-1]


def _certificates_sent(bot) -> list[str]:
    """The names of the certificates uploaded (the calendar files are .ics)."""
    asked = bot.slack.calls_to("files.getUploadURLExternal")
    return [c.params["filename"] for c in asked if not c.params["filename"].endswith(".ics")]


def _pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(content)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(done.stdout.decode("utf-8").split())


def _uploaded(bot) -> tuple[str, bytes, dict]:
    """The file last uploaded (its name, bytes) and the completeUploadExternal call."""
    asked = bot.slack.delivered("files.getUploadURLExternal")[-1]
    upload = bot.slack.delivered("upload")[-1]
    done = bot.slack.delivered("files.completeUploadExternal")[-1]
    return asked.params["filename"], upload.params["content"], done.params


def test_the_requester_and_the_expert_are_offered_it_when_the_exchange_is_completed(
    signed_bot,
):
    bot = signed_bot
    _completed(bot)
    offer = _offer(bot, "U0REQ1")
    assert offer.params["text"] == (
        "Ihre Teilnahmebescheinigung liegt bereit: #1 Quartiersschulen gemeinsam planen "
        "(Leipzig → Bremen)"
    )
    assert "Der Austausch *#1* „Quartiersschulen gemeinsam planen“ ist abgeschlossen" in (
        blocks_text(offer.params["blocks"])
    )
    (button,) = [e for b in offer.params["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["text"]["text"] == "Bescheinigung herunterladen"
    assert button["accessibility_label"] == "Teilnahmebescheinigung für Anfrage #1 herunterladen"
    english = _offer(bot, "U0EXP1")
    assert english.params["text"] == (
        "Your certificate of participation is ready: #1 Quartiersschulen gemeinsam planen "
        "(Leipzig → Bremen)"
    )
    assert "Download certificate" in blocks_text(english.params["blocks"])
    # Nobody else is offered one; each of them once.
    offered = {
        m.params["channel"]
        for m in bot.slack.delivered("chat.postMessage")
        if ids.A_CERTIFICATE in buttons(m.params.get("blocks") or [])
    }
    assert offered == {"U0REQ1", "U0EXP1"}
    for user in offered:
        said = [m for m in dms_to(bot, user) if ids.A_CERTIFICATE in buttons(m.params["blocks"])]
        assert len(said) == 1, user


@pytest.mark.skipif(not HAS_CHROMIUM, reason=NO_CHROMIUM)
def test_the_button_sends_the_pdf_in_each_persons_language(signed_bot, tmp_path):
    bot = signed_bot
    _completed(bot)

    status, _ = click(bot, "U0REQ1", _offer(bot, "U0REQ1"), ids.A_CERTIFICATE)

    assert status == 200
    name, content, done = _uploaded(bot)
    assert name == "Teilnahmebescheinigung-1.pdf" and content.startswith(b"%PDF")
    assert done["initial_comment"] == (
        ":page_facing_up: Ihre Teilnahmebescheinigung für den Austausch *#1* "
        "„Quartiersschulen gemeinsam planen“."
    )
    assert bot.slack.delivered("conversations.open")[-1].params["users"] == "U0REQ1"
    german = _pdf_text(content, tmp_path)
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
        assert line in german, (line, german)

    click(bot, "U0EXP1", _offer(bot, "U0EXP1"), ids.A_CERTIFICATE)

    name, content, _ = _uploaded(bot)
    assert name == "certificate-of-participation-1.pdf"
    english = _pdf_text(content, tmp_path)
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
        assert line in english, (line, english)


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
        name, content, _ = _uploaded(bot)
        assert content.startswith(b"%PDF") and name.endswith("-1.pdf")
    assert "Ihre Austausche als Expert/in" not in blocks_text(_home(bot, "U0REQ1")["blocks"])
    assert "Erik Experte" in _pdf_text(content, tmp_path)


def test_others_and_unfinished_and_purged_exchanges_get_none(signed_bot):
    bot = signed_bot
    open_one = seed(bot, state="matched", title="Noch nicht vorbei")
    value = f"{open_one}:3"
    # Not completed yet: the requester is told when it comes.
    bot.http.event(_home_opened("U0REQ1"))
    _home_click(bot, "U0REQ1", _home(bot, "U0REQ1"), ids.A_CERTIFICATE, value=value)
    said = blocks_text(bot.slack.delivered("views.update")[-1].params["view"]["blocks"])
    assert "sobald der Austausch #1 abgeschlossen ist (jetzt: Vermittelt)" in said
    done = _completed(bot)
    offer = _offer(bot, "U0REQ1")
    # Somebody who did not take part, pressing a copy of the button: refused.
    click(bot, "U0LEI1", offer, ids.A_CERTIFICATE, name="other")
    assert replies(bot, "other")[-1] == (
        ":no_entry: Eine Teilnahmebescheinigung für #2 erhalten die anfragende Person und "
        "die benannten Expert/innen."
    )
    # Purged: none any more.
    lifecycle.purge(bot.session_factory, timedelta(days=1), now=AFTER + timedelta(days=30))
    click(bot, "U0REQ1", offer, ids.A_CERTIFICATE, name="purged")
    assert replies(bot, "purged")[-1] == f"Die Anfrage #{done} gibt es nicht (mehr)."
    _home_click(bot, "U0REQ1", _home(bot, "U0REQ1"), ids.A_CERTIFICATE, value=f"{done}:9")
    said = blocks_text(bot.slack.delivered("views.update")[-1].params["view"]["blocks"])
    assert said.endswith("ihre Angaben wurden nach Ablauf der Aufbewahrungsfrist gelöscht.")
    assert not _certificates_sent(bot)


def test_without_a_name_from_slack_there_is_no_certificate(signed_bot):
    bot = signed_bot
    _completed(bot)
    bot.slack.fail("users.info", status=500, times=5)
    click(bot, "U0REQ1", _offer(bot, "U0REQ1"), ids.A_CERTIFICATE, name="noname")
    assert replies(bot, "noname")[-1].startswith(":warning: Slack hat uns Ihren Namen")
    assert not _certificates_sent(bot)


def test_without_chromium_it_is_the_html_page_with_a_note(signed_bot, monkeypatch):
    bot = signed_bot
    _completed(bot)
    monkeypatch.setattr(browser, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setenv("PATH", "/nonexistent")

    click(bot, "U0EXP1", _offer(bot, "U0EXP1"), ids.A_CERTIFICATE)

    name, content, done = _uploaded(bot)
    assert name == "certificate-of-participation-1.html"
    page = content.decode("utf-8")
    assert "<h1>Certificate of participation</h1>" in page and "Erik Experte" in page
    assert "Chromium is missing on the server" in done["initial_comment"]
    assert "print it as a PDF" in done["initial_comment"]


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
