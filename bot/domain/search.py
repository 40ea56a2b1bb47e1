"""Search words as people type them, turned into full-text queries for both databases.

SQLite's FTS5 (unicode61, diacritics removed) does not stem: each word is cut to a
light German stem and searched as a prefix, so "Mobilitätsstationen" and
"Mobilitätsstation" find each other. PostgreSQL stems with its German configuration;
each word is searched as a prefix of its stem there too.
"""

from __future__ import annotations

import re

from bot.domain.directory import Directory, TopicInfo

QUERY_MAX = 200  # characters of the search text that count
MAX_TERMS = 8
_WORD = re.compile(r"\w+", re.UNICODE)
# Endings cut from a word before the prefix search (longest first); the stem keeps 4+.
_ENDINGS = ("innen", "ern", "en", "er", "es", "em", "e", "n", "s")
_STEM_MIN = 4


def terms(text: str) -> list[str]:
    """The words of a search, lower case, each once, in order; at most MAX_TERMS."""
    words = _WORD.findall((text or "")[:QUERY_MAX].casefold().replace("_", " "))
    return list(dict.fromkeys(w for w in words if len(w) >= 2))[:MAX_TERMS]


def stem(word: str) -> str:
    """A light German stem: "mobilitätsstationen" → "mobilitätsstation"."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= _STEM_MIN:
            return word[: -len(ending)]
    return word


def fts5_query(words: list[str]) -> str:
    """All words, each as a prefix of its stem: `"mobilitätsstation"* "bremen"*`."""
    return " ".join(f'"{stem(w)}"*' for w in words)


def tsquery(words: list[str]) -> str:
    """For `to_tsquery('german', …)`: `mobilitätsstationen:* & bremen:*` (PostgreSQL stems)."""
    return " & ".join(f"{w}:*" for w in words)


def find_topic(directory: Directory, text: str) -> TopicInfo | None:
    """The topic someone typed: its key, German or English name, or the start of one."""
    wanted = " ".join(text.split()).casefold()
    if not wanted:
        return None
    for exact in (True, False):
        for topic in directory.topics:
            names = [topic.key, topic.name, topic.name_en or ""]
            for name in (n.casefold() for n in names if n):
                if name == wanted if exact else name.startswith(wanted):
                    return topic
    return None
