"""The outbox: Slack calls that must happen because of a committed change.

- `writer`: use cases add rows in the same transaction as the change (`enqueue`); they are
  inserted when it commits, by hooks `install` puts on the session factory.
- `sender`: after the commit, `Outbox.deliver_due` claims due rows with a conditional
  update (so several threads or instances never send the same row), calls Slack, and
  notes the outcomes (`notes`). Transient failures (5xx, 429, timeouts, network) are
  retried with backoff; permanent ones (`channel_not_found`, …) are marked dead, logged
  with the request id and reported to the coordinators (what the report says is the Slack
  layer's, passed in as `report`).
- `own`: after an action's commit, its own thread sends the rows it wrote
  (`Outbox.send_written`), claimed by their ids, when nothing else in the process is
  sending (and none of an older message of their conversations is unsent); in a burst it
  leaves them to the background sender's batches.
- `calls`: the kinds of rows and the Slack methods each calls, and how answers are read.
- `limits`: Slack's 429 holds per method, and the Home tab's window.
"""

from __future__ import annotations

from bot.outbox.attempt import backoff
from bot.outbox.calls import FILE_DM, GROUP_DM, HOME_REFRESH, LINK_PARENT, MARKER, POST, UPDATE
from bot.outbox.limits import HOME_WINDOW
from bot.outbox.notes import Report
from bot.outbox.sender import BATCH, CLAIM, WORKERS, Outbox
from bot.outbox.writer import (
    HELD,
    OBSOLETE,
    drop_held,
    enqueue,
    install,
    never_posted,
    refresh_home,
    supersede_updates,
    write_pending,
    wrote_rows,
)

__all__ = [
    "BATCH",
    "CLAIM",
    "FILE_DM",
    "GROUP_DM",
    "HELD",
    "HOME_REFRESH",
    "HOME_WINDOW",
    "LINK_PARENT",
    "MARKER",
    "OBSOLETE",
    "POST",
    "UPDATE",
    "WORKERS",
    "Outbox",
    "Report",
    "backoff",
    "drop_held",
    "enqueue",
    "install",
    "never_posted",
    "refresh_home",
    "supersede_updates",
    "write_pending",
    "wrote_rows",
]
