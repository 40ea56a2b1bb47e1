"""The certificate of participation's screenshots under docs/, in German and in English.

    python -m tests.certificate_screenshots [OUT_DIR]   (default: docs/)

Renders the page exactly as the *Bescheinigung herunterladen* button does (the example
directory's signature line, a completed exchange Leipzig → Bremen) and has headless
Chromium (Debian's `chromium`) take a screenshot of the A4 page.
"""

from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

from bot.domain.participation import EXPERT, REQUESTER, Certificate, Part
from bot.domain.request import Summary
from bot.infra.directory_file import load_directory_file
from bot.render.browser import screenshot
from bot.render.certificate import certificate_html

A4 = (794, 1123)  # A4 at 96 dpi
EXCHANGE = Summary(
    id=12,
    version=6,
    status="completed",
    requester_id="U0REQ1",
    title="Quartiersschulen gemeinsam planen",
    question="Wie habt ihr Schule und Stadtteil zusammen geplant?",
    topic_key="bildung",
    format="workshop",
    direction="visit",
    own_city_key="leipzig",
    partner_keys=("bremen",),
    date_from=date(2026, 12, 7),
    date_to=date(2026, 12, 9),
    travellers=2,
    cost_eur=None,
)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else Path("docs")
    out.mkdir(parents=True, exist_ok=True)
    directory = load_directory_file(Path("directory.example.toml"))
    people = {
        "de": (Part(EXCHANGE, REQUESTER, "leipzig"), "Anna Schmidt"),
        "en": (Part(EXCHANGE, EXPERT, "bremen", "U0BRE1"), "Erik Hansen"),
    }
    for lang, (part, name) in people.items():
        cert = Certificate(
            part,
            directory.network_name,
            date(2026, 12, 10),
            signature=directory.certificate_signature,
            signature_en=directory.certificate_signature_en,
        )
        with tempfile.TemporaryDirectory() as tmp:
            page = Path(tmp) / "certificate.html"
            page.write_text(certificate_html(cert, directory, lang, name=name), encoding="utf-8")
            shot = out / f"certificate-{lang}.png"
            screenshot(page, shot.resolve(), size=A4)
        print(f"{shot} ({shot.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
