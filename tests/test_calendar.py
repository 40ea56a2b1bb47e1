"""When a request is matched, requester and experts get the exchange as an .ics file."""

from __future__ import annotations

from datetime import date

from icalendar import Calendar

from tests.seed import seed


def test_matched_request_sends_one_calendar_file_to_each_participant(bot):
    request_id = seed(
        bot,
        state="matched",
        experts=("U0EXP1", "U0EXP2"),
        date_from=date(2026, 12, 7),
        date_to=date(2026, 12, 9),
        title="Quartiersschulen, Teil 1; mit \\ und Umlauten äöü",
    )
    uploads = bot.slack.delivered("upload")
    completes = bot.slack.delivered("files.completeUploadExternal")
    assert len(uploads) == 3 and len(completes) == 3
    opened = {
        c.response["channel"]["id"]: c.params["users"]
        for c in bot.slack.delivered("conversations.open")
    }
    receivers = sorted(opened[c.params["channel_id"]] for c in completes)
    assert receivers == ["U0EXP1", "U0EXP2", "U0REQ1"]
    for upload in uploads:
        content = upload.params["content"]
        raw = content if isinstance(content, bytes) else content.encode()
        assert b"\r\n" in raw  # RFC 5545 line endings
        [event] = Calendar.from_ical(raw).walk("VEVENT")
        assert event.decoded("dtstart") == date(2026, 12, 7)
        assert event.decoded("dtend") == date(2026, 12, 10)  # exclusive: the 9th is included
        assert (
            str(event["summary"])
            == "C+R-Austausch: Quartiersschulen, Teil 1; mit \\ und Umlauten äöü"
        )
        assert str(event["location"]) == "Bremen"
        assert str(event["uid"]) == f"cr-request-{request_id}@cr-bot"
        calendar = Calendar.from_ical(raw)
        assert str(calendar["x-wr-timezone"]) == "Europe/Berlin"
    assert all(
        c.params["filename"] == f"cr-austausch-{request_id}.ics"
        for c in bot.slack.delivered("files.getUploadURLExternal")
    )


def test_no_calendar_before_matching(bot):
    seed(bot, state="approved")
    assert bot.slack.delivered("files.completeUploadExternal") == []
