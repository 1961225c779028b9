"""Every failure is one line with its cause and what to do, a documented exit code, and nothing half written
(issue 17): bad files, bad options, ill-typed literals, empty builds, writes that cannot happen."""

from __future__ import annotations

import os
import re
import socket
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import run_kg
from endpoints import Served

PA = "https://w3id.org/standoff/id/pentagon-anthropic/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def one_line(result: subprocess.CompletedProcess[str], code: int) -> str:
    """The command failed with ``code`` and said why in one line, without a traceback; returns the line."""
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("kg: error: "), result.stderr
    assert "\ufeff" not in lines[0]
    return lines[0]


def fingerprint(store: Path) -> tuple[str, str]:
    """Which build the store link points to, and everything in it (every quad of every graph, read by the engine
    itself: no `kg export` and its worker process for each look): a failed command must change neither."""
    db = ox.Store.read_only(str(store))
    dump = db.dump(format=ox.RdfFormat.N_QUADS).decode()
    del db
    return os.readlink(store), "".join(sorted(dump.splitlines(keepends=True)))


def test_ill_typed_literal_fails_build_validate_and_reason_with_file_node_and_value(project_store: Path) -> None:
    project = project_store.parent.parent
    before = fingerprint(project_store)
    (project / "triples" / "pentagon-anthropic" / "zz-date.ttl").write_text(
        f'<{PA}deadline> <https://w3id.org/standoff/ontology#deadlineTime> "not-a-date"^^<{XSD}dateTime> .\n'
        f'<{PA}article> <{XSD}nothing> "1.5"^^<{XSD}integer> .\n')
    expected = ('triples/pentagon-anthropic/zz-date.ttl: pa:deadline: [ill-typed-literal] so:deadlineTime '
                '"not-a-date" is not a valid xsd:dateTime')
    build = run_kg("build", "--store", str(project_store), cwd=project)
    assert build.returncode == 3 and expected in build.stderr and "Traceback" not in build.stderr
    assert '"1.5" is not a valid xsd:integer' in build.stderr
    assert fingerprint(project_store) == before
    validate = run_kg("validate", cwd=project)
    assert validate.returncode == 3 and expected in validate.stdout
    reason = run_kg("reason", cwd=project)
    assert reason.returncode == 3 and expected in reason.stderr and "Traceback" not in reason.stderr


# The derived integer types and their ranges, as XML Schema 1.1 part 2 (section 3.4) gives them; None: unbounded.
DERIVED_RANGES = {"nonNegativeInteger": (0, None), "positiveInteger": (1, None), "nonPositiveInteger": (None, 0),
                  "negativeInteger": (None, -1), "long": (-9223372036854775808, 9223372036854775807),
                  "int": (-2147483648, 2147483647), "short": (-32768, 32767), "byte": (-128, 127),
                  "unsignedLong": (0, 18446744073709551615), "unsignedInt": (0, 4294967295),
                  "unsignedShort": (0, 65535), "unsignedByte": (0, 255)}


def test_derived_integers_out_of_range_fail_build_validate_and_reason(project_store: Path) -> None:
    project = project_store.parent.parent
    before = fingerprint(project_store)
    lines, wrong = [], set()
    for name, (low, high) in DERIVED_RANGES.items():
        for bound, outside in ((low, -1), (high, 1)):
            if bound is not None:  # the bound itself is valid, one past it is not
                typed = f"^^<{XSD}{name}>"
                lines.append(f'<{PA}article> <{PA}{name}> "{bound}"{typed} , "{bound + outside}"{typed} .')
                wrong.add((name, str(bound + outside)))
    # In a prefixed form too, and in a dataset format (TriG): every build path parses them the same way.
    (project / "triples" / "pentagon-anthropic" / "zz-range.ttl").write_text("\n".join(lines) + "\n")
    (project / "triples" / "pentagon-anthropic" / "zz-range.trig").write_text(
        f'@prefix xsd: <{XSD}> .\n{{ <{PA}article> <{PA}small> "300"^^xsd:byte , "-1"^^xsd:nonNegativeInteger . }}\n')
    wrong |= {("small", "300"), ("small", "-1")}
    validate = run_kg("validate", cwd=project)
    assert validate.returncode == 3, validate.stdout + validate.stderr
    reported = set(re.findall(r'\[ill-typed-literal\] pa:(\w+) "([^"]*)"', validate.stdout))
    assert reported == wrong
    assert ('triples/pentagon-anthropic/zz-range.ttl: pa:article: [ill-typed-literal] pa:byte "128" is not '
            'a valid xsd:byte: it is out of its range, -128 to 127') in validate.stdout
    assert ('zz-range.trig: pa:article: [ill-typed-literal] pa:small "-1" is not a valid '
            'xsd:nonNegativeInteger: it is out of its range, at least 0') in validate.stdout
    build = run_kg("build", "--store", str(project_store), cwd=project)
    assert build.returncode == 3 and '"256" is not a valid xsd:unsignedByte' in build.stderr, build.stderr
    assert "Traceback" not in build.stderr
    assert fingerprint(project_store) == before
    reason = run_kg("reason", cwd=project)
    assert reason.returncode == 3 and '"0" is not a valid xsd:positiveInteger' in reason.stderr, reason.stderr


def test_build_without_inputs_or_project_is_refused_and_keeps_the_store(project_store: Path, tmp_path: Path) -> None:
    before = fingerprint(project_store)
    empty = tmp_path / "empty"
    (empty / "triples").mkdir(parents=True)
    line = one_line(run_kg("build", "--store", str(project_store), "--project", str(empty)), 2)
    assert "no RDF files" in line and "--allow-empty" in line
    line = one_line(run_kg("build", "--store", str(project_store), "--project", str(tmp_path / "nonexistent")), 2)
    assert "no such folder" in line
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    line = one_line(run_kg("build", "--store", str(project_store), cwd=elsewhere), 2)  # run outside any project
    assert "not a project" in line
    assert fingerprint(project_store) == before
    # Asked for, an empty build is made.
    other = tmp_path / "empty-store"
    result = run_kg("build", "--store", str(other), "--project", str(empty), "--allow-empty", "-q")
    assert result.returncode == 0, result.stderr


def test_unknown_reasoner_is_refused_before_anything_is_built(project_store: Path) -> None:
    before = fingerprint(project_store)
    line = one_line(run_kg("build", "--reasoner", "bogus", "--store", str(project_store),
                           cwd=project_store.parent.parent), 2)
    assert "--reasoner 'bogus': use rules or hermit" in line
    assert fingerprint(project_store) == before


@pytest.mark.parametrize("command", ["sparql", "export"])
def test_graph_that_is_not_an_iri(built_store: Path, command: str) -> None:
    args = ["SELECT * { ?s ?p ?o } LIMIT 1"] if command == "sparql" else []
    line = one_line(run_kg(command, *args, "--graph", "not an iri", "--store", str(built_store)), 5)
    assert "--graph 'not an iri': not an IRI" in line


def test_query_file_missing_not_utf8_or_with_a_bom(built_store: Path, tmp_path: Path) -> None:
    line = one_line(run_kg("sparql", "--file", str(tmp_path / "none.rq"), "--store", str(built_store)), 2)
    assert "none.rq: no such file" in line
    latin = tmp_path / "latin.rq"
    latin.write_bytes(b"SELECT ?s WHERE { ?s rdfs:label \"caf\xe9\" }")
    line = one_line(run_kg("sparql", "--file", str(latin), "--store", str(built_store)), 2)
    assert "latin.rq:1:" in line and "not UTF-8" in line and "0xe9" in line
    bom = tmp_path / "bom.rq"
    bom.write_bytes("\ufeffASK { pa:anthropic a so:Company }".encode())
    result = run_kg("sparql", "--file", str(bom), "--store", str(built_store))
    assert result.returncode == 0 and result.stdout == "true\n", result.stderr
    bom.write_bytes("\ufeffASK { pa:anthropic a so:Company ".encode())
    result = run_kg("sparql", "--file", str(bom), "--store", str(built_store))
    assert result.returncode == 5 and "\ufeff" not in result.stderr and "Traceback" not in result.stderr
    assert "bom.rq:1:" in result.stderr


def test_update_with_prefixes_on_one_line_is_an_update(project_store: Path) -> None:
    before = fingerprint(project_store)
    update = "PREFIX a: <http://a/> PREFIX b: <http://b/> INSERT DATA { a:x a:y b:z }"
    line = one_line(run_kg("sparql", update, "--store", str(project_store)), 5)
    assert "only with --update" in line
    assert fingerprint(project_store) == before


def test_load_in_an_update_is_one_line_and_changes_nothing(project_store: Path, tmp_path: Path) -> None:
    before = fingerprint(project_store)
    data = tmp_path / "data.ttl"
    data.write_text("<http://e/a> <http://e/b> <http://e/c> .\n")
    line = one_line(run_kg("sparql", f"LOAD <file://{data}>", "--update", "--store", str(project_store)), 5)
    assert "LOAD failed" in line and "kg link add" in line
    assert fingerprint(project_store) == before


@pytest.mark.parametrize("command", [["export"], ["link", "export"]])
def test_output_into_a_missing_folder(built_store: Path, tmp_path: Path, command: list[str]) -> None:
    target = tmp_path / "missing" / "out.ttl"
    line = one_line(run_kg(*command, "-o", str(target), "--store", str(built_store)), 9)
    assert "the folder does not exist" in line and str(target) in line


def test_output_is_written_under_a_temporary_name_and_renamed(built_store: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    target.write_text("the previous export\n")
    result = run_kg("export", "--format", "nosuch", "-o", str(target), "--store", str(built_store))
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert target.read_text() == "the previous export\n"  # a failed export leaves the old file
    assert [p.name for p in tmp_path.iterdir()] == ["out.ttl"]
    assert run_kg("export", "-o", str(target), "--store", str(built_store)).returncode == 0
    assert target.read_text().startswith("@prefix") and [p.name for p in tmp_path.iterdir()] == ["out.ttl"]


def test_review_file_that_is_not_utf8(project_store: Path, tmp_path: Path) -> None:
    review = tmp_path / "review.csv"
    review.write_bytes(b"decision,dataset,actor,entity,predicate\naccept,x,caf\xe9,b,c\n")
    line = one_line(run_kg("link", "accept", str(review), "--store", str(project_store)), 2)
    assert "review.csv:2:" in line and "not UTF-8" in line


def test_source_text_that_is_not_utf8_is_a_violation(project_copy: Path) -> None:
    import hashlib
    import re

    text = project_copy / "triples" / "pentagon-anthropic" / "article.txt"
    old_sha = hashlib.sha256(text.read_bytes()).hexdigest()
    text.write_bytes(text.read_bytes().replace(b"Anthropic", b"Anthr\xf6pic", 1))
    new_sha = hashlib.sha256(text.read_bytes()).hexdigest()
    for ttl in (project_copy / "triples").rglob("*.ttl"):
        ttl.write_text(re.sub(old_sha, new_sha, ttl.read_text()))
    result = run_kg("validate", cwd=project_copy)
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert "article.txt: not UTF-8 text (byte 0xf6" in result.stdout


@pytest.mark.parametrize("length", ["abc", "-5", "99999999999"])
def test_page_server_refuses_a_bad_or_huge_content_length(served: Served, length: str) -> None:
    host, port = served.page.split("//")[1].rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(f"POST /query HTTP/1.1\r\nHost: x\r\nContent-Length: {length}\r\n"
                     "Content-Type: application/sparql-query\r\n\r\nASK {}".encode())
        answer = conn.recv(4096).decode("latin-1")
    assert answer.split()[1] == ("413" if length.isdigit() else "400"), answer
    # The server still answers afterwards.
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(b"GET /queries.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert conn.recv(100).startswith(b"HTTP/1.1 200")


def test_rdf_input_with_a_bom_loads_and_one_not_utf8_is_one_line(project_copy: Path) -> None:
    links = project_copy / "triples" / "pentagon-anthropic" / "links.ttl"
    links.write_bytes(b"\xef\xbb\xbf" + links.read_bytes())
    assert run_kg("validate", cwd=project_copy).returncode == 0
    (project_copy / "triples" / "pentagon-anthropic" / "zz.nt").write_bytes(b'<http://e/a> <http://e/b> "caf\xe9" .\n')
    line = one_line(run_kg("validate", cwd=project_copy), 2)
    assert "triples/pentagon-anthropic/zz.nt:1:" in line and "save the file as UTF-8" in line
