"""The certificate of participation: one A4 page (HTML, autoescaped Jinja2), printed to PDF
by the headless Chromium the report page uses; where Chromium is missing, the page itself.

Everything on it is in the participant's language; the page loads nothing from anywhere.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader

from bot.domain.directory import Directory
from bot.domain.participation import Certificate, host_keys
from bot.render import browser
from bot.texts import direction_label, fmt_long_date, format_label, join_names, t

_ENV = Environment(
    loader=PackageLoader("bot", "render/templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class CertificateFile:
    content: bytes
    filename: str
    pdf: bool  # False: the HTML page (no Chromium here)


def certificate_html(cert: Certificate, directory: Directory, lang: str, *, name: str) -> str:
    """The certificate of `name` (the participant's real name, from Slack's profile)."""
    part = cert.part
    s = part.request
    city = directory.city_name(part.city_key)
    if s.date_from == s.date_to:
        dates = fmt_long_date(s.date_from, lang)
    else:
        dates = t(
            lang,
            "cert.dates",
            start=fmt_long_date(s.date_from, lang),
            end=fmt_long_date(s.date_to, lang),
        )
    hosts = host_keys(s)
    host = (
        join_names([directory.city_name(k) for k in hosts], lang)
        if hosts
        else t(lang, "cert.host_online")
    )
    partners = join_names([directory.city_name(k) for k in s.partner_keys], lang)
    own = directory.city_name(s.own_city_key)
    facts = [
        (t(lang, "cert.role"), t(lang, f"cert.role.{part.role}", city=city)),
        (t(lang, "cert.exchange"), s.title),
        (t(lang, "cert.when"), dates),
        (
            t(lang, "cert.cities"),
            t(lang, "cert.cities_value", own=own, partners=partners),
        ),
        (t(lang, "cert.host"), host),
        (t(lang, "cert.topic"), directory.topic_label(s.topic_key, lang)),
        (
            t(lang, "cert.format"),
            f"{format_label(s.format, lang)} · {direction_label(s.direction, lang)}",
        ),
    ]
    network = cert.network or t(lang, "cert.network_unnamed")
    return _ENV.get_template("certificate.html").render(
        lang=lang,
        title=t(lang, "cert.title"),
        subtitle=t(lang, "cert.subtitle"),
        network=network,
        name=name,
        lead=t(lang, "cert.lead"),
        statement=t(
            lang,
            f"cert.statement.{part.role}",
            city=city,
            title=s.title,
            network=network,
            dates=dates,
        ),
        facts=facts,
        issued=t(lang, "cert.issued", date=fmt_long_date(cert.issued, lang)),
        signature=cert.signature_line(lang) or t(lang, "cert.signature_default", network=network),
        footer=t(lang, "cert.footer", id=s.id, network=network),
    )


def certificate_file(
    cert: Certificate, directory: Directory, lang: str, *, name: str, timeout: float = 60
) -> CertificateFile:
    """The certificate as a PDF (Chromium given `timeout` seconds); without Chromium, as the
    self-contained HTML page."""
    page = certificate_html(cert, directory, lang, name=name)
    stem = t(lang, "cert.filename", id=cert.part.request.id)
    with tempfile.TemporaryDirectory(prefix="cr-bot-certificate-") as tmp:
        source = Path(tmp) / "certificate.html"
        source.write_text(page, encoding="utf-8")
        try:
            browser.print_pdf(source, Path(tmp) / "certificate.pdf", timeout=timeout)
        except browser.BrowserMissing:
            return CertificateFile(page.encode("utf-8"), f"{stem}.html", pdf=False)
        pdf = (Path(tmp) / "certificate.pdf").read_bytes()
    return CertificateFile(pdf, f"{stem}.pdf", pdf=True)
