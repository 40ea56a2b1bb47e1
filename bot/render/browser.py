"""Headless Chromium (Debian's `chromium` package) for the report page: PDF and screenshots.

Started for one job and gone after it: a fresh profile in a temporary folder, no network
of its own (background networking, component updates and sync off), the page a local file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
)
A4_WINDOW = (1240, 1754)  # A4's proportions


class BrowserMissing(RuntimeError):
    """No Chromium on this machine."""


def chromium() -> str:
    """The Chromium to start: $CR_CHROMIUM, else /usr/bin/chromium, else `chromium` on PATH."""
    for candidate in (os.environ.get("CR_CHROMIUM"), CHROMIUM, shutil.which("chromium")):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise BrowserMissing(
        "Chromium is not installed (Debian: apt-get install -y chromium; or set CR_CHROMIUM)"
    )


def _run(page: Path, *args: str, timeout: float) -> None:
    with tempfile.TemporaryDirectory(prefix="cr-bot-chromium-") as profile:
        command = [chromium(), *FLAGS, f"--user-data-dir={profile}", *args, page.as_uri()]
        done = subprocess.run(command, capture_output=True, timeout=timeout, check=False)
    if done.returncode != 0:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise RuntimeError(f"chromium exited with {done.returncode}: {' | '.join(tail)}")


def screenshot(
    page: Path, out: Path, *, size: tuple[int, int] = A4_WINDOW, timeout: float = 60
) -> None:
    """A PNG of the page as a window of `size` (width, height) pixels shows it."""
    _run(page, f"--screenshot={out}", f"--window-size={size[0]},{size[1]}", timeout=timeout)
    if not out.is_file():
        raise RuntimeError(f"chromium wrote no screenshot to {out}")


def print_pdf(page: Path, out: Path, *, timeout: float = 60) -> None:
    """The page printed to PDF (A4, by the page's print CSS), without header and footer."""
    _run(page, f"--print-to-pdf={out}", "--no-pdf-header-footer", timeout=timeout)
    if not out.is_file():
        raise RuntimeError(f"chromium wrote no PDF to {out}")


def pdf_of(page: str, *, timeout: float = 60) -> bytes:
    """The PDF of an HTML page given as text (printed in a temporary folder)."""
    with tempfile.TemporaryDirectory(prefix="cr-bot-page-") as folder:
        source, out = Path(folder) / "page.html", Path(folder) / "page.pdf"
        source.write_text(page, encoding="utf-8")
        print_pdf(source, out, timeout=timeout)
        return out.read_bytes()
