"""Names normalised for matching: the same organisation written "U.S. Department of Defense" in one dataset and
"United States Department of Defence" in another must give the same key.

A key is the name's content words in order, after folding case and accents, dropping punctuation (so "U.S."
is "us"), mapping British spellings to American ones, writing the United States and the United Kingdom one
way, and dropping a leading "The", stop words, a company's legal form ("Inc.", "L.P.", "PBC") and a
qualifier in parentheses ("Department of Defence (Australia)"). Keys are compared whole; their words
(tokens) are compared when no key matches, to find near-duplicates for a person to review.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# British -> American spellings that occur in names of organisations.
_SPELLINGS = {
    "defence": "defense", "organisation": "organization", "organisations": "organizations", "centre": "center",
    "programme": "program", "labour": "labor", "licence": "license", "offence": "offense",
}
_STOP = frozenset({"the", "of", "and", "for", "a", "an", "on", "in", "at", "to"})
# A company's legal form says nothing about which company it is ("Bloomberg L.P." is "Bloomberg").
_LEGAL = frozenset({"inc", "incorporated", "llc", "ltd", "limited", "lp", "llp", "plc", "pbc", "corp",
                    "corporation", "co", "company", "gmbh", "ag", "sa", "nv", "bv", "pty"})
_COUNTRIES = ((("united", "states", "of", "america"), "us"), (("united", "states"), "us"), (("usa",), "us"),
              (("united", "kingdom"), "uk"), (("russian", "federation"), "russia"))
_DOTS = re.compile(r"[.'’`´]")
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NON_WORD = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=200_000)
def words(name: str) -> tuple[str, ...]:
    """The name's words after folding: lower case, no accents, no punctuation, American spelling, "us"/"uk".

    >>> words("The U.S. Department of Défence")
    ('the', 'us', 'department', 'of', 'defense')
    >>> words("United States of America")
    ('us',)
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().replace("&", " and ")
    text = _NON_WORD.sub(" ", _DOTS.sub("", _PARENS.sub(" ", text)))
    tokens = [_SPELLINGS.get(t, t) for t in text.split()]
    for phrase, short in _COUNTRIES:
        n = len(phrase)
        i = 0
        while i + n <= len(tokens):
            if tuple(tokens[i:i + n]) == phrase:
                tokens[i:i + n] = [short]
            i += 1
    return tuple(tokens)


def key(name: str) -> str:
    """The matching key of a name: its content words in order (no leading "The", stop words, legal form).

    An empty string when nothing is left (a name made only of stop words or punctuation).

    >>> key("The Pentagon") == key("Pentagon"), key("Bloomberg L.P."), key("U.S. Department of Defense")
    (True, 'bloomberg', 'us department defense')
    >>> key("Department of Defence (Australia)") == key("Department of Defense")
    True
    """
    content = [t for t in words(name) if t not in _STOP]
    while len(content) > 1 and content[-1] in _LEGAL:
        content.pop()
    return " ".join(content)


def tokens(name_key: str) -> frozenset[str]:
    """The words of a key, as a set.

    >>> sorted(tokens(key("Anthropic PBC"))), sorted(tokens("us military"))
    (['anthropic'], ['military', 'us'])
    """
    return frozenset(name_key.split())


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two token sets: shared words over all words (1.0 same words, any order).

    >>> similarity(frozenset({"defense", "department"}), frozenset({"defense", "department"}))
    1.0
    >>> similarity(frozenset({"amodei"}), frozenset({"daniela", "amodei"}))
    0.5
    """
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def described(written: str) -> bool:
    """Whether a name as written is a description rather than a proper name: an article and then a word in lower
    case ("the company", "A court in Paris"), or several words all in lower case ("private firms"); not a proper
    name ("the Louvre", "ACME") nor one word that starts in lower case ("eBay").

    >>> described("the company"), described("A court in Paris"), described("private firms")
    (True, True, True)
    >>> described("the Louvre"), described("ACME"), described("eBay")
    (False, False, False)
    """
    text = written.split()
    if len(text) >= 2 and text[0].casefold() in ("the", "a", "an"):
        return text[1][:1].islower()
    return len(text) >= 2 and written == written.lower()
