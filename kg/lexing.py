"""SPARQL text as syntax: its strings, IRIs and comments set aside, so that what is left can be searched."""

from __future__ import annotations

import re

# What holds no syntax: strings, IRIs and comments.
_NOT_NAMES = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\''
                        r'|<[^\x00-\x20<>"{}|^`\\]*>|#[^\n]*')


def inert(text: str) -> str:
    """The text with its strings, IRIs and comments blanked out (same length, line breaks kept): what is left is
    the query's syntax, at the same offsets.

    >>> inert('SELECT ?s { ?s ?p "{" } # }')
    'SELECT ?s { ?s ?p     }    '
    """
    return _NOT_NAMES.sub(lambda found: re.sub(r"[^\n]", " ", found[0]), text)
