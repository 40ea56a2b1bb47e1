"""`/cr-request report [YEAR]` puts the report page (HTML) and its PDF into the coordinator's
DM as files, and `/cr-request report zahlungen` the payments list (CSV), through the outbox:
a failed step of the upload is retried, and nobody ever sees a file twice."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.domain.claims import ClaimStep, Receipt
from bot.entry.scheduler import reflect_job
from bot.outbox import FILE_DM
from bot.render import browser
from bot.usecases.claims import claim_step, submit_claim
from models import AuditEntry, OutboxMessage
from tests.seed import seed

pytestmark = pytest.mark.chromium  # prints with the real Chromium (tests/conftest.py)

COORD, REQUESTER = "U0COORD1", "U0REQ1"
HAS_CHROMIUM = Path(browser.CHROMIUM).is_file()
NO_CHROMIUM = "Debian's chromium is not installed (/usr/bin/chromium): apt-get install -y chromium"
REPORT_FILES = ["cr-bericht-2026.html", "cr-bericht-2026.pdf"]


def command(bot: Any, user: str, text: str) -> Any:
    # The test's HTTP answer waits for the whole listener (process_before_response), and
    # Chromium printing the PDF takes seconds on a busy machine; Slack gets its ack at once.
    bot.http.timeout = 120
    status, answer = bot.http.command(
        user_id=user, text=text, response_url=bot.slack.response_url("rep")
    )
    assert status == 200
    return answer


def drain(bot: Any) -> None:
    """Let an hour pass and send what is due, as the background sender would."""
    for _ in range(5):
        bot.clock.advance(seconds=900)
        while bot.services.outbox.deliver_due():
            pass


def file_rows(bot: Any, user: str = COORD) -> list[OutboxMessage]:
    """The outbox's files for `user` (requesters and experts get calendar files too)."""
    with bot.session_factory() as s:
        rows = s.exec(select(OutboxMessage).where(OutboxMessage.method == FILE_DM)).all()
    return [r for r in rows if r.payload["user"] == user]


def assert_report_files(bot: Any) -> None:
    """The page and the PDF, each shared exactly once into the coordinator's DM, whole."""
    shared = bot.slack.shared_files(COORD)
    assert [f["name"] for f in shared] == REPORT_FILES
    page, pdf = shared
    html = page["content"].decode("utf-8")
    assert html.startswith("<!DOCTYPE html>") and "C+R-Jahresbericht 2026" in html
    assert 'src="http' not in html and "<link" not in html  # self-contained
    assert page["title"] == "C+R-Jahresbericht 2026 – koopstadt (Webseite)"
    assert page["comment"] == (
        ":page_facing_up: *C+R-Jahresbericht 2026 – koopstadt* als Webseite: im Browser "
        "öffnen, weitergeben oder drucken; alles steckt in dieser einen Datei."
    )
    assert pdf["content"].startswith(b"%PDF-")
    assert pdf["title"] == "C+R-Jahresbericht 2026 – koopstadt (PDF)"
    rows = file_rows(bot)
    assert len(rows) == 2 and all(r.sent_at is not None and not r.dead for r in rows)
    # Sent: the bytes are in Slack, no longer in the outbox.
    assert all("_content_b64" not in r.payload for r in rows)


@pytest.mark.skipif(not HAS_CHROMIUM, reason=NO_CHROMIUM)
def test_the_report_page_and_its_pdf_arrive_as_files_in_the_coordinators_dm(bot):
    answer = command(bot, COORD, "report 2026")

    assert answer == ""  # acked; the numbers came by the response_url
    assert_report_files(bot)
    pdf = bot.slack.shared_files(COORD)[1]["content"]
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "C+R-Jahresbericht 2026" in text
    with bot.session_factory() as s:
        [entry] = s.exec(select(AuditEntry).where(AuditEntry.action == "files")).all()
    assert (entry.actor, entry.comment) == (COORD, ", ".join(REPORT_FILES))


# A failure at each of the three steps: Slack's 5xx and 429, and answers that never came
# although Slack acted (the connection cut after the work).
STEP_FAULTS = [
    ("files.getUploadURLExternal", {"status": 500}),
    ("files.getUploadURLExternal", {"cut": True}),
    ("upload", {"status": 503}),
    ("upload", {"cut": True}),
    ("files.completeUploadExternal", {"status": 500}),
    ("files.completeUploadExternal", {"status": 429, "retry_after": 5}),
    ("files.completeUploadExternal", {"cut": True}),
]


@pytest.mark.skipif(not HAS_CHROMIUM, reason=NO_CHROMIUM)
@pytest.mark.parametrize(
    ("step", "fault"), STEP_FAULTS, ids=[f"{s}-{next(iter(f))}" for s, f in STEP_FAULTS]
)
def test_a_failed_upload_step_is_retried_and_each_file_arrives_exactly_once(bot, step, fault):
    bot.slack.fail(step, times=2, **fault)  # the page's first try, and its second (or the PDF's)

    command(bot, COORD, "report 2026")
    assert bot.slack.calls_to(step)[0].failed or bot.slack.calls_to(step)[0].cut
    drain(bot)

    assert_report_files(bot)
    completes = bot.slack.calls_to("files.completeUploadExternal")
    if fault.get("cut") and step == "files.completeUploadExternal":
        # Slack shared them and the answers got lost: the retries ask (files.info) and
        # find them shared; neither is completed a second time.
        assert len(completes) == 2
        assert len(bot.slack.delivered("files.info")) == 2
    else:
        assert len([c for c in completes if not c.failed and not c.cut]) == 2


def test_a_report_without_chromium_sends_the_page_alone(bot, monkeypatch):
    monkeypatch.setenv("CR_CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setattr(browser, "CHROMIUM", "/nonexistent/chromium")
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)

    command(bot, COORD, "report 2026")

    assert [f["name"] for f in bot.slack.shared_files(COORD)] == ["cr-bericht-2026.html"]


@pytest.mark.parametrize("text", ["report 2026", "bericht", "report zahlungen", "report payments"])
def test_nobody_but_a_coordinator_gets_the_report_or_the_payments_list(bot, text):
    checked_claim(bot, "Austausch A", 12050)
    bot.slack.clear()

    answer = command(bot, REQUESTER, text)

    assert (
        answer["text"] == ":no_entry: Den Jahresbericht sieht nur die Koordination des Netzwerks."
    )
    assert bot.slack.calls_to("files.getUploadURLExternal") == []
    assert file_rows(bot, COORD) == []
    assert all(r.payload["filename"].endswith(".ics") for r in file_rows(bot, REQUESTER))


# ---- the payments list


def checked_claim(
    bot: Any,
    title: str,
    cents: int,
    *,
    check: bool = True,
    pay: bool = False,
    requester: str = REQUESTER,
    **kw: Any,
) -> int:
    """A matched exchange 7–9 Dec, its costs asked on the 10th, claimed, checked (paid)."""
    request_id = seed(
        bot,
        state="matched",
        title=title,
        requester=requester,
        date_from=date(2026, 12, 7),
        date_to=date(2026, 12, 9),
        cost_eur=Decimal("450"),
        **kw,
    )
    bot.clock.now = bot.clock.now.replace(year=2026, month=12, day=10, hour=9)
    reflect_job(bot.services)
    ctx = bot.services.context()
    receipt = Receipt(
        "F0REC1", "Bahn.pdf", "https://koopstadt.slack.com/files/U0REQ1/F0REC1/bahn.pdf"
    )
    claim = submit_claim(
        bot.session_factory,
        request_id,
        actor=requester,
        amount_cents=cents,
        per_person=False,
        note=None,
        receipts=[receipt],
        ctx=ctx,
        now=bot.clock(),
    )
    bot.services.deliver()
    bot.clock.advance(hours=1)
    for step, wanted in ((ClaimStep.CHECK, check), (ClaimStep.PAY, pay)):
        if wanted:
            claim = claim_step(
                bot.session_factory,
                request_id,
                claim.version,
                step,
                actor=COORD,
                ctx=ctx,
                now=bot.clock(),
            )
            bot.services.deliver()
    return request_id


def test_the_payments_list_is_a_german_excel_csv_of_the_claims_checked_and_not_paid(bot):
    first = checked_claim(bot, '=HYPERLINK("x")', 12050)
    checked_claim(bot, "Nur gemeldet", 9900, check=False)
    checked_claim(bot, "Schon bezahlt", 5000, pay=True)
    second = checked_claim(
        bot, "Quartiersschulen; Teil 2", 100000, own="bremen", requester="U0REQ2"
    )
    bot.slack.clear()

    answer = command(bot, COORD, "report zahlungen")

    assert answer["text"] == (
        ":moneybag: Geprüft und noch nicht ausgezahlt: 2. Die Liste für die Finanzstelle "
        "kommt gleich als CSV-Datei in Ihre Direktnachricht mit dem Bot."
    )
    [shared] = bot.slack.shared_files(COORD)
    assert shared["name"] == "cr-zahlungen-2026-12-10.csv"
    assert shared["title"] == "Kostenerstattungen zur Zahlung – Stand 10.12.2026"
    assert shared["comment"] == (
        ":moneybag: Geprüft und noch nicht ausgezahlt: *2* Kostenerstattungen, zusammen "
        "*1.120,50 €* (Stand 10.12.2026). Die Liste für die Finanzstelle als CSV, sie öffnet "
        "sich in Excel."
    )
    raw: bytes = shared["content"]
    assert raw.startswith("\ufeff".encode())  # UTF-8 with BOM: Excel reads the umlauts
    text = raw.decode("utf-8-sig")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == [
        "Anfrage",
        "Titel",
        "Antragsteller/in (Slack-ID)",
        "Stadt",
        "Von",
        "Bis",
        "Reisende",
        "Betrag (EUR)",
        "je Person (EUR)",
        "Gemeldet am",
        "Geprüft von (Slack-ID)",
        "Geprüft am",
        "Belege",
    ]
    link = "https://koopstadt.slack.com/files/U0REQ1/F0REC1/bahn.pdf"
    assert rows[1] == [
        str(first),
        '\'=HYPERLINK("x")',  # never a formula
        "U0REQ1",
        "Leipzig",
        "07.12.2026",
        "09.12.2026",
        "2",
        "120,50",
        "",
        "10.12.2026 10:00",
        COORD,
        "10.12.2026 11:00",
        link,
    ]
    assert rows[2][:4] == [str(second), "Quartiersschulen; Teil 2", "U0REQ2", "Bremen"]
    assert rows[2][7] == "1000,00"  # a decimal comma, no thousands separator
    assert rows[3][0] == "Summe" and rows[3][7] == "1120,50"
    assert len(rows) == 4


def test_no_payments_list_when_nothing_waits_for_payment(bot):
    checked_claim(bot, "Nur gemeldet", 9900, check=False)
    bot.slack.clear()

    answer = command(bot, COORD, "report payments")

    assert answer["text"] == (
        "Zurzeit ist keine Kostenerstattung geprüft und noch nicht ausgezahlt: Für die "
        "Finanzstelle gibt es nichts zu zahlen."
    )
    assert bot.slack.shared_files(COORD) == []
