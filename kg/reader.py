"""What a reader of one story needs, read from the graph: its texts, every evidence span, and the claims behind them.

Used by ``kg serve``'s reader page (``/reader/...``) and by ``kg report``. Everything is asked of the graph with
SPARQL through a ``rows`` function (a pyoxigraph store or the running endpoint), so the two give the same answer.
Spans are placed by the ``oa:TextPositionSelector`` offsets the build wrote (code points into the text), and the
text itself is the file under ``triples/`` whose SHA-256 the document records; a span whose quote does not sit at
its offsets is left out and named in ``problems``. No story is named here: stories are found as ``so:Story`` nodes.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, cast

from kg.config import INPUT_DIRS
from kg.errors import KgError
from kg.rows import rows
from kg.vocab import CAMEO, GRAPH, INFERRED_GRAPH, SO

Rows = Callable[[str], list[dict[str, str]]]
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

_PREFIXES = f"""PREFIX so: <{SO}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX vann: <http://purl.org/vocab/vann/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX schema: <http://schema.org/>
PREFIX time: <http://www.w3.org/2006/time#>
"""

# The properties the panel and the diagram show, in the panel's order: (local name in so:, heading).
ROLES = [("hasAgent", "Agent"), ("directedAt", "Addressed to"), ("imposedBy", "Imposed by"),
         ("affects", "Would fall on"), ("demands", "Asks"), ("refuses", "Refuses"), ("threatens", "Threatens"),
         ("orders", "Orders"), ("concerns", "Concerns")]
FACTUALITY = [("certainty", "Certainty"), ("polarity", "Polarity"), ("timeReference", "Time"),
              ("status", "Status")]
RELATIONS = [("respondsTo", "Responds to"), ("justifies", "Justifies"), ("escalates", "Escalates"),
             ("threatens", "Threatens"), ("demands", "Asks"), ("refuses", "Refuses"), ("orders", "Orders"),
             ("after", "After")]
_KEPT = {name for name, _ in ROLES + FACTUALITY + RELATIONS} | {"attributedTo", "cameoCode", "mentionOf",
                                                                   "narrativeOrder"}
HEDGED = {SO + "probable", SO + "possible", SO + "certaintyUnderspecified"}
UNREALISED = {SO + "future"}
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]


def store_rows(store: Any) -> Rows:
    """``rows`` over a pyoxigraph store, every graph seen as one (as ``kg serve``'s endpoint does)."""

    def values(query: str) -> list[dict[str, str]]:
        return [{name: term.value for name, term in row.items() if term is not None}
                for row in rows(store.query(_PREFIXES + query, use_default_graph_as_union=True))]

    return values


def endpoint_rows(url: str, timeout: float = 60) -> Rows:
    """``rows`` over a SPARQL endpoint's query URL (SPARQL 1.1 Protocol, JSON results)."""

    def rows(query: str) -> list[dict[str, str]]:
        body = urllib.parse.urlencode({"query": _PREFIXES + query}).encode()
        request = urllib.request.Request(url, data=body, headers={
            "Accept": "application/sparql-results+json", "Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            data = json.load(answer)
        return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]

    return rows


def stories(rows: Rows) -> list[dict[str, str]]:
    """Every ``so:Story``: its IRI, title and prefix (``vann:preferredNamespacePrefix``), by title."""
    found = rows("""SELECT ?story (SAMPLE(?t) AS ?title) (SAMPLE(?p) AS ?prefix) (SAMPLE(?u) AS ?base)
        (SAMPLE(?g) AS ?graph) WHERE {
      GRAPH ?g { ?story a so:Story }
      OPTIONAL { ?story dcterms:title|rdfs:label ?t }
      OPTIONAL { ?story vann:preferredNamespacePrefix ?p }
      OPTIONAL { ?story vann:preferredNamespaceUri ?u }
    } GROUP BY ?story""")
    out = [{"iri": r["story"], "title": r.get("title", r["story"]), "prefix": r.get("prefix", ""),
            "base": r.get("base", ""), "slug": _slug(r)} for r in found]
    return sorted(out, key=lambda s: (s["title"], s["iri"]))


def _slug(row: dict[str, str]) -> str:
    """The story's folder name: the folder of the file that says it is a story (its graph is named by the file's
    path), else the last path segment of its namespace (``…/id/<slug>/``)."""
    graph = row.get("graph", "")
    if graph.startswith(GRAPH) and graph.count("/", len(GRAPH)) >= 1:
        return graph[len(GRAPH):].rsplit("/", 2)[-2]
    base = row.get("base") or row["story"].rsplit("/", 1)[0] + "/"
    return base.rstrip("/#").rsplit("/", 1)[-1]


def find_story(rows: Rows, name: str, every: list[dict[str, str]] | None = None) -> dict[str, str]:
    """The story named by its IRI, a prefixed name (``pfx:story``), its prefix, or its folder slug; the first
    story (by title) when ``name`` is empty. ``every`` is :func:`stories`' answer when the caller has it."""
    every = stories(rows) if every is None else every
    if not name and every:
        return every[0]
    for story in every:
        local = story["iri"][len(story["base"]):] if story["base"] and story["iri"].startswith(story["base"]) else ""
        names = {story["iri"], story["slug"], story["prefix"], f"{story['prefix']}:{local}" if local else ""}
        if name in names - {""}:
            return story
    known = ", ".join(s["slug"] for s in every) or "none (run `kg build`)"
    raise KgError(f"no story {name!r}: give its IRI, prefixed name or folder name; the stories are: {known}")


def source_texts(project: Path) -> dict[str, Path]:
    """sha256 -> the ``.txt`` file with that content, under the project's input folders."""
    from kg.evidence import sha256_file

    return {sha256_file(p): p for folder in INPUT_DIRS for p in sorted((project / folder).rglob("*.txt"))}


def _short(iri: str, story: dict[str, str]) -> str:
    for base, prefix in ((story["base"], story["prefix"]), (SO, "so"), (CAMEO, "cameo")):
        if base and prefix and iri.startswith(base):
            return f"{prefix}:{iri[len(base):]}"
    return iri


def story_data(rows: Rows, story_name: str, texts: dict[str, Path], project: str = "the project") -> dict[str, Any]:
    """Everything the reader shows for one story, as plain JSON-able data (stable order)."""
    story = find_story(rows, story_name)
    iri = story["iri"]
    # Rounds of queries, those of a round asked side by side: what names the nodes, what is said of them, then the
    # names of what is said: three round trips to the endpoint where there were seven.
    first = {
        "docs": f"""SELECT ?doc (SAMPLE(?l) AS ?label) (SAMPLE(?h) AS ?headline) (SAMPLE(?s) AS ?sha) WHERE {{
          <{iri}> so:hasDocument ?doc . OPTIONAL {{ ?doc rdfs:label ?l }} OPTIONAL {{ ?doc schema:headline ?h }}
          OPTIONAL {{ ?doc so:sha256 ?s }} }} GROUP BY ?doc""",
        "spans": f"""SELECT ?node ?span ?doc ?start ?end ?exact WHERE {{
          <{iri}> so:hasDocument ?doc .
          ?node so:hasEvidence ?span . ?span oa:hasSource ?doc ; oa:hasSelector ?sel , ?q .
          ?sel oa:start ?start ; oa:end ?end . ?q oa:exact ?exact }}""",
        # the events the spans' mentions report, which may have no span of their own
        "events": f"""SELECT DISTINCT ?node WHERE {{ <{iri}> so:hasDocument ?doc .
          ?m so:hasEvidence/oa:hasSource ?doc ; so:mentionOf ?node }}""",
        "orders": "SELECT ?p WHERE { ?p rdfs:subPropertyOf* so:after }"}
    docs, spans, events, orders_found = _ask_together(rows, first).values()
    node_iris = sorted({r["node"] for r in spans} | {r["node"] for r in events})
    values = " ".join(f"<{n}>" for n in node_iris)
    kept = ", ".join([f"so:{name}" for name in sorted(_KEPT)] + ["rdfs:label", f"<{RDF_TYPE}>"])
    orders = ", ".join(sorted({f"<{r['p']}>" for r in orders_found} | {"so:after"}))
    second = {
        "props": f"""SELECT ?node ?p ?o WHERE {{ VALUES ?node {{ {values} }}
          GRAPH ?g {{ ?node ?p ?o }} FILTER(?g != <{INFERRED_GRAPH}> && ?p IN ({kept})) }}""",
        "times": f"""SELECT ?node ?day ?month ?year WHERE {{ VALUES ?node {{ {values} }}
          ?node time:hasTime/time:inDateTime ?d .
          OPTIONAL {{ ?d time:day ?day }} OPTIONAL {{ ?d time:month ?month }} OPTIONAL {{ ?d time:year ?year }} }}""",
        # so:after as stated, and its sub-properties (so:respondsTo…): not the reasoner's transitive closure,
        # which is as long as the story squared and gives the same longest chains
        "after": f"""SELECT DISTINCT ?node ?before WHERE {{ VALUES ?node {{ {values} }}
          GRAPH ?g {{ ?node ?p ?before }} FILTER(?g != <{INFERRED_GRAPH}> && ?p IN ({orders})) }}"""}
    props, times, after = _ask_together(rows, second).values()
    # The objects' names (English or untagged) in a round of their own: asked inside the props query, as an
    # OPTIONAL, they made it slower than the two queries together (measured on a 1,000-claim story).
    objects = " ".join(sorted({f"<{r['o']}>" for r in props if r["p"] != RDFS + "label" and "://" in r["o"]}))
    names: dict[str, str] = {}
    for r in rows(f"""SELECT ?o ?olabel WHERE {{ VALUES ?o {{ {objects} }} ?o skos:prefLabel|rdfs:label ?olabel
        FILTER(lang(?olabel) = "" || langMatches(lang(?olabel), "en")) }}"""):
        names[r["o"]] = min(names.get(r["o"], r["olabel"]), r["olabel"])
    for r in props:
        if r["o"] in names:
            r["olabel"] = names[r["o"]]

    ids = {n: f"n{i}" for i, n in enumerate(node_iris)}
    nodes: dict[str, dict[str, Any]] = {
        ids[n]: {"id": ids[n], "iri": n, "name": _short(n, story), "label": "", "kind": "", "kindLabel": "",
                 "types": [], "props": {}, "spans": [], "mentions": [], "event": None, "date": None}
        for n in node_iris}
    labels: dict[str, str] = {}
    for r in sorted(props, key=lambda r: (r["node"], r["p"], r["o"], r.get("olabel", ""))):
        node, p, o = nodes[ids[r["node"]]], r["p"], r["o"]
        if p == RDFS + "label":
            node["label"] = node["label"] or o
        elif p == RDF_TYPE and o.startswith(SO):
            if o not in node["types"]:
                node["types"].append(o)
                if r.get("olabel"):
                    labels[o] = r["olabel"]
        elif p.startswith(SO) and p[len(SO):] in _KEPT:
            key = p[len(SO):]
            entry = {"iri": o, "name": _short(o, story), "label": r.get("olabel") or "", "id": ids.get(o)}
            have = node["props"].setdefault(key, [])
            if not any(e["iri"] == o for e in have):
                have.append(entry)
            elif entry["label"] and not have[-1]["label"]:
                have[-1]["label"] = entry["label"]
    for node in nodes.values():
        kinds = [t for t in node["types"] if t != SO + "Mention"] or node["types"]
        kind = sorted(kinds)[0] if kinds else ""
        node["kind"] = kind[len(SO):] if kind.startswith(SO) else kind
        node["kindLabel"] = labels.get(kind) or _words(node["kind"])
        node["isMention"] = SO + "Mention" in node["types"]
        if node["isMention"] and node["props"].get("mentionOf"):
            event = node["props"]["mentionOf"][0]["id"]
            node["event"] = event
            if event in nodes:
                nodes[event]["mentions"].append(node["id"])
        order = node["props"].get("narrativeOrder")
        node["order"] = int(order[0]["iri"]) if order and order[0]["iri"].isdigit() else None
        node["hedged"] = any(c["iri"] in HEDGED for c in node["props"].get("certainty", []))
        node["unrealised"] = any(c["iri"] in UNREALISED for c in node["props"].get("timeReference", []))
        del node["types"]
    for r in times:
        nodes[ids[r["node"]]]["date"] = {"day": r.get("day"), "month": r.get("month"), "year": r.get("year"),
                                          "text": partial_date(r.get("day"), r.get("month"), r.get("year"))}

    documents, problems = [], []
    doc_ids = {}
    for i, d in enumerate(sorted(docs, key=lambda d: d["doc"])):
        doc_ids[d["doc"]] = f"d{i}"
        path = texts.get(d.get("sha", ""))
        text = path.read_text(encoding="utf-8") if path else ""
        if not path:
            problems.append(f"no text with the SHA-256 of {d['doc']} under {', '.join(INPUT_DIRS)}/ of {project}")
        documents.append({"id": f"d{i}", "iri": d["doc"], "name": _short(d["doc"], story),
                          "label": d.get("label", d["doc"]), "headline": d.get("headline", ""), "text": text})
    # Reading order: by the first narrativeOrder of the spans in each document, then by IRI.
    opening = {doc: min((nodes[ids[r["node"]]]["order"] or 10**9 for r in spans if r["doc"] == doc), default=10**9)
               for doc in doc_ids}
    documents.sort(key=lambda d: (opening[d["iri"]], d["iri"]))
    by_doc = {d["id"]: d for d in documents}
    out_spans: list[dict[str, Any]] = []
    for r in sorted(spans, key=lambda r: (doc_ids[r["doc"]], int(r["start"]), -int(r["end"]), r["node"], r["span"])):
        doc = by_doc[doc_ids[r["doc"]]]
        start, end = int(r["start"]), int(r["end"])
        if not doc["text"]:
            continue  # the document's missing text is already named in problems
        if doc["text"][start:end] != r["exact"]:
            problems.append(f"{r['span']}: its quote is not at {start}-{end} of {doc['name']}")
            continue
        sid = f"s{len(out_spans)}"
        out_spans.append({"id": sid, "node": ids[r["node"]], "doc": doc["id"], "start": start, "end": end,
                          "iri": r["span"], "exact": r["exact"]})
        nodes[ids[r["node"]]]["spans"].append(sid)
    for node in nodes.values():
        event = nodes.get(node["event"] or "")
        if event:  # a mention reports its event: it is of the event's kind
            node["kind"], node["kindLabel"] = event["kind"], event["kindLabel"]
        node["source"] = _source(node, nodes, set(doc_ids))
        node["mentions"].sort()
    return {"story": story, "documents": documents, "spans": out_spans,
            "nodes": [nodes[ids[n]] for n in node_iris], "timeline": timeline(nodes, after, ids),
            "problems": problems}


def _ask_together(rows: Rows, asked: dict[str, str]) -> dict[str, list[dict[str, str]]]:
    """The answers to independent queries, by name, asked side by side (the endpoint answers them in parallel)."""
    with ThreadPoolExecutor(len(asked)) as pool:
        return dict(zip(asked, pool.map(rows, asked.values()), strict=True))


def _source(node: dict[str, Any], nodes: dict[str, dict[str, Any]], docs: set[str]) -> dict[str, str]:
    """Who the claim is attributed to: a person or body, or the text's own voice (attributed to a document)."""
    said = node["props"].get("attributedTo") or []
    if not said and node["event"] and node["event"] in nodes:
        said = nodes[node["event"]]["props"].get("attributedTo") or []
    if not said:
        return {"key": "", "label": "not attributed"}
    who = said[0]
    if who["iri"] in docs:
        return {"key": "voice", "label": "the text's own voice"}
    return {"key": who["iri"], "label": who["label"] or who["name"]}


def partial_date(day: str | None, month: str | None, year: str | None) -> str:
    """A date as the text gives it: only the parts the graph records (``---13``/``--04`` -> "13 April").

    >>> partial_date("---13", "--04", None), partial_date(None, "--04", "2018"), partial_date(None, None, "2026")
    ('13 April', 'April 2018', '2026')
    """
    parts = []
    if day:
        parts.append(str(int(day.lstrip("-")[:2])))
    if month:
        parts.append(_MONTHS[int(month.lstrip("-")[:2]) - 1])
    if year:
        parts.append(year[:4] if year[:4].isdigit() else year)
    return " ".join(parts)


def timeline(nodes: dict[str, dict[str, Any]], after: Iterable[dict[str, str]], ids: dict[str, str]) -> list[dict]:
    """The events in the order ``so:after`` gives, as phases: phase k holds the events whose longest chain of
    ``so:after`` below them has k links. Events no order relation touches come last, in one group, by the
    order the texts tell them. Mentions are not events of their own and are left out, as are actors."""
    after = list(after)
    ordered = {ids[r[k]] for r in after for k in ("node", "before") if r[k] in ids}
    # the eventualities: what the texts number in their telling (so:narrativeOrder) or place in order
    events = {k for k, n in nodes.items() if not n["isMention"] and (n["order"] is not None or k in ordered)}
    below: dict[str, set[str]] = {e: set() for e in events}
    touched = set()
    for r in after:
        a, b = ids.get(r["node"]), ids.get(r["before"])
        if a in events and b in events and a != b:
            below[a].add(b)
            touched |= {a, b}
    depth: dict[str, int] = {}

    def level(e: str, seen: frozenset[str] = frozenset()) -> int:
        if e not in depth:
            depth[e] = 1 + max((level(b, seen | {e}) for b in below[e] if b not in seen), default=-1)
        return depth[e]

    def key(e: str) -> tuple:
        return (nodes[e]["order"] if nodes[e]["order"] is not None else 10**9, nodes[e]["iri"])

    phases: dict[int, list[str]] = {}
    for e in sorted(touched, key=key):
        phases.setdefault(level(e), []).append(e)
    out = [{"phase": k + 1, "label": f"Phase {k + 1}", "events": phases[k]} for k in sorted(phases)]
    rest = sorted(events - touched, key=key)
    if rest:
        out.append({"phase": None, "label": "Not placed in order by the text", "events": rest})
    return out


def _words(name: str) -> str:
    """``JudicialOrder`` -> ``judicial order``."""
    return "".join(" " + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(name))


class BuildCache:
    """What the reader routes computed for the build ``kg serve`` serves read-only: a story's data, its JSON, its
    diagram and the texts' digests are the same until the served build changes, so each is computed once per
    build. ``kg serve`` calls :meth:`serve` with the build it serves (again each time it follows a rebuild), which
    forgets the older build's answers; with no build (a ``--writable`` server, whose store changes under it)
    nothing is kept."""

    def __init__(self) -> None:
        self.build: str | None = None
        self._answers: dict[tuple, Any] = {}
        self._busy: dict[tuple, threading.Lock] = {}  # one computation per key at a time: the others wait for it
        self._lock = threading.Lock()

    def serve(self, build: str | None) -> None:
        """Answer for ``build`` from now on (None: keep nothing)."""
        with self._lock:
            if build != self.build:
                self.build, self._answers, self._busy = build, {}, {}

    def get(self, key: tuple, make: Callable[[], Any]) -> Any:
        """The answer for ``key`` in the served build: computed by ``make`` the first time (an error is not kept)."""
        with self._lock:
            build = self.build
            busy = self._busy.setdefault(key, threading.Lock()) if build is not None else None
        if busy is None:
            return make()
        with busy:
            with self._lock:
                if self.build == build and key in self._answers:
                    return self._answers[key]
            answer = make()
            with self._lock:
                if self.build == build:
                    self._answers[key] = answer
            return answer


def warm(endpoint: str, project: Path, cache: BuildCache, most: int = 8) -> None:
    """Compute the reader's answers for the first ``most`` stories of the served build before anyone asks, so that a
    first page is as quick as the next (called in a background thread; a failure here is met again, and reported,
    when the page asks)."""
    build = cache.build
    try:
        listed = route("/reader/stories.json", "", endpoint, project, cache)
        for story in json.loads(listed[1] if listed else b"[]")[:most]:
            for path in ("/reader/story.json", "/reader/diagram.svg"):
                if cache.build != build:  # the server moved to a newer build: warm that one instead
                    return
                route(path, urllib.parse.urlencode({"story": story["iri"]}), endpoint, project, cache)
    except (KgError, OSError, ValueError, KeyError, TypeError):
        return


def route(path: str, query: str, endpoint: str, project: Path,
          cache: BuildCache | None = None) -> tuple[int, bytes, str] | None:
    """``kg serve``'s reader routes: ``/reader`` (the page), ``/reader/stories.json``, ``/reader/story.json?story=``
    and ``/reader/diagram.svg?story=``; None for any other path. Asks the running endpoint, not the store; answers
    are kept in ``cache`` for the build it serves."""
    if path in ("/reader", "/reader/"):
        return 200, (Path(__file__).parent / "static" / "reader.html").read_bytes(), "text/html; charset=utf-8"
    if not path.startswith("/reader/"):
        return None
    cache = cache or BuildCache()
    rows = endpoint_rows(endpoint)
    named = urllib.parse.parse_qs(query).get("story", [""])[0]

    def listed() -> list[dict[str, str]]:
        return cast(list[dict[str, str]], cache.get(("list",), lambda: stories(rows)))

    # The answers are kept by the story's IRI, however the page names it (slug, prefix, IRI, nothing: the first).
    asked = ""

    def data() -> dict[str, Any]:
        texts = cache.get(("texts",), lambda: source_texts(project))
        return cache.get(("data", asked), lambda: story_data(rows, asked, texts, str(project)))

    try:
        if path == "/reader/stories.json":
            return 200, cache.get(("stories",), lambda: json.dumps(listed()).encode()), "application/json"
        asked = find_story(rows, named, listed())["iri"]
        if path == "/reader/story.json":
            return 200, cache.get(("json", asked), lambda: json.dumps(data()).encode()), "application/json"
        if path == "/reader/diagram.svg":
            from kg.diagram import diagram_svg

            svg = cache.get(("svg", asked), lambda: diagram_svg(data()).encode())
            return 200, svg, "image/svg+xml"
    except KgError as err:
        return 404, str(err).encode(), "text/plain; charset=utf-8"
    except OSError as err:
        return 502, f"the SPARQL endpoint did not answer: {err}".encode(), "text/plain; charset=utf-8"
    return 404, b"not found", "text/plain; charset=utf-8"
