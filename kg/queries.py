"""Canned queries: one ``.rq`` file per question in ``queries/``, with a grlc-style ``#+`` YAML header.

Parameters follow grlc's names: ``?_name_type`` is required, ``?__name_type`` optional, where type is
``iri``, ``literal``, ``integer``, ``decimal``, ``boolean`` or a language tag. Values are bound as RDF
terms with pyoxigraph's ``substitutions`` (so a query projects its parameters), never pasted into the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.binding import bind_text, with_prefixes
from kg.config import QUERIES_DIR
from kg.errors import QueryError
from kg.rows import Result
from kg.sparql import run_query
from kg.target import StoreLike
from kg.vocab import PREFIXES

PARAM = re.compile(r"\?(__?)([A-Za-z][A-Za-z0-9]*)(?:_(iri|literal|integer|decimal|boolean|[a-z]{2}))?\b")
_XSD = PREFIXES["xsd"]
_LEXICAL = {
    "integer": re.compile(r"[+-]?[0-9]+"),
    "decimal": re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"),
    "boolean": re.compile(r"true|false"),
}


class Header:
    """A query file's ``#+`` YAML header (summary, tags, parameter descriptions), parsed on first use.

    Running a query needs only its text and its parameters (read from the text), and importing PyYAML takes longer
    than most canned queries take to run; so the header is parsed when something reads it (``kg query --list``,
    ``--all``, the page of ``kg serve``), and a malformed header is reported then.
    """

    def __init__(self, text: str, path: Path) -> None:
        self._text, self._path = text, path
        self._parsed: dict | None = None

    def get(self, key: str, default: Any = None) -> Any:
        """The header's value for ``key`` (``default`` when absent)."""
        if self._parsed is None:
            self._parsed = _header(self._text, self._path)
        return self._parsed.get(key, default)


@dataclass(frozen=True)
class Param:
    """A parameter of a canned query: its name, its RDF type, and what it means."""

    name: str
    variable: str
    type: str
    required: bool
    header: Header | None = field(default=None, repr=False, compare=False)

    @property
    def description(self) -> str:
        """What the parameter means, from the query's ``#+ params:`` header ("" when it is not described)."""
        described = (self.header.get("params") if self.header else None) or {}
        return str(described.get(self.name, ""))


@dataclass(frozen=True)
class CannedQuery:
    """One ``.rq`` file: its text, its parameters and its header (summary, tags, what each parameter means)."""

    name: str
    path: Path
    text: str
    params: list[Param] = field(default_factory=list)
    header: Header | None = field(default=None, repr=False, compare=False)

    @property
    def summary(self) -> str:
        """The header's one-line summary."""
        return str(self.header.get("summary", "")).strip() if self.header else ""

    @property
    def tags(self) -> list[str]:
        """The header's tags."""
        return list((self.header.get("tags") if self.header else None) or [])

    @property
    def ordered(self) -> bool:
        """True when the query orders its rows (results are then compared in order)."""
        return bool(re.search(r"\bORDER\s+BY\b", self.text, re.I))


def _header(text: str, path: Path) -> dict:
    import yaml

    lines = []
    for line in text.splitlines():
        if not line.startswith("#+"):
            break
        lines.append(line[2:].removeprefix(" "))
    try:
        header = yaml.safe_load("\n".join(lines)) or {}
    except yaml.YAMLError as err:
        raise QueryError(f"{path}: the #+ header is not valid YAML: {err}") from None
    if not isinstance(header, dict):
        raise QueryError(f"{path}: the #+ header must be a YAML mapping (summary:, tags:, params:)")
    return header


def read_query(path: Path) -> CannedQuery:
    """Read one canned query file (its header is parsed when first asked for).

    >>> q = read_query(QUERIES_DIR / "evidence.rq")
    >>> [(p.name, p.type, p.required) for p in q.params]
    [('subject', 'iri', True), ('story', 'iri', False)]
    >>> q.params[0].description.startswith("IRI (required)"), q.tags
    (True, ['evidence', 'mentions'])
    """
    text = path.read_text(encoding="utf-8")
    header = Header(text, path)
    params: dict[str, Param] = {}
    for optional, name, kind in PARAM.findall(_body(text)):
        if name not in params:
            params[name] = Param(name, f"{optional}{name}" + (f"_{kind}" if kind else ""), kind or "literal",
                                 optional == "_", header)
    # Required parameters first (what must be given), then in the order the query uses them.
    ordered = sorted(params.values(), key=lambda p: not p.required)
    return CannedQuery(path.stem, path, text, ordered, header)


def _body(text: str) -> str:
    """The query without comment lines, so a parameter named in a comment is not taken for one."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))


def list_queries(folder: Path = QUERIES_DIR) -> list[CannedQuery]:
    """Every canned query in ``folder``, by name."""
    return [read_query(p) for p in sorted(Path(folder).glob("*.rq"))]


def find_query(name: str, folder: Path = QUERIES_DIR) -> CannedQuery:
    """The canned query called ``name``; an unknown name lists the known ones."""
    path = Path(folder) / f"{name}.rq"
    if Path(name).name != name or not path.exists():  # a name, never a path out of the folder
        known = ", ".join(q.name for q in list_queries(folder)) or "none"
        raise QueryError(f"no canned query named {name!r} in {folder}; known: {known}")
    return read_query(path)


# Schemes of absolute IRIs written without "//" that a parameter may give bare (other IRIs go in angle brackets).
_BARE_SCHEMES = frozenset({"urn", "mailto", "tag", "did", "doi", "isbn"})
_PN_PREFIX = re.compile(r"[A-Za-z](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_\-])?|")


def prefix_of(value: str) -> str | None:
    """The prefix of a parameter value written as a prefixed name, or None for an IRI or a plain word.

    >>> prefix_of("so:Demand"), prefix_of("<http://e/a>"), prefix_of("http://e/a"), prefix_of("urn:isbn:1")
    ('so', None, None, None)
    """
    if value.startswith("<") and value.endswith(">"):
        return None
    prefix, colon, local = value.partition(":")
    if not colon or local.startswith("//") or prefix.lower() in _BARE_SCHEMES or not _PN_PREFIX.fullmatch(prefix):
        return None
    return prefix


def to_term(value: str, kind: str, prefixes: dict[str, str] | None = None) -> ox.NamedNode | ox.Literal:
    """A parameter value as an RDF term of the parameter's type; a prefixed name expands with ``prefixes``
    (default: ours; :func:`kg.stories.known_prefixes` adds the stories'), and an unknown prefix is an error.

    >>> to_term("so:Demand", "iri")
    <NamedNode value=https://w3id.org/standoff/ontology#Demand>
    >>> to_term('x" } ; DROP ALL ; #', "literal").value
    'x" } ; DROP ALL ; #'
    >>> to_term("zz:a", "iri", {"so": "https://w3id.org/standoff/ontology#"})
    Traceback (most recent call last):
    ...
    kg.errors.QueryError: 'zz:a': unknown prefix 'zz' (known: so); write a full IRI in angle brackets, <...>
    """
    known = PREFIXES if prefixes is None else prefixes
    try:
        if kind == "iri":
            if value.startswith("<") and value.endswith(">"):
                return ox.NamedNode(value[1:-1])
            prefix = prefix_of(value)
            if prefix is not None:
                if prefix not in known:
                    raise QueryError(f"{value!r}: unknown prefix {prefix!r} (known: {', '.join(sorted(known))}); "
                                     "write a full IRI in angle brackets, <...>")
                return ox.NamedNode(known[prefix] + value.partition(":")[2])
            return ox.NamedNode(value)
        if kind in _LEXICAL:
            if not _LEXICAL[kind].fullmatch(value):
                raise ValueError(value)
            return ox.Literal(value, datatype=ox.NamedNode(_XSD + kind))
        if kind == "literal":
            return ox.Literal(value)
        return ox.Literal(value, language=kind)
    except ValueError:
        raise QueryError(f"{value!r} is not a valid {kind}") from None


def check_names(query: CannedQuery, values: dict[str, str]) -> None:
    """Refuse unknown parameters and missing required ones, listing what the query takes."""
    expected = {p.name for p in query.params}
    listing = ", ".join(f"{p.name} ({p.type}{'' if p.required else ', optional'})" for p in query.params) or "none"
    unknown = sorted(set(values) - expected)
    missing = sorted(p.name for p in query.params if p.required and p.name not in values)
    if unknown or missing:
        what = "; ".join(([f"unknown parameter(s) {', '.join(unknown)}"] if unknown else [])
                         + ([f"missing parameter(s) {', '.join(missing)}"] if missing else []))
        raise QueryError(f"query {query.name!r}: {what}; it takes: {listing}")


def bind(query: CannedQuery, values: dict[str, str],
         prefixes: dict[str, str] | None = None) -> dict[ox.Variable, ox.NamedNode | ox.Literal]:
    """Check the given parameters against the query's and turn them into bound terms (prefixed names expand
    with ``prefixes``, default ours)."""
    check_names(query, values)
    expected = {p.name: p for p in query.params}
    return {ox.Variable(expected[k].variable): to_term(v, expected[k].type, prefixes) for k, v in values.items()}


def bound_text(query: CannedQuery, values: dict[str, str], prefixes: dict[str, str]) -> str:
    """The query as text for a server that takes only text (the page's endpoint): the parameters bound as a
    ``VALUES`` block of RDF terms (:func:`kg.binding.bind_text`) and the PREFIX lines it lacks."""
    terms = bind(query, values, prefixes)
    return with_prefixes(bind_text(query.text, {v.value: t for v, t in terms.items()}), prefixes)


def needs_story_prefixes(query: CannedQuery, values: dict[str, str]) -> bool:
    """True when an IRI parameter is a prefixed name with a prefix that is not one of ours (a story's, then)."""
    kinds = {p.name: p.type for p in query.params}
    return any(kinds.get(k) == "iri" and (prefix_of(v) or "so") not in PREFIXES for k, v in values.items())


def run_canned(store: StoreLike, name: str, params: dict[str, str] | None = None,
               folder: Path = QUERIES_DIR, prefixes: dict[str, str] | None = None) -> Result:
    """Run the canned query ``name`` with its parameters bound as RDF terms.

    A parameter may name a node of a story with the story's prefix (``ex:ban``): unless ``prefixes`` gives them
    (ours and the stories', :func:`kg.stories.known_prefixes`), the stories' prefixes are then read from the store,
    with one small query, before binding.
    """
    query = find_query(name, folder)
    values = params or {}
    check_names(query, values)
    if prefixes is None and needs_story_prefixes(query, values):
        from kg.stories import known_prefixes  # only then: it brings the project's input readers

        prefixes = known_prefixes(store)
    return run_query(store, query.text, substitutions=bind(query, values, prefixes), source=str(query.path))
