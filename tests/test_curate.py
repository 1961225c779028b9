"""`kg serve --curate` used as a curator would, in Debian's headless chromium, on a story started with `kg new` and
drafted with `kg draft`: select words → a claim in the story's files, checked as `kg build` checks; drafts accepted
and rejected in place; an invalid claim refused with the build's own words; two tabs; undo; a public bind and paths
outside triples/ refused. Then kg/curate.py as a library, without the server.

Expected values come from the text itself (the words selected, where they sit) and from the files as parsed here.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import test_reader
from conftest import ROOT, run_kg
from endpoints import Served, local_only, start_kg_serve, stop
from playwright.sync_api import expect
from test_draft import TEXT, draft_ids  # a made-up dispute, the text `kg draft` is tested on

from docs.screenshots import select_words
from kg import curate
from kg.evidence import locate

SLUG = "night-buses"
NS = f"https://w3id.org/standoff/id/{SLUG}/"
SO = "https://w3id.org/standoff/ontology#"
OA = "http://www.w3.org/ns/oa#"
DOC = NS + SLUG


def new_project(folder: Path) -> Path:
    """A project with the ontology and one story made by `kg new` and drafted by `kg draft`, as a curator starts."""
    for name in ("ontology", "queries"):
        shutil.copytree(ROOT / name, folder / name)
    (folder / "triples").mkdir()
    article = folder.parent / f"{folder.name}-text" / f"{SLUG}.txt"
    article.parent.mkdir()
    article.write_text(TEXT, encoding="utf-8")
    for args in (("new", SLUG, "--article", str(article)), ("draft", SLUG)):
        done = run_kg(*args, "--project", str(folder))
        assert done.returncode == 0, done.stderr
    return folder


@dataclass
class Curating:
    project: Path
    store: Path
    served: Served

    @property
    def folder(self) -> Path:
        return self.project / "triples" / SLUG

    def file(self, name: str = "claims.ttl") -> bytes:
        return (self.folder / name).read_bytes()


@pytest.fixture(scope="module")
def curating(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Curating]:
    project = new_project(tmp_path_factory.mktemp("curate") / "project")
    store = project / ".kg" / "store"
    built = run_kg("build", "--no-reason", "--store", str(store), cwd=project)
    assert built.returncode == 0, built.stderr
    served = start_kg_serve(store, "--curate", cwd=project)
    yield Curating(project, store, served)
    assert stop(served.process) == 0


page = test_reader.page  # the fixture: a chromium tab whose requests to other hosts are refused and listed


@pytest.fixture(autouse=True)
def nothing_leaves_the_machine(request: pytest.FixtureRequest) -> Iterator[None]:
    """After each browser test: no request went to another host and the page raised no error."""
    tab = request.getfixturevalue("page") if "page" in request.fixturenames else None
    yield
    if tab is not None:
        assert tab.refused == [] and tab.errors == []


def open_curate(page: object, curating: Curating) -> None:
    page.goto(curating.served.page + f"curate?story={SLUG}")  # type: ignore[attr-defined]
    page.wait_for_selector("body[data-ready]")  # type: ignore[attr-defined]


def triples(path: Path) -> list[ox.Triple]:
    return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(path=path, format=ox.RdfFormat.TURTLE)]


def objects(found: list[ox.Triple], subject: str, prop: str) -> list[str]:
    return sorted(t.object.value for t in found if t.subject == ox.NamedNode(subject) and t.predicate.value == prop)


def quote_of(found: list[ox.Triple], subject: str) -> tuple[str, str, str]:
    """The (exact, prefix, suffix) of a node's one evidence span."""
    span = next(t.object for t in found
                if t.subject == ox.NamedNode(subject) and t.predicate.value == SO + "hasEvidence")
    selector = next(t.object for t in found if t.subject == span and t.predicate.value == OA + "hasSelector")
    get = {t.predicate.value[len(OA):]: t.object.value for t in found if t.subject == selector}
    return get["exact"], get.get("prefix", ""), get.get("suffix", "")


# --- In the browser -------------------------------------------------------------------------------------------

def test_a_demand_made_by_selecting_its_words_is_written_and_builds(curating: Curating, page: object,
                                                                  tmp_path: Path) -> None:
    open_curate(page, curating)
    words = "ordered the bus operator to restore night services by 1 June"
    select_words(page, words)
    assert page.inner_text("#curate-quote") == words  # type: ignore[attr-defined]
    page.select_option("#c-kind", SO + "Demand")  # type: ignore[attr-defined]
    page.fill("#c-label", "The council demands that the operator restore night services")  # type: ignore[attr-defined]
    # the agent and what is asked are drafted nodes: saving the claim brings them out of draft.ttl
    page.select_option("#c-agent", NS + "city-council")  # type: ignore[attr-defined]
    page.select_option("#c-addressee", NS + "bus-operator")  # type: ignore[attr-defined]
    page.select_option("#c-demands", NS + "demand-city-council-lindenfeld-change")  # type: ignore[attr-defined]
    page.select_option("#c-status", SO + "rejected")  # type: ignore[attr-defined]
    # the codes are offered by number and label, as the codebook gives them
    codebook = ox.Store()
    codebook.load(path=ROOT / "ontology" / "cameo.ttl", format=ox.RdfFormat.TURTLE)
    offered = page.locator("#c-cameo-codes option").evaluate_all("os => os.map(o => o.value)")  # type: ignore[attr-defined]
    label = next(iter(codebook.query('SELECT ?l WHERE { <https://w3id.org/standoff/cameo/100> '
                                     '<http://www.w3.org/2004/02/skos/core#prefLabel> ?l }')))["l"].value
    assert f"100 {label}" in offered and len(offered) > 200
    page.fill("#c-cameo", f"100 {label}")  # type: ignore[attr-defined]
    page.click("#c-save")  # type: ignore[attr-defined]
    page.wait_for_selector("#curate-done")  # type: ignore[attr-defined]

    found = triples(curating.folder / "claims.ttl")
    demands = [t.subject.value for t in found
               if t.predicate.value.endswith("#type") and t.object.value == SO + "Demand"]
    assert len(demands) == 1
    demand = demands[0]
    assert objects(found, demand, SO + "hasAgent") == [NS + "city-council"]
    assert objects(found, demand, SO + "directedAt") == [NS + "bus-operator"]
    assert objects(found, demand, SO + "demands") == [NS + "demand-city-council-lindenfeld-change"]
    assert objects(found, demand, SO + "cameoCode") == ["https://w3id.org/standoff/cameo/100"]
    assert objects(found, demand, SO + "attributedTo") == [DOC]
    assert objects(found, demand, SO + "status") == [SO + "rejected"]
    assert quote_of(found, demand) == (words, "", "")
    assert [TEXT[s.start:s.end] for s in locate(TEXT, words)] == [words]
    # the drafted nodes it names moved: defined in claims.ttl, gone from draft.ttl
    assert objects(found, NS + "city-council", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type") == [
        SO + "GovernmentBody"]
    left = set(draft_ids(curating.folder))
    assert not {"city-council", "bus-operator", "demand-city-council-lindenfeld-change"} & left
    # written as `kg export` writes: writing the file's own triples again gives the same bytes
    assert curate.turtle(found, "nb", NS) == curating.file()
    # the story builds, with reasoning, as `kg build` does it
    built = run_kg("build", "--store", str(tmp_path / "store"), cwd=curating.project)
    assert built.returncode == 0, built.stderr
    assert f"story triples/{SLUG}/" in built.stderr and " 0 events" not in built.stderr
    # the page shows the new claim marked in the text, no longer as a draft
    mark = page.locator(f"mark[aria-label$=': {words}']")  # type: ignore[attr-defined]
    assert mark.count() == 1 and "drafted" not in (mark.get_attribute("class") or "")


def test_a_drafted_claim_accepted_and_another_rejected_in_place(curating: Curating, page: object) -> None:
    open_curate(page, curating)
    refusal, statement = "refusal-operator-declined-arguing", "statement-mayor-petra-olsen"
    assert {refusal, statement} <= set(draft_ids(curating.folder))
    claims_before = curating.file()

    page.click("mark[aria-label*='drafted'][aria-label$='The operator declined, arguing that the subsidy did not "  # type: ignore[attr-defined]
               "cover the drivers’ wages']")
    assert refusal in page.inner_text("#draft-box")  # type: ignore[attr-defined]
    page.click("#d-accept")  # type: ignore[attr-defined]
    page.wait_for_selector("#curate-done")  # type: ignore[attr-defined]
    found = triples(curating.folder / "claims.ttl")
    assert objects(found, NS + refusal, SO + "hasAgent") == [NS + "bus-operator"]
    assert refusal not in draft_ids(curating.folder)

    claims_after_accept = curating.file()
    assert claims_after_accept != claims_before
    page.click("mark[aria-label*='drafted'][aria-label$='Mayor Petra Olsen said']")  # type: ignore[attr-defined]
    page.click("#d-reject")  # type: ignore[attr-defined]
    page.wait_for_selector("#curate-done")  # type: ignore[attr-defined]
    assert statement not in draft_ids(curating.folder)
    assert curating.file() == claims_after_accept  # rejecting writes only draft.ttl
    assert not [t for t in triples(curating.folder / "claims.ttl") if t.subject.value == NS + statement]


def test_a_drafted_claim_edited_in_place_keeps_its_name(curating: Curating, page: object) -> None:
    open_curate(page, curating)
    key = "threat-drivers-union-warned"
    page.click("mark[aria-label*='drafted'][aria-label$=': The drivers’ union warned that its members could "  # type: ignore[attr-defined]
               "strike in June']")
    page.click("#d-edit")  # type: ignore[attr-defined]
    # the form holds the draft's values, as draft.ttl states them
    assert page.input_value("#c-kind") == SO + "Threat"  # type: ignore[attr-defined]
    assert page.input_value("#c-agent") == NS + "drivers"  # type: ignore[attr-defined]
    assert page.input_value("#c-addressee") == NS + "members"  # type: ignore[attr-defined]
    assert page.input_value("#c-threatens") == NS + "consequence-members-could-strike"  # type: ignore[attr-defined]
    assert page.input_value("#c-cameo").startswith("130 ")  # type: ignore[attr-defined]
    page.select_option("#c-addressee", "")  # type: ignore[attr-defined]  (the curator's fix: no addressee named)
    page.click("#c-save")  # type: ignore[attr-defined]
    page.wait_for_selector("#curate-done")  # type: ignore[attr-defined]
    found = triples(curating.folder / "claims.ttl")
    assert objects(found, NS + key, SO + "directedAt") == []
    # The warning itself is reported without a hedge ("could" hedges the strike, drafted as possible): certain.
    assert objects(found, NS + key, SO + "certainty") == [SO + "certain"]
    assert objects(found, NS + key, SO + "threatens") == [NS + "consequence-members-could-strike"]
    assert quote_of(found, NS + key)[0] == "The drivers’ union warned that its members could strike in June"
    assert not {key, "consequence-members-could-strike"} & set(draft_ids(curating.folder))


def test_an_invalid_claim_shows_the_builds_words_and_writes_nothing(curating: Curating, page: object,
                                                                   tmp_path: Path) -> None:
    open_curate(page, curating)
    before = {p.name: p.read_bytes() for p in curating.folder.iterdir()}
    select_words(page, "its members could strike in June")
    page.select_option("#c-kind", SO + "Threat")  # type: ignore[attr-defined]
    page.fill("#c-cameo", "9999")  # type: ignore[attr-defined]  (no such code) and no so:threatens: two violations
    page.click("#c-save")  # type: ignore[attr-defined]
    page.wait_for_selector("#curate-violations li")  # type: ignore[attr-defined]
    shown = page.locator("#curate-violations li").all_inner_texts()  # type: ignore[attr-defined]
    assert {p.name: p.read_bytes() for p in curating.folder.iterdir()} == before

    # The same claim written by hand into a copy of the project: `kg build` refuses it with the same lines.
    copy = tmp_path / "copy"
    shutil.copytree(curating.project, copy, ignore=shutil.ignore_patterns(".kg"))
    story = curate.StoryNames.read(copy, SLUG)
    start = TEXT.index("its members could strike in June")
    _, claim = curate.claim_triples(story, {"mode": "event", "doc": DOC, "start": start, "end": start + 32,
                                            "kind": SO + "Threat", "attributedTo": DOC, "cameo": "9999",
                                            "label": "its members could strike in June",
                                            "certainty": SO + "certain", "polarity": SO + "positive",
                                            "timeReference": SO + "pastOrPresent"})
    claims = copy / "triples" / SLUG / "claims.ttl"
    claims.write_bytes(curate.turtle(triples(claims) + claim, "nb", NS))
    built = run_kg("build", "--no-reason", "--store", str(tmp_path / "store"), cwd=copy)
    assert built.returncode == 3
    said = [line.strip() for line in built.stderr.splitlines() if line.startswith("  triples/")]
    assert len(shown) == len(said) >= 2
    # the names differ only by the key the page made for the claim and the one made here
    def keyless(lines: list[str]) -> list[str]:
        return [re.sub(r"nb:threat-[\w-]+", "KEY", line) for line in lines]

    assert keyless(shown) == keyless(said)
    assert any("so:threatens" in s or "threatens" in s for s in shown) and any("cameo:9999" in s for s in shown)


def test_two_tabs_editing_one_file_the_second_save_is_refused(curating: Curating, browser: object) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    first, second = context.new_page(), context.new_page()
    try:
        refused = [local_only(tab) for tab in (first, second)]
        for tab in (first, second):
            open_curate(tab, curating)
        select_words(first, "Petra Olsen")
        first.check("#c-mode-actor")
        first.select_option("#c-actorKind", SO + "Person")
        first.click("#c-save")
        first.wait_for_selector("#curate-done")
        saved = curating.file()

        select_words(second, "Lindenfeld Courier")
        second.check("#c-mode-actor")
        second.select_option("#c-actorKind", SO + "NewsOrganization")
        second.click("#c-save")
        second.wait_for_selector("#curate-violations li")
        assert "changed since you opened it" in second.inner_text("#curate-violations")
        assert second.get_attribute("#curate-violations", "data-status") == "409"
        assert curating.file() == saved  # the first tab's save stands
        assert refused == [[], []]
    finally:
        context.close()


def test_undo_restores_the_bytes(curating: Curating, page: object) -> None:
    open_curate(page, curating)
    before = {name: curating.file(name) for name in ("claims.ttl", "draft.ttl")}
    select_words(page, "drivers’ union")
    page.check("#c-mode-actor")  # type: ignore[attr-defined]
    page.select_option("#c-actorKind", SO + "Organization")  # type: ignore[attr-defined]
    page.click("#c-save")  # type: ignore[attr-defined]
    page.wait_for_selector("#curate-done")  # type: ignore[attr-defined]
    assert curating.file() != before["claims.ttl"]
    page.click("#curate-undo")  # type: ignore[attr-defined]
    expect(page.locator("#curate-status")).to_have_text(re.compile("^Undone"))  # type: ignore[attr-defined]
    assert {name: curating.file(name) for name in before} == before


def test_keyboard_only_a_claim_from_a_highlight(curating: Curating, page: object) -> None:
    """No mouse: focus a highlight, open a form from its words, move the quote's edges by a word."""
    open_curate(page, curating)
    page.focus("mark[aria-label$=': its members could strike in June']")  # type: ignore[attr-defined]
    page.focus("#c-from-span")  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.wait_for_selector("#curate-form")  # type: ignore[attr-defined]
    page.focus("button[data-edge='end'][data-step='-1']")  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    assert page.inner_text("#curate-quote") == "its members could strike in"  # type: ignore[attr-defined]
    page.focus("button[data-edge='start'][data-step='1']")  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    assert page.inner_text("#curate-quote") == "members could strike in"  # type: ignore[attr-defined]
    page.focus("button[data-edge='start'][data-step='-1']")  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    page.focus("button[data-edge='end'][data-step='1']")  # type: ignore[attr-defined]
    page.keyboard.press("Enter")  # type: ignore[attr-defined]
    assert page.inner_text("#curate-quote") == "its members could strike in June."  # type: ignore[attr-defined]


def test_axe_finds_no_serious_violation_in_the_form_and_a_draft(curating: Curating, browser: object) -> None:
    assert test_reader.AXE.exists(), "axe-core is not installed: run `make axe` (npm, once; `make test` does)"
    context = browser.new_context(bypass_csp=True)  # type: ignore[attr-defined]
    tab = context.new_page()
    try:
        local_only(tab)
        open_curate(tab, curating)
        tab.click("mark.hl.drafted[data-span]")
        tab.wait_for_selector("#draft-box")
        tab.add_script_tag(path=str(test_reader.AXE))
        select_words(tab, "the subsidy")
        result = tab.evaluate("axe.run(document, {resultTypes: ['violations']})")
        serious = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
                   if v["impact"] in ("serious", "critical")]
        assert serious == []
    finally:
        context.close()


def test_after_curating_in_the_browser_the_project_builds(curating: Curating, tmp_path: Path) -> None:
    """Every save above was checked before it was written: the story's files, as the browser left them, build."""
    built = run_kg("build", "--no-reason", "--store", str(tmp_path / "store"), cwd=curating.project)
    assert built.returncode == 0, built.stderr
    assert "triples/night-buses/claims.ttl" not in built.stderr  # no warning names the file either


# --- Refusals over HTTP -------------------------------------------------------------------------------------

def test_a_public_bind_is_refused(curating: Curating) -> None:
    for args in (("--bind", "0.0.0.0:0"), ("--bind", "127.0.0.1:0", "--page-bind", "192.0.2.1:0")):
        done = run_kg("serve", "--store", str(curating.store), *args, "--curate", cwd=curating.project, timeout=60)
        assert done.returncode == 2
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "loopback" in lines[0] and "Traceback" not in done.stderr


def ask(curating: Curating, path: str, body: dict | None = None, headers: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(curating.served.page + path.lstrip("/"), data=data, headers={
        "Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return answer.status, json.load(answer)
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def test_paths_outside_the_storys_folder_are_refused(curating: Curating, tmp_path: Path) -> None:
    outside = tmp_path / "outside.ttl"
    outside.write_bytes(b"# not the project's\n")
    link = curating.folder / "linked.ttl"
    link.symlink_to(outside)
    try:
        status, versions = ask(curating, f"curate/story.json?story={SLUG}")
        assert status == 200
        read = versions["versions"]
        before = {p: p.read_bytes() for p in (outside, *sorted((curating.project / "ontology").glob("*.ttl")))}
        claim = {"mode": "actor", "doc": DOC, "start": 4, "end": 16, "kind": SO + "GovernmentBody"}
        for file in ("../../ontology/standoff.ttl", "/etc/passwd.ttl", "linked.ttl", "..", "sub/claims.ttl",
                     "draft.ttl"):
            status, answer = ask(curating, "curate/save", {"story": SLUG, "file": file, "claim": claim,
                                                           "versions": {**read, file: ""}})
            assert status == 400, (file, answer)
        for story in ("../ontology", "..", "/tmp"):
            status, _ = ask(curating, "curate/save", {"story": story, "file": "claims.ttl", "claim": claim,
                                                      "versions": read})
            assert status in (400, 404)
        status, answer = ask(curating, f"curate/file.json?story={SLUG}&name=..%2F..%2Fontology%2Fshapes.ttl")
        assert status == 400 and "no folders" in answer["error"]
        status, answer = ask(curating, f"curate/file.json?story={SLUG}&name=claims.ttl")
        assert status == 200 and answer["text"].encode() == curating.file()
        assert answer["version"] == hashlib.sha256(curating.file()).hexdigest()
        for body in ([1, 2], {"story": SLUG, "claim": [1]}, {"story": SLUG, "versions": "x"}):
            status, answer = ask(curating, "curate/save", body)  # type: ignore[arg-type]
            assert status == 400 and answer["error"]
        status, answer = ask(curating, "curate/save", {"story": "no-such-story", "claim": claim, "versions": read})
        assert status == 404
        # another site's page cannot post here
        status, _ = ask(curating, "curate/save", {"story": SLUG, "file": "claims.ttl", "claim": claim,
                                                  "versions": read}, {"Origin": "http://evil.example"})
        assert status == 403
        # nor read the files through a name of its own that points at this machine
        status, _ = ask(curating, f"curate/file.json?story={SLUG}&name=claims.ttl", None, {"Host": "evil.example"})
        assert status == 403
        assert {p: p.read_bytes() for p in before} == before
    finally:
        link.unlink()


# --- The library, without the server ----------------------------------------------------------------------

@pytest.fixture
def project(tmp_path: Path) -> Path:
    return new_project(tmp_path / "project")


def test_a_quote_that_occurs_twice_gets_the_context_that_tells_it_apart(project: Path) -> None:
    story = curate.StoryNames.read(project, SLUG)
    second = TEXT.index("Lindenfeld", TEXT.index("Lindenfeld") + 1)
    _, made = curate.claim_triples(story, {"mode": "actor", "doc": DOC, "start": second, "end": second + 10,
                                           "kind": SO + "Organization", "key": "town"})
    exact, prefix, suffix = quote_of(made, NS + "town")
    assert exact == "Lindenfeld" and (prefix or suffix)
    assert [(s.start, s.end) for s in locate(TEXT, exact, prefix, suffix)] == [(second, second + 10)]


def test_a_stale_version_is_refused_and_undo_is_version_checked(project: Path) -> None:
    folder = project / "triples" / SLUG
    read = curate.versions(project, SLUG)
    start = TEXT.index("Petra Olsen")
    claim = {"mode": "actor", "doc": DOC, "start": start, "end": start + 11, "kind": SO + "Person"}
    original = (folder / "claims.ttl").read_bytes()
    outcome = curate.save_claim(project, SLUG, claim, read)
    assert outcome.violations == [] and outcome.saved is not None
    written = (folder / "claims.ttl").read_bytes()
    with pytest.raises(curate.ChangedError, match="changed since you opened it"):
        curate.save_claim(project, SLUG, {**claim, "key": "olsen"}, read)  # the version read before the save
    assert (folder / "claims.ttl").read_bytes() == written

    (folder / "claims.ttl").write_bytes(written + b"\n# a hand edit\n")
    with pytest.raises(curate.ChangedError):
        curate.undo(project, outcome.saved)  # the hand edit is not lost to an undo
    (folder / "claims.ttl").write_bytes(written)
    curate.undo(project, outcome.saved)
    assert (folder / "claims.ttl").read_bytes() == original


def test_an_invalid_claim_is_not_written(project: Path) -> None:
    folder = project / "triples" / SLUG
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    start = TEXT.index("ordered the bus operator")
    outcome = curate.save_claim(project, SLUG, {"mode": "event", "doc": DOC, "start": start, "end": start + 24,
                                                "kind": SO + "Demand"}, curate.versions(project, SLUG))
    assert outcome.saved is None and outcome.violations
    assert all(line.startswith(f"triples/{SLUG}/claims.ttl: nb:demand-") for line in outcome.violations)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_editing_a_draft_replaces_it(project: Path) -> None:
    folder = project / "triples" / SLUG
    key = "threat-drivers-union-warned"
    start = TEXT.index("The drivers’ union warned")
    outcome = curate.save_claim(project, SLUG, {
        "mode": "event", "doc": DOC, "start": start, "end": start + 25, "kind": SO + "Threat", "key": key,
        "agent": NS + "drivers", "threatens": NS + "consequence-members-could-strike", "attributedTo": DOC,
        "certainty": SO + "certain", "polarity": SO + "positive", "timeReference": SO + "pastOrPresent",
        "cameo": "130"}, curate.versions(project, SLUG), draft=key)
    assert outcome.violations == []
    found = triples(folder / "claims.ttl")
    assert quote_of(found, NS + key) == ("The drivers’ union warned", "", "")
    assert objects(found, NS + key, SO + "directedAt") == []  # the draft's addressee was dropped in the edit
    draft = (folder / "draft.ttl").read_text(encoding="utf-8")
    assert f"# draft: {key}\n" not in draft and "# draft: consequence-members-could-strike\n" not in draft


def test_names_that_leave_the_storys_folder_are_refused(project: Path, tmp_path: Path) -> None:
    for name in ("../story.ttl", "/etc/x.ttl", ".hidden.ttl", "a/b.ttl", "x.txt", ""):
        with pytest.raises(curate.CurateError):
            curate.story_file(project, SLUG, name)
    (project / "triples" / SLUG / "out.ttl").symlink_to(tmp_path / "elsewhere.ttl")
    with pytest.raises(curate.CurateError, match="link out"):
        curate.story_file(project, SLUG, "out.ttl")
    (project / "triples" / "linked-story").symlink_to(project / "ontology")
    with pytest.raises(curate.CurateError):
        curate.story_file(project, "linked-story", "standoff.ttl")
    assert curate.story_file(project, SLUG, "claims.ttl") == (project / "triples" / SLUG / "claims.ttl").resolve()

    with pytest.raises(curate.CurateError, match="no story"):
        curate.versions(project, "no-such-story")


def test_a_mention_reports_its_event_and_a_consequence_names_who_imposes_it(project: Path) -> None:
    story = curate.StoryNames.read(project, SLUG)
    start = TEXT.index("The operator declined")
    _, mention = curate.claim_triples(story, {"mode": "mention", "doc": DOC, "start": start, "end": start + 21,
                                              "mentionOf": NS + "refusal-operator-declined-arguing",
                                              "attributedTo": DOC, "key": "declined-again"})
    assert objects(mention, NS + "declined-again", "http://www.w3.org/1999/02/22-rdf-syntax-ns#type") == [
        SO + "Mention"]
    assert objects(mention, NS + "declined-again", SO + "mentionOf") == [NS + "refusal-operator-declined-arguing"]
    start = TEXT.index("cancel the operator's licence")
    _, consequence = curate.claim_triples(story, {"mode": "event", "doc": DOC, "start": start, "end": start + 29,
                                                  "kind": SO + "Ban", "agent": NS + "city-council",
                                                  "addressee": NS + "bus-operator", "key": "licence"})
    assert objects(consequence, NS + "licence", SO + "imposedBy") == [NS + "city-council"]
    assert objects(consequence, NS + "licence", SO + "affects") == [NS + "bus-operator"]
    assert objects(consequence, NS + "licence", SO + "hasAgent") == []
    with pytest.raises(curate.CurateError, match="report"):
        curate.claim_triples(story, {"mode": "mention", "doc": DOC, "start": start, "end": start + 6})
