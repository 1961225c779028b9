"""Errors that teach: each authoring mistake, made once in a copy of the project, and the message that says what to do.

Each case is the smallest change to a curated file that makes one mistake (LinkML's invalid examples); the message
is read from the real check (`kg validate` / the build's validation), not from the hint functions alone.
"""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from kg.build import validate_project
from kg.cli import app

ACTS = Path("triples") / "pentagon-anthropic" / "acts.ttl"


def edit(project: Path, old: str, new: str, relative: Path = ACTS) -> None:
    path = project / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def messages(project: Path) -> list[str]:
    return [str(v) for v in validate_project(project)]


def test_a_quote_typed_with_straight_quotes_shows_the_passage_and_the_difference(project_copy: Path) -> None:
    edit(project_copy, 'oa:exact "The Pentagon’s ultimatum"', 'oa:exact "The Pentagon\'s ultimatum"')
    [message] = messages(project_copy)
    assert "quote not found in article.txt: `The Pentagon's ultimatum`" in message
    assert "closest passage" in message and "`The Pentagon’s ultimatum`" in message
    assert "straight vs curly quotes: `'` in the quote, `’` in the text" in message


def test_a_quote_with_a_wrong_dash_space_and_case_names_each_difference(project_copy: Path) -> None:
    edit(project_copy, '"insisting that Anthropic modify its models to support sensitive military workflows"',
         '"insisting that anthropic  modify its models - to support sensitive military workflows"')
    [message] = messages(project_copy)
    assert "case: `a` in the quote, `A` in the text" in message
    assert "spaces" in message and "`insisting that Anthropic modify its models to support" in message


def test_an_ambiguous_quote_proposes_a_prefix_or_suffix_that_works(project_copy: Path) -> None:
    edit(project_copy, 'oa:exact "The Pentagon’s ultimatum"', 'oa:exact "the Pentagon"')
    [message] = messages(project_copy)
    assert re.search(r"quote occurs \d+ times in article.txt", message)
    assert "add an oa:prefix or oa:suffix that tells them apart" in message
    # The proposal for the first place is real: adding it makes the quote unique again.
    first = re.search(r"tells them apart: at \d+ (oa:(?:prefix|suffix) \"[^\"]*\")", message)
    assert first, message
    edit(project_copy, 'oa:exact "the Pentagon"', f'oa:exact "the Pentagon" ; {first[1]}')
    assert messages(project_copy) == []


def test_an_undeclared_term_prints_the_checks_solution_and_the_likely_term(project_copy: Path, root: Path) -> None:
    edit(project_copy, "    so:hasAgent pa:department-of-defense ;\n    so:directedAt pa:anthropic ;\n    so:demands",
         "    so:hasAgnet pa:department-of-defense ;\n    so:directedAt pa:anthropic ;\n    so:demands")
    [message] = [m for m in messages(project_copy) if "[undeclared_term]" in m]
    solution = re.search(r"^# solution: (.*?)\n(?!#)", (root / "ontology/checks/undeclared_term.rq").read_text(),
                         re.M | re.S)
    assert solution
    assert " ".join(solution[1].replace("#", " ").split()).rstrip(".") in message
    assert "did you mean so:hasAgent?" in message


def test_a_cameo_code_not_in_the_scheme_lists_the_nearest_codes(project_copy: Path) -> None:
    edit(project_copy, "so:cameoCode cameo:139 .", "so:cameoCode cameo:1399 .")
    found = [m for m in messages(project_copy) if "[shape:ActCameoCode" in m]
    assert len(found) == 1
    assert "cameo:1399 is not a code of cameo:scheme; nearest by number: cameo:139 (Give ultimatum)" in found[0]


def test_a_cameo_code_given_as_a_word_lists_codes_by_label(project_copy: Path) -> None:
    edit(project_copy, "so:cameoCode cameo:139 .", "so:cameoCode cameo:ultimatum .")
    [message] = [m for m in messages(project_copy) if "[shape:ActCameoCode" in m]
    assert "nearest by label: cameo:139 (Give ultimatum)" in message


def test_a_prefixed_name_ending_in_a_dot_is_explained(project_copy: Path) -> None:
    edit(project_copy, "    so:escalates pa:tension ;", "    so:escalates pa:tension. ;")
    result = CliRunner().invoke(app, ["validate", "--project", str(project_copy)])
    assert result.exit_code == 2
    assert "acts.ttl:" in result.output
    assert "'pa:tension.', a prefixed name ending in '.': Turtle ends the statement at that '.'" in result.output
