"""The SPARQL endpoint client: any SPARQL 1.1 server through the Protocol and the Graph Store Protocol.

:class:`RemoteStore` has the part of ``pyoxigraph.Store``'s API the library uses (``query``, ``update``,
``named_graphs``, ``quads_for_pattern``, ``contains_named_graph``), so ``kg.sparql``, ``kg.queries``,
``kg.results`` and the matcher of ``kg link discover`` work on it unchanged: results come back as real pyoxigraph
objects. What differs from the embedded store:

- parameters are bound as a ``VALUES`` block (:mod:`kg.binding`), since a server takes only text;
- the union of our graphs is asked for explicitly (``default-graph-uri`` and ``named-graph-uri`` for each
  graph the build wrote, read from its VoID graph), so a server's own graphs never leak into answers;
- graphs are replaced whole with Graph Store Protocol ``PUT`` and dropped with ``DELETE`` (:mod:`kg.remote`
  loads a build that way).

Endpoint URLs: ``--endpoint`` is the query URL. The update and Graph Store URLs follow the server's
conventions (``…/query`` → ``…/update`` and ``…/store`` as in Oxigraph; ``…/sparql`` → ``…/sparql-auth``
and ``…/sparql-graph-crud-auth`` as in Virtuoso), or come from ``KG_ENDPOINT_UPDATE`` / ``KG_ENDPOINT_STORE``.
Credentials come from ``KG_ENDPOINT_USER`` / ``KG_ENDPOINT_PASSWORD`` or a netrc file (``$NETRC``, else
``~/.netrc``), never from the command line; they answer Basic or Digest challenges and are never printed.

Virtuoso departs from the standards in ways handled here only, in :func:`normalise_json_results`: its JSON
results type literals ``"typed-literal"`` and name blank nodes ``nodeID://b1``; its TSV quotes the header
(we never ask a server for TSV: results are fetched as JSON and written out locally in any format).
"""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.binding import bind_text, query_form, with_prefixes
from kg.errors import EndpointError, QueryError
from kg.rows import Result
from kg.vocab import DATASET, GRAPH, META_GRAPH

TIMEOUT_ENV = "KG_ENDPOINT_TIMEOUT"
USER_ENV, PASSWORD_ENV = "KG_ENDPOINT_USER", "KG_ENDPOINT_PASSWORD"
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
_RESULTS_JSON = "application/sparql-results+json"
_RESULTS_XML = "application/sparql-results+xml"
_ACCEPT = f"{_RESULTS_JSON}, {_RESULTS_XML};q=0.9"
# Only for CONSTRUCT and DESCRIBE: Virtuoso answers them in a results format (?s ?p ?o) when one is acceptable.
_ACCEPT_RDF = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8"
_RDF_TYPES = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}


def normalise_json_results(doc: dict[str, Any]) -> dict[str, Any]:
    """SPARQL JSON results as the standard has them: the one place where Virtuoso's deviations are fixed.

    >>> doc = {"head": {"vars": ["s", "o"]}, "results": {"bindings": [{"s": {"type": "bnode", "value": "nodeID://b7"},
    ...        "o": {"type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "5"}}]}}
    >>> row = normalise_json_results(doc)["results"]["bindings"][0]
    >>> row["s"], row["o"]["type"]
    ({'type': 'bnode', 'value': 'b7'}, 'literal')
    """
    for row in doc.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("type") == "typed-literal":
                term["type"] = "literal"
            if term.get("type") == "bnode":
                term["value"] = re.sub(r"[^A-Za-z0-9_]", "", term["value"].removeprefix("nodeID://")) or "b"
    return doc


def _base_type(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


def _conventional(url: str, env: str, suffixes: dict[str, str]) -> str:
    """The update or Graph Store URL: from ``env`` if set, else by the server's naming convention."""
    if os.environ.get(env):
        return os.environ[env]
    parts = urllib.parse.urlsplit(url)
    for ending, replacement in suffixes.items():
        if parts.path.endswith(ending):
            return urllib.parse.urlunsplit(parts._replace(path=parts.path[: -len(ending)] + replacement))
    return url


def _credentials(host: str) -> tuple[str, str] | None:
    """(user, password) from the environment, else from the netrc file's entry for ``host``."""
    if os.environ.get(USER_ENV):
        return os.environ[USER_ENV], os.environ.get(PASSWORD_ENV, "")
    import netrc

    path = os.environ.get("NETRC") or str(Path.home() / ".netrc")
    if not Path(path).exists():
        return None
    try:
        entry = netrc.netrc(path).authenticators(host)
    except (netrc.NetrcParseError, OSError) as err:
        raise EndpointError(f"cannot read the netrc file {path}: {err}") from None
    return (entry[0], entry[2] or "") if entry else None


class RemoteStore:
    """A SPARQL 1.1 server used like a ``pyoxigraph.Store``.

    >>> RemoteStore("http://127.0.0.1:7878/query").store_url
    'http://127.0.0.1:7878/store'
    >>> RemoteStore("http://me:secret@127.0.0.1:1/query")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.EndpointError: put credentials in KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD or a netrc file, ...
    """

    def __init__(self, url: str, *, timeout: float | None = None) -> None:
        import urllib.request  # here, not at the top: commands on the embedded store import this module too

        try:
            parts = urllib.parse.urlsplit(url)
            host = parts.hostname
        except ValueError as err:  # "Invalid IPv6 URL" and the like
            raise EndpointError(f"{url!r} is not an http(s) URL of a SPARQL endpoint ({err})") from None
        if parts.scheme not in ("http", "https") or not host:
            raise EndpointError(f"{url!r} is not an http(s) URL of a SPARQL endpoint")
        if parts.username or parts.password:
            raise EndpointError("put credentials in KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD or a netrc file, "
                                "not in the URL")
        self.url = url
        self.update_url = _conventional(url, "KG_ENDPOINT_UPDATE", {"/query": "/update", "/sparql": "/sparql-auth"})
        self.store_url = _conventional(url, "KG_ENDPOINT_STORE",
                                       {"/query": "/store", "/sparql": "/sparql-graph-crud-auth"})
        self.timeout = timeout if timeout is not None else float(os.environ.get(TIMEOUT_ENV) or 60)
        handlers: list[urllib.request.BaseHandler] = []
        credentials = _credentials(host)
        if credentials:
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            for target in {self.url, self.update_url, self.store_url}:
                passwords.add_password(None, target, *credentials)
            handlers += [urllib.request.HTTPDigestAuthHandler(passwords),
                         urllib.request.HTTPBasicAuthHandler(passwords)]
        self._opener = urllib.request.build_opener(*handlers)
        self._graphs: list[ox.NamedNode] | None = None
        self.server: str | None = None  # the Server header of its last answer: which engine it is

    def __repr__(self) -> str:
        return f"<RemoteStore {self.url}>"

    # --- HTTP ---------------------------------------------------------------------------------------

    def request(self, method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None,
                ok: tuple[int, ...] = (200,)) -> tuple[str, bytes]:
        """One HTTP exchange; returns (content type, body). Failures become errors with the server's answer."""
        import urllib.error
        import urllib.request

        shown = urllib.parse.urlsplit(url)._replace(query="").geturl()
        req = urllib.request.Request(url, data=body, method=method, headers={"User-Agent": "kg (standoff)",
                                                                               **(headers or {})})
        try:
            with self._opener.open(req, timeout=self.timeout) as response:
                data = response.read()
                status, content_type = response.status, response.headers.get("Content-Type", "")
                self.server = response.headers.get("Server", "")
        except urllib.error.HTTPError as err:
            text = err.read().decode("utf-8", "replace").strip()
            cls = QueryError if err.code == 400 and method in ("GET", "POST") and url == self.url else EndpointError
            raise cls(f"{method} {shown}: the server answered {err.code} {err.reason}"
                      + (f": {_clip(text)}" if text else "")) from None
        except TimeoutError:
            raise EndpointError(f"{method} {shown}: no answer within {self.timeout:g} s "
                                f"(set {TIMEOUT_ENV} to wait longer)") from None
        except urllib.error.URLError as err:
            if isinstance(err.reason, TimeoutError):
                raise EndpointError(f"{method} {shown}: no answer within {self.timeout:g} s "
                                    f"(set {TIMEOUT_ENV} to wait longer)") from None
            raise EndpointError(f"{method} {shown}: cannot reach the server: {err.reason}") from None
        except (ConnectionError, OSError) as err:
            raise EndpointError(f"{method} {shown}: the connection failed: {err}") from None
        if status not in ok:
            answer = _clip(data.decode("utf-8", "replace"))
            raise EndpointError(f"{method} {shown}: unexpected answer {status}: {answer}")
        return content_type, data

    # --- the pyoxigraph.Store subset ------------------------------------------------------------------

    def our_graphs(self) -> list[ox.NamedNode]:
        """The graphs a ``kg build`` wrote to this server (its VoID graph names them); empty when none did."""
        if self._graphs is None:
            text = (f"SELECT ?g WHERE {{ GRAPH <{META_GRAPH}> {{ <{DATASET}> <http://rdfs.org/ns/void#subset> ?g }} }}")
            rows = self._select(text, {})
            # The store's subsets are its graphs, and also the stories' datasets and the linksets: only graphs here.
            found = {row["g"] for row in rows
                     if isinstance(row["g"], ox.NamedNode) and row["g"].value.startswith(GRAPH)}
            self._graphs = sorted(found | {ox.NamedNode(META_GRAPH)}, key=lambda g: g.value) if found else []
        return self._graphs

    def query(self, query: str, *, prefixes: dict[str, str] | None = None,
              substitutions: dict[ox.Variable, Any] | None = None,
              default_graph: GraphName | list[GraphName] | None = None,
              named_graphs: list[ox.NamedNode | ox.BlankNode] | None = None,
              use_default_graph_as_union: bool = False, **_: Any) -> Result:
        """Run a query through the SPARQL Protocol; the result is a pyoxigraph result object.

        With ``use_default_graph_as_union`` the default graph is the union of the graphs our build wrote
        (the server's own default when no build wrote any).
        """
        text = bind_text(query, {v.value: t for v, t in (substitutions or {}).items()})
        graphs = [] if default_graph is None else default_graph if isinstance(default_graph, list) else [default_graph]
        text = with_prefixes(text, prefixes or {})
        params: list[tuple[str, str]] = [("query", text)]
        if default_graph is not None:
            params += [("default-graph-uri", _graph_iri(g)) for g in graphs]
        elif use_default_graph_as_union and not self.union_is_default():
            params += [("default-graph-uri", g.value) for g in self.our_graphs()]
        if named_graphs is not None:
            params += [("named-graph-uri", _graph_iri(g)) for g in named_graphs]
        elif (use_default_graph_as_union and not self.union_is_default()) or default_graph is not None:
            params += [("named-graph-uri", g.value) for g in self.our_graphs()]
        return self._post_query(params, rdf=query_form(text) in ("CONSTRUCT", "DESCRIBE"))

    def union_is_default(self) -> bool:
        """True for Virtuoso, whose default graph is already the union of all its graphs and which answers
        property paths with ``*`` or ``+`` wrongly when the dataset is given as several default graphs
        (Virtuoso 7.2: ``?x rdf:type/rdfs:subClassOf* ?c`` loses most rows). There, queries over the union
        send no dataset; graphs of other tools on the same server would then be seen too."""
        if self.server is None:
            self.our_graphs()
        return (self.server or "").startswith("Virtuoso")

    def _select(self, text: str, prefixes: dict[str, str]) -> ox.QuerySolutions:
        result = self._post_query([("query", with_prefixes(text, prefixes))])
        if not isinstance(result, ox.QuerySolutions):
            raise EndpointError(f"{self.url}: a SELECT query did not return solutions")
        return result

    def _post_query(self, params: list[tuple[str, str]], rdf: bool = False) -> Result:
        content_type, data = self.request(
            "POST", self.url, urllib.parse.urlencode(params).encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": _ACCEPT_RDF if rdf else _ACCEPT})
        kind = _base_type(content_type)
        try:
            if kind == _RESULTS_JSON or kind == "application/json":
                doc = normalise_json_results(json.loads(data))
                return ox.parse_query_results(json.dumps(doc).encode(), ox.QueryResultsFormat.JSON)
            if kind == _RESULTS_XML or kind == "application/xml":
                return ox.parse_query_results(data, ox.QueryResultsFormat.XML)
            if kind in _RDF_TYPES:
                scratch = ox.Store()
                scratch.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph())
                               for t in ox.parse(data, _RDF_TYPES[kind]))
                return scratch.query("CONSTRUCT WHERE { ?s ?p ?o }")
        except (SyntaxError, ValueError) as err:
            raise EndpointError(f"{self.url}: cannot read the server's {kind} answer: {err}") from None
        raise EndpointError(f"{self.url}: the server answered in {kind or 'an unnamed format'}, "
                            "not a SPARQL result format")

    def update(self, update: str, *, prefixes: dict[str, str] | None = None, **_: Any) -> None:
        """Apply a SPARQL Update through the Protocol (to the update URL)."""
        self.request("POST", self.update_url, urllib.parse.urlencode(
            [("update", with_prefixes(update, prefixes or {}))]).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"}, ok=(200, 201, 204))
        self._graphs = None

    def named_graphs(self) -> Iterator[ox.NamedNode]:
        """Our graphs on the server (the ones a ``kg build`` wrote), else every named graph it has."""
        graphs = self.our_graphs()
        if graphs:
            yield from graphs
            return
        for row in self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g", {}):
            if isinstance(row["g"], ox.NamedNode):
                yield row["g"]

    def quads_for_pattern(self, subject: Any, predicate: Any, object: Any,
                          graph_name: GraphName | None = None) -> Iterator[ox.Quad]:
        """Quads matching a pattern in one named graph (fetched with CONSTRUCT), or in all of ours (one SELECT)."""
        from kg.binding import term_text

        s, p, o = (term_text(t) if t is not None else v for t, v in ((subject, "?s"), (predicate, "?p"),
                                                                      (object, "?o")))
        if graph_name is None:
            graphs = self.our_graphs()
            if not graphs:
                return
            values = " ".join(term_text(g) for g in graphs)
            for row in self._select(f"SELECT * WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ {s} {p} {o} }} }}", {}):
                yield ox.Quad(subject if subject is not None else row["s"],
                              predicate if predicate is not None else row["p"],
                              object if object is not None else row["o"], row["g"])
            return
        graph = ox.NamedNode(_graph_iri(graph_name))
        result = self._post_query([("query", f"CONSTRUCT {{ {s} {p} {o} }} WHERE {{ GRAPH {term_text(graph)} "
                                             f"{{ {s} {p} {o} }} }}")], rdf=True)
        if not isinstance(result, ox.QueryTriples):
            raise EndpointError(f"{self.url}: a CONSTRUCT query did not return triples")
        for triple in result:
            yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)

    def contains_named_graph(self, graph: GraphName) -> bool:
        """True when the server holds a triple in this graph (an empty graph counts as absent)."""
        from kg.binding import term_text

        named = ox.NamedNode(_graph_iri(graph))
        result = self._post_query([("query", f"ASK {{ GRAPH {term_text(named)} {{ ?s ?p ?o }} }}")])
        return bool(result)

    def copy(self, graphs: list[ox.NamedNode]) -> ox.Store:
        """An in-memory copy of some graphs, one CONSTRUCT each (what ``kg export`` writes from)."""
        local = ox.Store()
        for graph in graphs:
            local.extend(self.quads_for_pattern(None, None, None, graph))
        return local

    # --- Graph Store Protocol ---------------------------------------------------------------------------

    def _graph_url(self, graph: ox.NamedNode) -> str:
        sep = "&" if "?" in self.store_url else "?"
        return f"{self.store_url}{sep}{urllib.parse.urlencode({'graph': graph.value})}"

    def put_graph(self, graph: ox.NamedNode, turtle: bytes) -> None:
        """Replace one graph on the server with the given Turtle (Graph Store Protocol PUT)."""
        self.request("PUT", self._graph_url(graph), turtle, {"Content-Type": "text/turtle; charset=utf-8"},
                     ok=(200, 201, 204))
        self._graphs = None

    def delete_graph(self, graph: ox.NamedNode) -> None:
        """Drop one graph on the server (Graph Store Protocol DELETE); a graph already gone is fine."""
        self._graphs = None
        try:
            self.request("DELETE", self._graph_url(graph), None, {}, ok=(200, 202, 204))
        except EndpointError as err:
            if " 404 " not in str(err):
                raise


def _graph_iri(graph: GraphName) -> str:
    """The IRI of a graph on a server, which names graphs by IRI only."""
    if not isinstance(graph, ox.NamedNode):
        raise EndpointError(f"a SPARQL server names its graphs by IRI; {graph} is not one")
    return graph.value


def _clip(text: str, limit: int = 600) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + " …"
