"""SHACL that refuses what it cannot check, and honours severities (issue 17): sh:languageIn is checked (as pySHACL
checks it), a shape using a term the compiler does not implement is an error naming the term, and only results of
severity sh:Violation fail a build; warnings and infos are reported."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import run_kg

from kg import shacl
from kg.errors import InputError

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
LANGUAGE_SHAPE = PREFIXES + """
ex:LabelShape a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path rdfs:label ; sh:languageIn ( "en" "fr" ) ] .
"""
DATA = PREFIXES + """
ex:a a ex:Thing ; rdfs:label "Anthropic"@en .
ex:b a ex:Thing ; rdfs:label "Anthropic"@en-GB .
ex:c a ex:Thing ; rdfs:label "Anthropisch"@de .
ex:d a ex:Thing ; rdfs:label "no language" .
ex:e a ex:Thing ; rdfs:label ex:notALiteral .
"""


def test_language_in_is_checked_as_pyshacl_checks_it() -> None:
    import pyshacl
    import rdflib

    data = ox.Store()
    data.load(DATA.encode(), format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("http://example.org/g"))
    ours = {r.focus.value for r in shacl.validate(data, shacl.compile_shapes(
        ox.parse(LANGUAGE_SHAPE.encode(), format=ox.RdfFormat.TURTLE)))}
    assert ours == {"http://example.org/c", "http://example.org/d", "http://example.org/e"}
    _, report, _ = pyshacl.validate(rdflib.Graph().parse(data=DATA, format="turtle"),
                                    shacl_graph=rdflib.Graph().parse(data=LANGUAGE_SHAPE, format="turtle"))
    theirs = {str(o) for o in report.objects(None, rdflib.URIRef(shacl.SH + "focusNode"))}
    assert ours == theirs


@pytest.mark.parametrize("term", ["rule", "targetShape", "expression", "fooBar"])
def test_a_shape_with_an_unimplemented_term_is_refused_naming_it(term: str) -> None:
    shapes = PREFIXES + f"ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:{term} ex:x .\n"
    with pytest.raises(InputError, match=f"uses sh:{term}, a SHACL term this checker does not implement"):
        shacl.compile_shapes(ox.parse(shapes.encode(), format=ox.RdfFormat.TURTLE))


def test_a_custom_constraint_component_is_refused() -> None:
    shapes = PREFIXES + "ex:C a sh:ConstraintComponent ; sh:parameter [ sh:path ex:p ] .\n"
    with pytest.raises(InputError, match="custom constraint components"):
        shacl.compile_shapes(ox.parse(shapes.encode(), format=ox.RdfFormat.TURTLE))


def test_unimplemented_term_in_the_project_shapes_fails_validate_and_build(project_copy: Path) -> None:
    shapes = project_copy / "ontology" / "shapes.ttl"
    shapes.write_text(shapes.read_text() + "\nshape:DeadlineTime sh:rule shape:DeadlineTime .\n")
    for args in (["validate"], ["build", "--store", str(project_copy / "s"), "-q"]):
        result = run_kg(*args, cwd=project_copy)
        assert result.returncode == 2, result.stderr
        assert "uses sh:rule" in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("severity,code", [("Warning", 0), ("Info", 0), ("Violation", 3)])
def test_only_violations_fail_warnings_and_infos_are_reported(project_copy: Path, severity: str, code: int) -> None:
    shapes = project_copy / "ontology" / "shapes.ttl"
    # The article gives no time for the deadline, so a shape asking for one fails; its severity decides.
    # (A severity belongs to the shape that has it: here the property shape, whose results these are.)
    shapes.write_text(shapes.read_text() + f"""
shape:DeadlineWhen a sh:NodeShape ;
    sh:targetNode <https://w3id.org/standoff/id/pentagon-anthropic/deadline> ;
    sh:property [ sh:path so:deadlineTime ; sh:minCount 1 ; sh:severity sh:{severity} ;
                  sh:message "give the deadline's time" ] .
""")
    validate = run_kg("validate", cwd=project_copy)
    assert validate.returncode == code, validate.stderr
    line = f"pa:deadline: {severity.lower() + ': ' if severity != 'Violation' else ''}[shape:DeadlineWhen " \
           "sh:MinCountConstraintComponent] give the deadline's time"
    assert line in validate.stdout
    build = run_kg("build", "--store", str(project_copy / "s"), "--no-reason", cwd=project_copy)
    assert build.returncode == code, build.stderr
    assert line in build.stderr
