"""Search words as people type them, turned into full-text queries for both databases.

One normalisation for the document and the query, in Python, so that SQLite and
PostgreSQL find the same words the same way: every word is case-folded ("Straße" →
"strasse"), stemmed by the Snowball German stemmer (the algorithm of PostgreSQL's
`german` configuration; it also reads "ae", "oe", "ue" as umlauts and drops the umlauts:
"Großstädte", "Grossstaedte" and "Großstadt" all become "grossstadt") and stripped of
other accents. The stems are stored with the document (`search_document.terms`): SQLite
indexes them in FTS5, PostgreSQL as a `simple` tsvector, so neither database stems again.
Each word of a query is searched as a prefix of its stem ("Straße" finds "Straßenbahn").
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

from bot.domain.directory import Directory, TopicInfo

QUERY_MAX = 200  # characters of the search text that count
MAX_TERMS = 8
# Letters and digits, with the combining accents that follow them (stripped after stemming).
_WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff])+")
# Words too common to narrow a search (PostgreSQL's German configuration ignored them
# too): dropped from a query unless it has no other words.
_STOP = """der die das den dem des ein eine einen einem einer eines und oder in im an am
auf aus bei mit nach von vom zu zum zur für über unter the of and or to for with on at"""
STOP_WORDS = frozenset(_STOP.split())
_stemmer = snowballstemmer.stemmer("german")


def words(text: str) -> list[str]:
    """The words of a text, case-folded (ß → ss), in order."""
    return _WORD.findall(unicodedata.normalize("NFKC", text or "").casefold())


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The stem both databases search by: "Mobilitätsstationen" → "mobilitatsstation"."""
    stemmed = _stemmer.stemWord(word.casefold())
    plain = unicodedata.normalize("NFKD", stemmed)
    return "".join(c for c in plain if not unicodedata.combining(c))


def index_terms(text: str) -> str:
    """A document as the stems of its words, in order (stored, then indexed)."""
    return " ".join(stem(w) for w in words(text))


def terms(text: str) -> list[str]:
    """The stems of a search's words, each once, in order; at most MAX_TERMS."""
    typed = [w for w in words((text or "")[:QUERY_MAX]) if len(w) >= 2]
    wanted = [w for w in typed if w not in STOP_WORDS] or typed
    stems = (stem(w) for w in wanted)
    return list(dict.fromkeys(s for s in stems if s))[:MAX_TERMS]


def fts5_query(stems: list[str]) -> str:
    """All stems, each as a prefix: `"mobilitatsstation"* "brem"*`."""
    return " ".join(f'"{s}"*' for s in stems)


def tsquery(stems: list[str]) -> str:
    """For `to_tsquery('simple', …)`: `mobilitatsstation:* & brem:*`."""
    return " & ".join(f"{s}:*" for s in stems)


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
