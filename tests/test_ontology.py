"""The ontology files: they parse everywhere, pass the ROBOT-style checks, and the shapes accept exactly the
valid examples."""

from __future__ import annotations

import functools
import hashlib
import io
import re
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from examples import cases, compose, mentioning, merge, shared
from rdflib.namespace import SH

from kg.docs import render_reference
from kg.vocab import ONTOLOGY_IRI, PREFIXES

pytestmark = pytest.mark.heavy  # scheduled first (tests/conftest.py)

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology"
EXAMPLES = ONTOLOGY / "examples"
CHECKS = sorted((ONTOLOGY / "checks").glob("*.rq"))
TURTLE = sorted([*ONTOLOGY.glob("**/*.ttl"), *ONTOLOGY.glob("**/*.trig")])
VALID, INVALID, INCONSISTENT = cases("valid"), cases("invalid"), cases("inconsistent")
SHAPES_NS = "https://w3id.org/standoff/shapes#"
SO, CAMEO = PREFIXES["so"], PREFIXES["cameo"]


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


# --- parsing --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", TURTLE, ids=_name)
def test_turtle_parses_with_pyoxigraph_rdflib_and_rapper(path: Path) -> None:
    trig = path.suffix == ".trig"  # the examples that are deltas (tests/examples.py)
    syntax = "trig" if trig else "turtle"
    triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TRIG if trig else ox.RdfFormat.TURTLE))
    count = sum(1 for _ in rdflib.Dataset().parse(path, format=syntax).quads())
    assert len(triples) == count > 0
    result = subprocess.run(["rapper", "-i", syntax, "-c", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert f"returned {count} triple{'s' if count != 1 else ''}\n" in result.stderr


def test_ontology_loads_in_owlready2_with_every_term_of_ours() -> None:
    import owlready2

    triples = [t for name in ("standoff.ttl", "alignments.ttl", "cameo.ttl")
               for t in ox.parse(path=str(ONTOLOGY / name), format=ox.RdfFormat.TURTLE)]
    world = owlready2.World()
    onto = world.get_ontology("urn:test:ontology").load(
        fileobj=io.BytesIO(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)), format="ntriples")
    assert onto is not None
    assert world[SO + "Act"] in world[SO + "Demand"].is_a
    assert len(world[SO + "Ultimatum"].equivalent_to) == 1
    assert owlready2.TransitiveProperty in world[SO + "after"].is_a
    assert owlready2.FunctionalProperty in world[SO + "status"].is_a
    assert world[SO + "sha256"] in set(world.data_properties())


# --- header, CAMEO ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ontology() -> ox.Store:
    store = ox.Store()
    for name in ("standoff.ttl", "alignments.ttl", "cameo.ttl"):
        store.load(path=str(ONTOLOGY / name), format=ox.RdfFormat.TURTLE)
    return store


def _values(store: ox.Store, subject: str, predicate: str) -> set[str]:
    return {str(q.object) for q in store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None)}


def test_header_carries_title_creator_license_and_version(ontology: ox.Store) -> None:
    dc, owl = "http://purl.org/dc/terms/", PREFIXES["owl"]
    assert _values(ontology, ONTOLOGY_IRI, dc + "creator") == {'"The standoff developers"'}
    assert _values(ontology, ONTOLOGY_IRI, dc + "license") == {"<https://creativecommons.org/licenses/by/4.0/>"}
    assert _values(ontology, ONTOLOGY_IRI, owl + "versionIRI") == {"<https://w3id.org/standoff/ontology/0.1.0>"}
    assert _values(ontology, ONTOLOGY_IRI, owl + "versionInfo") == {'"0.1.0"'}
    assert _values(ontology, ONTOLOGY_IRI, dc + "title") == {'"standoff ontology"@en'}


@pytest.mark.parametrize(("code", "label", "parent"), [
    ("1042", "Demand policy change", "104"), ("1212", "Reject military cooperation", "121"),
    ("1232", "Reject request for policy change", "123"), ("124", "Refuse to yield", "12"),
    ("1312", "Threaten with sanctions, boycott, embargo", "131"),
    ("1313", "Threaten to reduce or break relations", "131"),
    ("132", "Threaten with administrative sanctions", "13"), ("139", "Give ultimatum", "13"),
    ("163", "Impose embargo, boycott, or sanctions", "16"), ("172", "Impose administrative sanctions", "17"),
    ("010", "Make statement", "01"), ("037", "Express intent to settle dispute", "03"),
])
def test_cameo_code_has_codebook_label_string_notation_and_family(ontology: ox.Store, code: str, label: str,
                                                                    parent: str) -> None:
    skos = PREFIXES["skos"]
    assert _values(ontology, CAMEO + code, skos + "notation") == {f'"{code}"'}
    assert _values(ontology, CAMEO + code, skos + "prefLabel") == {f'"{label}"@en'}
    assert _values(ontology, CAMEO + code, skos + "broader") == {f"<{CAMEO}{parent}>"}
    assert _values(ontology, CAMEO + code, skos + "inScheme") == {f"<{CAMEO}scheme>"}


def test_every_cameo_concept_reaches_a_top_family_and_notations_are_plain_strings(ontology: ox.Store) -> None:
    rows = list(ontology.query("""
        SELECT ?c ?n WHERE { ?c skos:inScheme cameo:scheme ; skos:notation ?n .
          FILTER NOT EXISTS { ?c skos:broader* ?top . ?top skos:topConceptOf cameo:scheme } }""", prefixes=PREFIXES))
    assert rows == []
    notations = list(ontology.query("SELECT ?n WHERE { ?c skos:inScheme cameo:scheme ; skos:notation ?n }",
                                    prefixes=PREFIXES))
    assert len(notations) >= 40
    assert {r["n"].datatype.value for r in notations} == {PREFIXES["xsd"] + "string"}
    families = {r["n"].value for r in notations if len(r["n"].value) == 2}
    assert {"01", "03", "10", "11", "12", "13", "16", "17"} <= families


def test_every_act_class_maps_to_a_cameo_concept_in_the_scheme(ontology: ox.Store) -> None:
    rows = list(ontology.query("""
        SELECT ?cls ?code WHERE { ?cls so:cameoClass ?code .
          FILTER NOT EXISTS { ?code skos:inScheme cameo:scheme } }""",
                               prefixes=PREFIXES))
    assert rows == []
    unmapped = list(ontology.query("""
        SELECT ?cls WHERE { ?cls rdfs:subClassOf+ so:Act . FILTER NOT EXISTS { ?cls so:cameoClass ?code } }""",
                                   prefixes=PREFIXES))
    assert unmapped == []
    assert _values(ontology, SO + "Ultimatum", SO + "cameoClass") == {f"<{CAMEO}139>"}


# --- ROBOT-style checks ------------------------------------------------------------------------------------------

def test_there_is_one_check_per_robot_report_defect() -> None:
    assert {p.stem for p in CHECKS} == {
        "missing_label", "missing_definition", "missing_isDefinedBy", "duplicate_label", "multiple_labels",
        "missing_ontology_title", "missing_ontology_description", "missing_ontology_license",
        "label_whitespace", "lowercase_definition", "undeclared_term"}


@pytest.fixture(scope="module")
def everything() -> ox.Store:
    """Every Turtle file the checks cover: ontology/ (examples included, a delta as the example it composes) and
    triples/."""
    store = ox.Store()
    for path in TURTLE + sorted((ROOT / "triples").glob("**/*.ttl")):
        graph = ox.NamedNode("urn:file:" + _name(path))
        if path.suffix == ".trig":
            store.load(compose(path).serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES,
                       to_graph=graph)
        else:
            store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=graph)
    return store


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.stem)
def test_check_finds_nothing(everything: ox.Store, check: Path) -> None:
    text = check.read_text()
    assert re.search(r"^# problem: \S", text, re.M) and re.search(r"^# solution: \S", text, re.M)
    result = everything.query(text, use_default_graph_as_union=True)
    assert [v.value for v in result.variables] == ["entity", "property", "value"]  # type: ignore[union-attr]
    assert [str(row) for row in result] == []


@pytest.mark.parametrize(("check", "turtle", "expected"), [
    ("missing_label", "so:Thing a owl:Class .", "so:Thing"),
    ("missing_definition", 'so:Thing a owl:Class ; rdfs:label "thing"@en .', "so:Thing"),
    ("missing_isDefinedBy", "so:Thing a owl:Class ; rdfs:isDefinedBy <http://www.w3.org/ns/org> .", "so:Thing"),
    ("duplicate_label", 'so:A a owl:Class ; rdfs:label "x"@en . so:B a owl:Class ; rdfs:label "x"@en .', "so:A"),
    ("multiple_labels", 'so:A a owl:Class ; rdfs:label "x"@en, "y"@en .', "so:A"),
    ("missing_ontology_license", "<urn:o> a owl:Ontology .", "<urn:o>"),
    ("label_whitespace", 'so:A rdfs:label "x "@en .', "so:A"),
    ("lowercase_definition", 'so:A skos:definition "a thing."@en .', "so:A"),
    ("undeclared_term", "<urn:x> a schema:Movie .", "schema:Movie"),
    ("undeclared_term", "<urn:x> so:notAProperty <urn:y> .", "so:notAProperty"),
])
def test_check_catches_its_defect(check: str, turtle: str, expected: str) -> None:
    store = ox.Store()
    prefixes = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())
    store.load(prefixes + turtle, format=ox.RdfFormat.TURTLE)
    rows = list(store.query((ONTOLOGY / "checks" / f"{check}.rq").read_text()))
    prefix, _, local = expected.partition(":")
    iri = expected[1:-1] if expected.startswith("<") else PREFIXES[prefix] + local
    assert ox.NamedNode(iri) in {row["entity"] for row in rows}  # type: ignore[index]


# --- shapes -------------------------------------------------------------------------------------------------------

ALLOWED_SHACL = {str(SH) + name for name in (
    "NodeShape", "PropertyShape", "targetClass", "targetObjectsOf", "property", "path", "minCount", "maxCount",
    "datatype", "class", "nodeKind", "Literal", "in", "hasValue", "pattern", "minInclusive", "lessThan", "or", "not",
    "node", "message", "name")}


@functools.cache
def _graph(name: str) -> rdflib.Graph:
    """An ontology file, parsed once (never changed: _failures gives pySHACL new graphs, which it changes)."""
    return rdflib.Graph().parse(ONTOLOGY / name)


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return _graph("shapes.ttl")


def _failures(data: rdflib.Graph, inference: str) -> set[tuple[rdflib.term.Node, str]]:
    """pySHACL over data and CAMEO against the shapes: the (focus node, check name) of each result."""
    import pyshacl

    data = data + _graph("cameo.ttl")  # a new graph, so pySHACL may infer into it (inplace) rather than copy it
    shapes = rdflib.Graph() + _graph("shapes.ttl")  # pySHACL adds two RDFS axioms to the shapes graph
    if inference == "none":  # what a SPARQL compilation sees: the ontology's subclasses in the data, nothing inferred
        conforms, report, _ = pyshacl.validate(data + _graph("standoff.ttl"), shacl_graph=shapes, inplace=True)
    else:
        conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=_graph("standoff.ttl"),
                                               inference=inference, inplace=True)
    failed = {(report.value(result, SH.focusNode), str(report.value(result, SH.sourceShape)).removeprefix(SHAPES_NS))
              for result in report.objects(None, SH.result)}
    assert conforms == (not failed)
    return failed


@functools.cache
def _composed() -> dict[Path, rdflib.Graph]:
    """Every example, composed once (the cases are never changed)."""
    return {path: compose(path) for path in VALID + INCONSISTENT + INVALID}


@functools.cache
def _failed_by_case(inference: str) -> dict[Path, set[str]]:
    """Each case's failed checks, from ONE pySHACL run over all the cases merged rather than one per case (the
    owlrl closure and pySHACL's setup cost ~1.3 s a case with RDFS inference, ~0.3 s without).

    The cases' own nodes are renamed apart (tests/examples.rename), the vocabulary is shared, and a result belongs
    to the case that owns its sh:focusNode. Where the merged run could mix cases up, a case is validated alone, as
    it used to be: it mentions a shared focus node of a result, it says things about shared nodes that the ontology
    and CAMEO do not, or (with inference) it mentions a shared node that the cases' data give different classes the
    shapes name, by rdfs:range."""
    data = _composed()
    vocabulary, named = _graph("cameo.ttl") + _graph("standoff.ttl"), set(_graph("shapes.ttl").all_nodes())
    merged, owner = merge(data)
    alone: set[Path] = set()
    typed: dict[rdflib.term.Node, dict[Path, set[rdflib.term.Node]]] = {}

    @functools.cache
    def ranges(predicate: rdflib.term.Node) -> set[rdflib.term.Node]:  # the classes RDFS gives its objects
        return named & {c for q in vocabulary.transitive_objects(predicate, rdflib.RDFS.subPropertyOf)
                        for r in vocabulary.objects(q, rdflib.RDFS.range)
                        for c in vocabulary.transitive_objects(r, rdflib.RDFS.subClassOf)}

    for path, graph in data.items():
        for s, p, o in graph:
            if shared(s) and (s, p, o) not in vocabulary:
                alone.add(path)
            if inference != "none" and shared(o) and not isinstance(o, rdflib.Literal):
                typed.setdefault(o, {}).setdefault(path, set()).update(ranges(p))
    for node, by_case in typed.items():  # the classes each case's data give the node, by ranges
        if len({frozenset(classes) for classes in by_case.values()}) > 1:
            alone |= mentioning(data, node)
    failed: dict[Path, set[str]] = {path: set() for path in data}
    for focus, check in _failures(merged, inference):
        if focus in owner:
            failed[owner[focus]].add(check)
        else:  # a shared node: the cases that mention it go alone (all of them if none does: the vocabulary fails)
            alone |= mentioning(data, focus) or set(data)
    for path in alone:
        failed[path] = {check for _, check in _failures(data[path], inference)}
    return failed


def test_shapes_use_only_shacl_core_and_every_check_is_named_and_explained(shapes: rdflib.Graph) -> None:
    used = {str(t) for triple in shapes for t in triple if str(t).startswith(str(SH))}
    assert used <= ALLOWED_SHACL, used - ALLOWED_SHACL
    for shape in shapes.subjects(rdflib.RDF.type, SH.PropertyShape):
        assert shapes.value(shape, SH.message) and shapes.value(shape, SH.name), shape
        assert shapes.value(shape, rdflib.RDFS.label), shape
    for shape in shapes.subjects(rdflib.RDF.type, SH.NodeShape):
        assert shapes.value(shape, rdflib.RDFS.label), shape


def test_every_check_has_an_invalid_example(shapes: rdflib.Graph) -> None:
    checks = {str(s).removeprefix(SHAPES_NS) for s in shapes.subjects(rdflib.RDF.type, SH.PropertyShape)}
    checks |= {str(s).removeprefix(SHAPES_NS) for s in shapes.subjects(SH["or"], None)
               if (s, rdflib.RDF.type, SH.NodeShape) in shapes}
    assert checks == {p.stem.split("-")[0] for p in INVALID}


@pytest.mark.parametrize("path", VALID + INCONSISTENT, ids=_name)
@pytest.mark.parametrize("inference", ["rdfs", "none"])
def test_valid_and_inconsistent_examples_pass_the_shapes(path: Path, inference: str) -> None:
    assert _failed_by_case(inference)[path] == set()


@pytest.mark.parametrize("path", INVALID, ids=_name)
@pytest.mark.parametrize("inference", ["rdfs", "none"])
def test_invalid_example_fails_exactly_its_check(path: Path, inference: str) -> None:
    assert _failed_by_case(inference)[path] == {path.stem.split("-")[0]}


def test_example_evidence_matches_the_example_text() -> None:
    text = (EXAMPLES / "example.txt").read_text(encoding="utf-8")
    digest = hashlib.sha256((EXAMPLES / "example.txt").read_bytes()).hexdigest()
    positions = 0
    for path in VALID:
        store = ox.Store()
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
        assert [r["h"].value for r in store.query(  # type: ignore[index, union-attr]
            "SELECT ?h WHERE { ?d so:sha256 ?h }", prefixes=PREFIXES)] == [digest]
        for row in store.query("""SELECT ?exact ?start ?end WHERE { ?span oa:hasSelector ?q .
                ?q oa:exact ?exact . OPTIONAL { ?span oa:hasSelector ?p . ?p oa:start ?start ; oa:end ?end } }""",
                               prefixes=PREFIXES):
            exact = row["exact"].value  # type: ignore[index]
            assert text.count(exact) == 1, exact
            if row["start"] is not None:  # type: ignore[index]
                positions += 1
                assert text[int(row["start"].value):int(row["end"].value)] == exact  # type: ignore[index]
    assert positions >= 5


# --- reference documentation ----------------------------------------------------------------------------------------

def test_reference_is_up_to_date() -> None:
    committed = (ONTOLOGY / "REFERENCE.md").read_text(encoding="utf-8")
    assert committed == render_reference(ONTOLOGY), "ontology/REFERENCE.md is stale: run `python -m kg.docs`"


def test_reference_lists_every_class_and_property_of_ours(ontology: ox.Store) -> None:
    text = render_reference(ONTOLOGY)
    terms = [r["t"].value for r in ontology.query(  # type: ignore[index, union-attr]
        """SELECT ?t WHERE { ?t a ?k . VALUES ?k { owl:Class owl:ObjectProperty owl:DatatypeProperty
           owl:AnnotationProperty } FILTER(STRSTARTS(STR(?t), STR(so:))) }""", prefixes=PREFIXES)]
    assert len(terms) > 50
    for term in terms:
        assert f"so:{term.removeprefix(SO)} " in text, term
    assert "| so:status | status | so:Eventuality | one of {so:threatened" in text
    assert "- CAMEO class: cameo:139 (Give ultimatum)" in text


# --- the whole CAMEO codebook ----------------------------------------------------------------------------------

# Codes per family below the family itself, counted by hand in the codebook's list of event codes (CAMEO 1.1b3,
# chapter 6), not from cameo.ttl: e.g. 02 is 020-028 with 0211-0214, 0231-0234, 0241-0244 and 0251-0256 (27).
CODEBOOK_CODES_PER_FAMILY = {
    "01": 10, "02": 27, "03": 28, "04": 7, "05": 8, "06": 5, "07": 6, "08": 25, "09": 5, "10": 27,
    "11": 12, "12": 26, "13": 22, "14": 26, "15": 6, "16": 13, "17": 13, "18": 14, "19": 9, "20": 7}


def test_cameo_scheme_holds_the_whole_codebook_as_a_tree_of_notations(ontology: ox.Store) -> None:
    skos = PREFIXES["skos"]
    rows = list(ontology.query("""
        SELECT ?c ?n WHERE { ?c a skos:Concept ; skos:inScheme cameo:scheme ; skos:notation ?n }""",
                               prefixes=PREFIXES))  # type: ignore[arg-type]
    notation = {r["c"].value: r["n"].value for r in rows}  # type: ignore[index]
    assert len(notation) == len(rows) == 20 + sum(CODEBOOK_CODES_PER_FAMILY.values()) == 316
    assert all(iri == CAMEO + n for iri, n in notation.items())
    families = {n for n in notation.values() if len(n) == 2}
    assert families == set(CODEBOOK_CODES_PER_FAMILY) == {f"{i:02d}" for i in range(1, 21)}
    assert _values(ontology, CAMEO + "scheme", skos + "hasTopConcept") == {f"<{CAMEO}{f}>" for f in families}
    for code in notation.values():
        broader = _values(ontology, CAMEO + code, skos + "broader")
        if len(code) == 2:
            assert _values(ontology, CAMEO + code, skos + "topConceptOf") == {f"<{CAMEO}scheme>"}
            assert broader == set(), code
        else:
            assert len(code) in (3, 4), code
            assert broader == {f"<{CAMEO}{code[:-1]}>"}, code  # 1042 -> 104, 104 -> 10
            assert _values(ontology, CAMEO + code, skos + "topConceptOf") == set(), code
    per_family = {f: sum(1 for n in notation.values() if len(n) > 2 and n[:2] == f) for f in families}
    assert per_family == CODEBOOK_CODES_PER_FAMILY


@pytest.mark.parametrize(("code", "label"), [
    ("0214", "Appeal for intelligence"), ("0356", "Express intent to de-escalate military engagement"),
    ("044", 'Meet at a "third" location'), ("064", "Share intelligence or information"), ("075", "Grant asylum"),
    ("0874", "Retreat or surrender militarily"), ("094", "Investigate war crimes"),
    ("101", "Demand material cooperation"), ("1125", "Accuse of espionage, treason"),
    ("1246", "Refuse to de-escalate military engagement"), ("1383", "Threaten unconventional violence"),
    ("1454", "Engage in violent protest for change in institutions, regime"),
    ("155", "Mobilize or increase cyber-forces"), ("1663", "Expel or withdraw aid agencies"),
    ("176", "Attack cybernetically"), ("1834", "Carry out location bombing"),
    ("1952", "Employ remotely piloted aerial munitions"), ("2042", "Detonate nuclear weapons"),
    ("20", "USE UNCONVENTIONAL MASS VIOLENCE"),
])
def test_cameo_code_carries_the_codebook_name(ontology: ox.Store, code: str, label: str) -> None:
    assert _values(ontology, CAMEO + code, PREFIXES["skos"] + "prefLabel") == {str(ox.Literal(label, language="en"))}


def test_cameo_codes_not_specified_below_say_so_in_a_scope_note_not_in_the_label(ontology: ox.Store) -> None:
    skos = PREFIXES["skos"]
    noted = {r["n"].value for r in ontology.query(  # type: ignore[index, union-attr]
        "SELECT ?n WHERE { ?c skos:inScheme cameo:scheme ; skos:notation ?n ; skos:scopeNote ?s }", prefixes=PREFIXES)}
    # the codebook's "not specified below" codes, by family
    assert noted == {"010", "020", "021", "023", "024", "025", "030", "031", "033", "034", "035", "040", "050", "060",
                     "070", "080", "081", "083", "084", "086", "090", "100", "101", "103", "104", "105", "110", "112",
                     "120", "122", "123", "124", "130", "131", "132", "138", "140", "141", "142", "143", "144", "145",
                     "150", "160", "162", "166", "170", "171", "172", "180", "182", "183", "190", "195", "200", "204"}
    labels = [r["l"].value for r in ontology.query(  # type: ignore[index, union-attr]
        "SELECT ?l WHERE { ?c skos:inScheme cameo:scheme ; skos:prefLabel ?l }", prefixes=PREFIXES)]
    assert not [label for label in labels if "specified" in label]
    assert _values(ontology, CAMEO + "1383", skos + "altLabel") == {'"Threaten unconventional attack"@en'}
