"""Errors that teach: for each authoring mistake, what to do about it.

Every function here takes what an error already knows (the text and the quote, the term and the declared terms,
the file and the line) and returns the sentence a curator needs next: the closest passage of the text and what
differs, the shortest prefix or suffix that makes a quote unique, the term probably meant, the nearest CAMEO codes,
the usual cause of a Turtle syntax error.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import Violation

if TYPE_CHECKING:  # the annotation only: pyoxigraph is imported where it is used, not for every command
    import pyoxigraph as ox

# Characters a typed quote often has in place of the text's own: (what it is, the characters of that kind).
_KINDS = (
    ("quotes", "\"'“”‘’«»„‚′″`´"),
    ("dashes", "-‐‑‒–—―−"),
    ("spaces", " \t\n\r\u00a0\u2009\u202f\u2007\u200b"),
)
_FOLD = {c: kind[0][0] for kind in _KINDS[:2] for c in kind[1]} | {c: " " for c in _KINDS[2][1]}


def _fold(text: str) -> str:
    """Quotes, dashes and spaces each folded to one character, and lower case: same length as ``text``."""
    return "".join(_FOLD.get(c, c) for c in text).lower()


def _kind(a: str, b: str) -> str | None:
    """The kind of difference between two snippets, when they differ only in one kind of character or in case."""
    for name, chars in _KINDS:
        if a and b and all(c in chars for c in a + b):
            if name == "quotes":
                return "straight vs curly quotes" if any(c in "\"'" for c in a + b) else "quote marks"
            return name
    if a.lower() == b.lower():
        return "case"
    return None


def closest_passage(text: str, exact: str) -> tuple[int, int] | None:
    """Where in ``text`` the passage most like ``exact`` is (start, end), or None when nothing is close.

    >>> text = "He said: “we will not comply” — and left."
    >>> s, e = closest_passage(text, '"we will not comply"'); text[s:e]
    '“we will not comply”'
    """
    if not exact or not text:
        return None
    folded, target = _fold(text), _fold(exact)
    at = folded.find(target)
    if at >= 0:
        return at, at + len(exact)
    # Seed with the longest block the two share, then try windows around it (lengths near the quote's).
    matcher = difflib.SequenceMatcher(None, folded, target, autojunk=False)
    best: tuple[float, int, int] | None = None
    for block in matcher.get_matching_blocks()[:-1]:
        if block.size < 3:
            continue
        base = block.a - block.b
        for start in range(max(0, base - 8), min(len(text), base + 9)):
            for length in range(max(1, len(exact) - 8), len(exact) + 9):
                window = folded[start:start + length]
                ratio = difflib.SequenceMatcher(None, window, target, autojunk=False).ratio()
                if best is None or ratio > best[0]:
                    best = (ratio, start, start + length)
    if best is None or best[0] < 0.6:
        return None
    return best[1], best[2]


def differences(exact: str, passage: str) -> list[str]:
    """What differs between a typed quote and the passage of the text, one phrase per difference.

    >>> for line in differences('the "ban" - now', 'the “ban” – now'): print(line)
    straight vs curly quotes: `"` in the quote, `“` in the text
    straight vs curly quotes: `"` in the quote, `”` in the text
    dashes: `-` in the quote, `–` in the text
    """
    found: list[str] = []
    matcher = difflib.SequenceMatcher(None, exact, passage, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        mine, theirs = exact[a1:a2], passage[b1:b2]
        kind = _kind(mine, theirs) or ("spaces" if not (mine + theirs).strip() else "words")
        found.append(f"{kind}: {_show(mine)} in the quote, {_show(theirs)} in the text")
    return found[:6]


def _show(value: str) -> str:
    """A snippet in a message, between backquotes, quote marks left as they are (repr would escape them)."""
    return "`" + value.replace("\n", "\\n") + "`"


def quote_not_found(text: str, exact: str, name: str) -> str:
    """The message for a quote missing from ``text``: the closest passage and what differs, or what to do.

    >>> print(quote_not_found("Acme’s stance was clear.", "Acme's stance", "a.txt"))
    quote not found in a.txt: `Acme's stance`; closest passage (at 0): `Acme’s stance`; differs by \
straight vs curly quotes: `'` in the quote, `’` in the text. Copy the passage from the text.
    """
    head = f"quote not found in {name}: {_show(exact)}"
    where = closest_passage(text, exact)
    if where is None:
        return head + "; no passage of the text is close to it: copy the words from the text itself"
    passage = text[where[0]:where[1]]
    diff = "; ".join(differences(exact, passage)) or "nothing visible (check invisible characters)"
    return (f"{head}; closest passage (at {where[0]}): {_show(passage)}; differs by {diff}. "
            "Copy the passage from the text.")


def unique_context(text: str, start: int, end: int) -> tuple[str, str]:
    """The shortest ``oa:prefix`` and the shortest ``oa:suffix`` that each single out the occurrence at start..end.

    Either may be '' when no prefix (or suffix) is enough, e.g. at the start of the text.

    >>> unique_context("a cat and a cat sat", 12, 15)
    (' a ', ' s')
    """
    exact = text[start:end]

    def unique(before: str, after: str) -> bool:
        count, at = 0, text.find(exact)
        while at >= 0:
            if text[max(0, at - len(before)):at] == before and text.startswith(after, at + len(exact)):
                count += 1
            at = text.find(exact, at + 1)
        return count == 1

    prefix = next((text[start - k:start] for k in range(1, start + 1) if unique(text[start - k:start], "")), "")
    suffix = next((text[end:end + k] for k in range(1, len(text) - end + 1) if unique("", text[end:end + k])), "")
    return prefix, suffix


def ambiguous_quote(text: str, exact: str, starts: list[int], name: str) -> str:
    """The message for a quote found more than once: for each place, the shortest prefix or suffix to add.

    >>> print(ambiguous_quote("a cat and a cat sat", "cat", [2, 12], "t.txt"))
    quote occurs 2 times in t.txt (at 2, 12): `cat`; add an oa:prefix or oa:suffix that tells them apart: at 2 \
oa:suffix " a"; at 12 oa:prefix " a " or oa:suffix " s"
    """
    ways = []
    for start in starts:
        prefix, suffix = unique_context(text, start, start + len(exact))
        options = [f"oa:prefix {_turtle(prefix)}" if prefix else "", f"oa:suffix {_turtle(suffix)}" if suffix else ""]
        ways.append(f"at {start} " + " or ".join(o for o in options if o))
    at = ", ".join(str(s) for s in starts)
    return (f"quote occurs {len(starts)} times in {name} (at {at}): {_show(exact)}; add an oa:prefix or oa:suffix "
            "that tells them apart: " + "; ".join(ways))


def context_mismatch(text: str, exact: str, prefix: str, suffix: str, starts: list[int], name: str) -> str:
    """The message for a quote that is in the text, but never with the given ``oa:prefix``/``oa:suffix``.

    >>> print(context_mismatch("a cat sat", "cat", "the ", "", [2], "t.txt"))
    quote not found in t.txt with oa:prefix `the `: `cat` is in the text, at 2 after `a ` and before ` sat`; \
correct the prefix or suffix from the text, or drop them if the quote occurs once
    """
    given = " and ".join(f"{k} {_show(v)}" for k, v in (("oa:prefix", prefix), ("oa:suffix", suffix)) if v)
    places = "; ".join(f"at {s} after {_show(text[max(0, s - len(prefix) - 2):s])} and before "
                       f"{_show(text[s + len(exact):s + len(exact) + len(suffix) + 4])}" for s in starts[:5])
    return (f"quote not found in {name} with {given}: {_show(exact)} is in the text, {places}; correct the "
            "prefix or suffix from the text, or drop them if the quote occurs once")


def _turtle(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def check_solution(query_file: Path) -> str | None:
    """The ``# solution:`` header of a report check (``ontology/checks/*.rq``), on one line."""
    text = query_file.read_text(encoding="utf-8")
    found = re.search(r"^# solution: (.*?)(?=\n(?!#)|\n# \w+: )", text, re.M | re.S)
    return " ".join(found[1].replace("\n#", " ").split()) if found else None


def likely_term(iri: str, declared: Iterable[str]) -> str | None:
    """The declared IRI of the same namespace closest to an undeclared one, when one is close.

    >>> likely_term("https://w3id.org/standoff/ontology#hasAgnet", ["https://w3id.org/standoff/ontology#hasAgent"])
    'https://w3id.org/standoff/ontology#hasAgent'
    """
    cut = max(iri.rfind("#"), iri.rfind("/")) + 1
    namespace, local = iri[:cut], iri[cut:]
    by_local = {d[cut:]: d for d in declared if d.startswith(namespace) and d != iri and len(d) > cut}
    lowered = {k.lower(): k for k in by_local}
    if local.lower() in lowered:
        return by_local[lowered[local.lower()]]
    close = difflib.get_close_matches(local, list(by_local), n=1, cutoff=0.75)
    return by_local[close[0]] if close else None


def nearest_cameo(code: str, concepts: dict[str, str], n: int = 3) -> tuple[list[str], list[str]]:
    """The concepts nearest a code not in the scheme: by number (``concepts`` maps notation -> label) and by label.

    By number: the same family and the closest codes in it, else the closest families. By label: the concepts
    whose label shares most words with the code's local name (useful when a name was given instead of a number).

    >>> codes = {"10": "Make statement", "1041": "Demand policy change", "104": "Demand political reform",
    ...          "1042": "Demand change in institutions", "13": "Threaten"}
    >>> nearest_cameo("1049", codes)[0]
    ['1042', '1041', '104']
    >>> nearest_cameo("threaten", codes)[1]
    ['13']
    """
    by_number: list[str] = []
    if code.isdigit():
        def distance(other: str) -> tuple[int, int, str]:
            shared = next((i for i, (a, b) in enumerate(zip(code, other, strict=False)) if a != b),
                          min(len(code), len(other)))
            return (-shared, abs(int(other.ljust(4, "0")) - int(code.ljust(4, "0"))), other)
        by_number = sorted(concepts, key=distance)[:n]
    words = set(re.findall(r"[a-z]+", code.lower()))
    scored = []
    for notation, label in concepts.items():
        theirs = set(re.findall(r"[a-z]+", label.lower()))
        stems = sum(1 for w in words for t in theirs if w[:5] == t[:5] and len(w) > 2)
        if stems:
            scored.append((-stems, len(label), notation))
    by_label = [notation for *_, notation in sorted(scored)[:n]]
    return by_number, by_label


_GLUED_DOT = re.compile(r"(?<![\w<\"'])[A-Za-z][\w-]*:[\w.\-]*[\w\-]\.(?=\s|$)")


def syntax_hint(path: Path | str, line: int | None) -> str | None:
    """The usual cause of a Turtle syntax error at ``line``, when it is a known trap; else None.

    A prefixed name cannot end in ``.``: in ``ex:acme-inc. ;`` Turtle reads the name ``ex:acme-inc`` and ends
    the statement, so the error shows up at the next token, on this line or the next.
    """
    if line is None:
        return None
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    for number in (line, line - 1):
        if 1 <= number <= len(lines):
            code = lines[number - 1].split(" #", 1)[0]
            glued = _GLUED_DOT.search(re.sub(r'"(?:[^"\\]|\\.)*"', '""', code))
            if glued:
                name = glued[0]
                return (f"line {number} has {name!r}, a prefixed name ending in '.': Turtle ends the statement at "
                        f"that '.', so what follows is read as a new statement. If the '.' belongs to the name, "
                        f"write it escaped ({name[:-1]}\\.); otherwise put a space before it, or use ';' to go on "
                        "with the same subject")
    return None


_DECLARED = """SELECT DISTINCT ?t WHERE { ?t a ?k . VALUES ?k { owl:Class owl:ObjectProperty owl:DatatypeProperty
  owl:AnnotationProperty owl:NamedIndividual } FILTER(isIRI(?t)) }"""
_CAMEO_CONCEPTS = """SELECT ?c ?n ?l WHERE { ?c skos:inScheme cameo:scheme ; skos:notation ?n .
  OPTIONAL { ?c skos:prefLabel ?l } }"""


def teach(store: ox.Store, violations: list[Violation], checks_dir: Path) -> list[Violation]:
    """The violations with what to do added: a check's ``# solution:``, the term likely meant, the nearest codes.

    ``store`` is the build's store (the ontology, the CAMEO scheme and the data loaded).
    """
    from dataclasses import replace

    import pyoxigraph as ox

    from kg.rows import rows
    from kg.vocab import CAMEO, PREFIXES, show

    def select(query: str) -> Iterable[dict[str, Any]]:
        return rows(store.query(query, use_default_graph_as_union=True, prefixes=PREFIXES))

    declared: list[str] | None = None
    concepts: dict[str, str] | None = None
    solutions: dict[str, str | None] = {}
    taught: list[Violation] = []
    for v in violations:
        extra: list[str] = []
        if (checks_dir / f"{v.check}.rq").exists():
            if v.check not in solutions:
                solutions[v.check] = check_solution(checks_dir / f"{v.check}.rq")
            if solutions[v.check]:
                extra.append(f"solution: {solutions[v.check]}")
        for shown in {v.focus, v.value} - {None}:
            iri = _expand(str(shown), PREFIXES)
            if iri is None:
                continue
            if iri.startswith(CAMEO) and v.check.split()[0] in ("undeclared_term", "shape:ActCameoCode"):
                if concepts is None:
                    concepts = {r["n"].value: (r["l"].value if r["l"] else "")
                                for r in select(_CAMEO_CONCEPTS)}
                code = iri[len(CAMEO):]
                if code not in concepts:
                    near, named = nearest_cameo(code, concepts)
                    said = [f"nearest by number: {', '.join(f'cameo:{c} ({concepts[c]})' for c in near)}"] if near \
                        else []
                    if named:
                        said.append(f"nearest by label: {', '.join(f'cameo:{c} ({concepts[c]})' for c in named)}")
                    extra.append(f"cameo:{code} is not a code of cameo:scheme; " + "; ".join(said or [
                        "see ontology/cameo.ttl for the codes"]))
            elif v.check == "undeclared_term":
                if declared is None:
                    declared = [r["t"].value for r in select(_DECLARED)]
                meant = likely_term(iri, declared)
                if meant:
                    extra.append(f"did you mean {show(ox.NamedNode(meant))}?")
        message = v.message.rstrip(".") + "".join(f". {e.rstrip('.')}" for e in extra)
        taught.append(replace(v, message=message) if extra else v)
    return taught


def _expand(shown: str, prefixes: dict[str, str]) -> str | None:
    """An IRI back from how a message shows it (``so:Ban`` or ``<http://…>``); None for literals and blank nodes."""
    if shown.startswith("<") and shown.endswith(">"):
        return shown[1:-1]
    prefix, sep, local = shown.partition(":")
    return prefixes[prefix] + local if sep and prefix in prefixes else None
