"""``kg serve --curate``'s routes under ``/curate``: the reader in curate mode over the story's files (not the
store), the form's choices, and saves, accepts, rejects and undo as JSON (the work is done by :mod:`kg.curate`).

A route returns (status, body, content type). Refusals are JSON ``{"error": …}``: 400 a malformed request or a
name outside the story's folder, 404 no such story, 409 a file changed since the page read it, 422 the claim
breaks the story's rules (``{"violations": […]}``, in ``kg build``'s words; nothing was written).
"""

from __future__ import annotations

import contextlib
import json
import threading
import urllib.parse
from pathlib import Path
from typing import Any

from kg import curate
from kg.errors import KgError
from kg.vocab import CAMEO, SO, graph_iri

Answer = tuple[int, bytes, str]
_JSON = "application/json"

_CHOICES = {
    "kinds": f"SELECT DISTINCT ?c ?l WHERE {{ ?c rdfs:subClassOf+ so:Eventuality . OPTIONAL {{ ?c rdfs:label ?l }}"
             f" FILTER(STRSTARTS(STR(?c), \"{SO}\")) }}",
    "actorKinds": f"SELECT DISTINCT ?c ?l WHERE {{ ?c rdfs:subClassOf* so:Actor . OPTIONAL {{ ?c rdfs:label ?l }}"
                  f" FILTER(STRSTARTS(STR(?c), \"{SO}\")) }}",
    "cameo": f"SELECT ?c ?n ?l WHERE {{ ?c skos:inScheme <{CAMEO}scheme> ; skos:notation ?n ; skos:prefLabel ?l }}",
}
_SCHEMES = {"certainty": "CertaintyScheme", "polarity": "PolarityScheme", "timeReference": "TimeScheme",
            "status": "StatusScheme"}


class CurateSite:
    """The curate routes over one project, with the last save of each story kept for undo."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.last: dict[str, curate.Saved] = {}
        self.lock = threading.Lock()

    def route(self, method: str, path: str, query: str, body: bytes | None) -> Answer | None:
        if path != "/curate" and not path.startswith("/curate/"):
            return None
        asked = urllib.parse.parse_qs(query)
        try:
            if method == "GET":
                return self._get(path, asked)
            request = json.loads(body or b"{}")
            if not isinstance(request, dict):
                raise curate.CurateError("send a JSON object")
            return self._post(path, request)
        except curate.ChangedError as err:
            return _json(409, {"error": str(err)})
        except curate.NoStoryError as err:
            return _json(404, {"error": str(err)})
        except (KgError, ValueError) as err:  # a JSON that does not parse is a ValueError
            return _json(400, {"error": str(err)})

    def _get(self, path: str, asked: dict[str, list[str]]) -> Answer:
        story = asked.get("story", [""])[0]
        if path in ("/curate", "/curate/"):
            page = (Path(__file__).parent / "static" / "reader.html").read_text(encoding="utf-8")
            extra = '<link rel="stylesheet" href="curate.css">\n<script src="curate.js" defer></script>\n</head>'
            page = page.replace("<body>", '<body data-curate="true">').replace("</head>", extra)
            return 200, page.encode(), "text/html; charset=utf-8"
        if path == "/curate/stories.json":
            return _json(200, self.stories())
        if path == "/curate/story.json":
            return _json(200, self.view(self.slug(story)))
        if path == "/curate/diagram.svg":
            from kg.diagram import diagram_svg

            return 200, diagram_svg(self.view(self.slug(story))).encode(), "image/svg+xml"
        if path == "/curate/file.json":
            text, version = curate.read_file(self.project, self.slug(story), asked.get("name", [""])[0])
            return _json(200, {"text": text, "version": version})
        return _json(404, {"error": "not found"})

    def _post(self, path: str, request: dict[str, Any]) -> Answer:
        slug = self.slug(str(request.get("story") or ""))
        read, claim, ids = request.get("versions") or {}, request.get("claim") or {}, request.get("ids") or []
        if not (isinstance(read, dict) and all(isinstance(v, str) for v in read.values())):
            raise curate.CurateError("versions: give an object of file name -> sha256")
        if not isinstance(claim, dict) or not (isinstance(ids, list) and all(isinstance(i, str) for i in ids)):
            raise curate.CurateError("claim: give an object; ids: a list of draft ids")
        draft = request.get("draft")
        if draft is not None and not isinstance(draft, str):
            raise curate.CurateError("draft: give the id of a drafted claim")
        with self.lock:
            if path == "/curate/save":
                outcome = curate.save_claim(self.project, slug, claim, read,
                                            str(request.get("file") or curate.CLAIMS_FILE), draft)
            elif path == "/curate/accept":
                outcome = curate.accept_drafts(self.project, slug, ids, read,
                                               str(request.get("file") or curate.CLAIMS_FILE))
            elif path == "/curate/reject":
                outcome = curate.Outcome(curate.reject_drafts(self.project, slug, ids, read))
            elif path == "/curate/undo":
                saved = self.last.get(slug)
                if saved is None:
                    raise curate.CurateError("nothing to undo: no save of this story since the server started")
                curate.undo(self.project, saved)
                del self.last[slug]
                return _json(200, {"undone": [c.path.name for c in saved.changes],
                                   "versions": curate.versions(self.project, slug)})
            else:
                return _json(404, {"error": "not found"})
            if outcome.saved is None:
                return _json(422, {"violations": outcome.violations})
            self.last[slug] = outcome.saved
            return _json(200, {"saved": list(outcome.saved.subjects),
                               "files": [c.path.name for c in outcome.saved.changes],
                               "versions": curate.versions(self.project, slug)})

    def stories(self) -> list[dict[str, str]]:
        """Every story folder of the project: its slug, IRI and title (read from its story.ttl)."""
        from kg.reader import store_rows, stories

        out = []
        for folder in sorted((self.project / curate.STORIES_DIR).glob("*/story.ttl")):
            store = _parsed(folder)
            for story in stories(store_rows(store)):
                out.append({**story, "slug": folder.parent.name})
        return out

    def slug(self, name: str) -> str:
        """A story's folder name from its slug or IRI; the first story when empty."""
        listed = self.stories()
        for story in listed:
            if name in (story["slug"], story["iri"], story["prefix"]):
                return story["slug"]
        if not name and listed:
            return listed[0]["slug"]
        raise curate.NoStoryError(f"no story {name!r} in {curate.STORIES_DIR}/")

    def view(self, slug: str) -> dict[str, Any]:
        """The reader's data for the story's files and drafts, with the form's choices and the files' versions."""
        from kg.reader import store_rows, story_data

        store, problems, texts = curate.check_story(self.project, slug, draft=True)
        rows = store_rows(store)
        data = story_data(rows, slug, texts, str(self.project))
        base = data["story"]["base"]
        drafted = _draft_keys(self.project, slug)
        for node in data["nodes"]:
            local = node["iri"][len(base):] if node["iri"].startswith(base) else ""
            node["drafted"] = local if local in drafted else ""
        data["violations"] = curate.failures(problems)
        data["versions"] = curate.versions(self.project, slug)
        data["choices"] = _choices(rows, data, slug)
        return data


def _parsed(story_ttl: Path) -> Any:
    import pyoxigraph as ox

    from kg.vocab import graph_iri

    store = ox.Store()
    relative = f"{curate.STORIES_DIR.as_posix()}/{story_ttl.parent.name}/story.ttl"
    with contextlib.suppress(SyntaxError):  # a broken story.ttl: the story is not listed; `kg build` names the error
        store.load(path=story_ttl, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(graph_iri(relative)))
    return store


def _draft_keys(project: Path, slug: str) -> set[str]:
    try:
        return set(curate._draft_blocks(project, slug)[1])
    except curate.CurateError:
        return set()


def _choices(rows: Any, data: dict[str, Any], slug: str) -> dict[str, Any]:
    """What the form offers: kinds, actors, events, the schemes' values, CAMEO codes, the story's files."""
    def named(query: str) -> list[dict[str, str]]:
        found = {r["c"]: r.get("l") or r["c"].rsplit("#", 1)[-1] for r in rows(query)}
        return [{"iri": c, "label": label} for c, label in sorted(found.items(), key=lambda x: x[1].lower())]

    choices: dict[str, Any] = {key: named(query) for key, query in _CHOICES.items() if key != "cameo"}
    choices["cameo"] = sorted(({"code": r["n"], "label": r["l"]} for r in rows(_CHOICES["cameo"])),
                              key=lambda c: c["code"])
    for key, scheme in _SCHEMES.items():
        choices[key] = named(f"SELECT ?c ?l WHERE {{ ?c skos:inScheme so:{scheme} . OPTIONAL {{ ?c skos:prefLabel ?l }}"
                             " FILTER(lang(?l) = \"\" || langMatches(lang(?l), \"en\")) }")
    graphs = graph_iri(f"{curate.STORIES_DIR.as_posix()}/{slug}/")
    def members(root: str) -> list[dict[str, str]]:
        found = rows(f"""SELECT DISTINCT ?x (SAMPLE(?l) AS ?label) WHERE {{ GRAPH ?g {{ ?x a ?t }}
          ?t rdfs:subClassOf* {root} . OPTIONAL {{ ?x rdfs:label ?l }} FILTER(STRSTARTS(STR(?g), "{graphs}")) }}
          GROUP BY ?x""")
        return sorted(({"iri": r["x"], "label": r.get("label") or r["x"].rsplit("/", 1)[-1]} for r in found),
                      key=lambda x: x["label"].lower())

    choices["actors"] = members("so:Actor")
    choices["events"] = members("so:Eventuality")
    choices["changes"] = members("so:RequestedChange")
    choices["documents"] = [{"iri": d["iri"], "label": d["headline"] or d["label"], "id": d["id"]}
                            for d in data["documents"]]
    choices["files"] = sorted(name for name in data.get("versions", {}) if name != curate.DRAFT_FILE) or [
        curate.CLAIMS_FILE]
    return choices


def _json(status: int, value: object) -> Answer:
    return status, json.dumps(value).encode(), _JSON
