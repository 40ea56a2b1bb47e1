"""The texts: gettext catalogues per language, read once at start.

`bot/texts/locale/<lang>/LC_MESSAGES/messages.po` (the texts people read) and `formats.po`
(how the language writes dates, numbers, money and lists: `fmt.*`) are the source of truth
(nothing is compiled or generated from them into the repository). The msgids are the keys
("modal.title"); a plural is one message with msgid `key.one` and msgid_plural `key.other`, its
forms chosen by the catalogue's gettext `Plural-Forms` (CLDR's rule, as Babel writes it).
The languages are `bot.domain.people.LANGUAGES`, German (the first) read where a language
lacks a text.
"""

from __future__ import annotations

import gettext
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.messages.pofile import read_po

from bot.domain import people

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAINS = ("messages", "formats")  # gettext domains: the texts, and the formats
PLURAL_SUFFIXES = (".one", ".other")


@dataclass(frozen=True)
class Catalogue:
    lang: str
    texts: dict[str, str]  # key -> text, of both domains
    plurals: dict[str, tuple[str, ...]]  # key without ".one" -> the forms, in gettext's order
    plural_index: Callable[[int], int]  # n -> the form to use
    keys: dict[str, tuple[str, ...]]  # domain -> its keys (a plural's as `key.one`)


def catalogue_path(lang: str, dirs: Sequence[Path], domain: str = DOMAINS[0]) -> Path:
    """The first `<dir>/<lang>/LC_MESSAGES/<domain>.po` there is."""
    for directory in dirs:
        path = directory / lang / "LC_MESSAGES" / f"{domain}.po"
        if path.exists():
            return path
    raise FileNotFoundError(f"no {domain}.po for {lang!r} in {', '.join(map(str, dirs))}")


def read_catalogue(lang: str, dirs: Sequence[Path] = (LOCALE_DIR,)) -> Catalogue:
    texts: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    keys: dict[str, tuple[str, ...]] = {}
    plural_expr = ""
    for domain in DOMAINS:
        path = catalogue_path(lang, dirs, domain)
        with path.open("rb") as f:
            po = read_po(f, locale=lang, domain=domain)
        plural_expr = plural_expr or po.plural_expr
        found = []
        for message in po:
            if not message.id:
                continue  # the header
            if isinstance(message.id, tuple):
                one = message.id[0]
                if not one.endswith(PLURAL_SUFFIXES[0]):
                    raise ValueError(f"{path}: a plural's msgid ends with .one, not {one!r}")
                plurals[one.removesuffix(".one")] = tuple(message.string or ())
            else:
                one = str(message.id)
                texts[one] = str(message.string or "")
            found.append(one)
        keys[domain] = tuple(found)
    return Catalogue(lang, texts, plurals, gettext.c2py(plural_expr), keys)


# What `load` read: the languages (the first is the fallback) and their catalogues.
_languages: list[str] = []
_catalogues: dict[str, Catalogue] = {}
# Every text people read (messages.po) by key and language (a plural's first and last forms
# under `key.one` and `key.other`), for checks and tests; refilled by `load`.
TEXTS: dict[str, dict[str, str]] = {}


def load(languages: Sequence[str] | None = None, dirs: Sequence[Path] = (LOCALE_DIR,)) -> None:
    """Read the catalogues of `languages` (default: `people.LANGUAGES`) from the first of
    `dirs` that has each. Called at import; tests call it again with a language of their own."""
    languages = tuple(people.LANGUAGES if languages is None else languages)
    catalogues = {lang: read_catalogue(lang, dirs) for lang in languages}
    _languages[:] = languages
    _catalogues.clear()
    _catalogues.update(catalogues)
    TEXTS.clear()
    for lang, cat in catalogues.items():
        for key in cat.keys[DOMAINS[0]]:
            if key in cat.texts:
                TEXTS.setdefault(key, {})[lang] = cat.texts[key]
            else:
                forms = cat.plurals[key.removesuffix(".one")]
                TEXTS.setdefault(key, {})[lang] = forms[0]
                TEXTS.setdefault(key.removesuffix(".one") + ".other", {})[lang] = forms[-1]


def languages() -> tuple[str, ...]:
    return tuple(_languages)


def supported(lang: str) -> str:
    """`lang` when there is a catalogue for it, else the first language (German)."""
    return lang if lang in _catalogues else _languages[0]


def catalogue(lang: str) -> Catalogue:
    return _catalogues[supported(lang)]


def has_text(key: str) -> bool:
    return key in _catalogues[_languages[0]].texts


def t(lang: str, key: str, **kw: object) -> str:
    """The text `key` in `lang` (German when missing), with {placeholders} filled.

    A plural's `key.one` and `key.other` read as its first and last forms (use `tn`)."""
    source = _catalogues[_languages[0]]
    if key not in source.texts and key.endswith(PLURAL_SUFFIXES):
        base, form = key.rsplit(".", 1)
        forms = catalogue(lang).plurals.get(base) or source.plurals[base]
        at = 0 if form == "one" else -1
        text = forms[at] or source.plurals[base][at]
    else:
        text = catalogue(lang).texts.get(key) or source.texts[key]
    return text.format(**kw) if kw else text


def tn(lang: str, key: str, n: int, **kw: object) -> str:
    """The plural `key` for `n` (its form by the language's plural rule), {n} filled; for 0
    the text `key.zero` when there is one ("niemand reist")."""
    if n == 0 and has_text(f"{key}.zero"):
        return t(lang, f"{key}.zero", n=n, **kw)
    cat = catalogue(lang)
    forms = cat.plurals.get(key)
    text = forms[cat.plural_index(n)] if forms else ""
    if not text:
        source = _catalogues[_languages[0]]
        text = source.plurals[key][source.plural_index(n)]
    return text.format(n=n, **kw)


def placeholders(text: str) -> set[str]:
    """The names of `text`'s {placeholders}."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}
