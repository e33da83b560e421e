"""The rule, parameter, fact and workflow files are described by the JSON Schemas in schemas/
(the same ones editors use), read the way editors read them, and every citation points at a
source that exists. Pure Python (no database)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema_rs
import pytest

from jfslib import datafiles
from jfslib.eligibility import RuleDefinitionError, load_rulebook
from jfslib.eligibility.rules import missing_sources
from jfslib.roles import ALL_ROLES

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = sorted((ROOT / "schemas").glob("*.schema.json"))
DATA_FILES = sorted([*(ROOT / "rules").rglob("*.yaml"), *(ROOT / "workflows").glob("*.yaml"),
                     *(ROOT / "services").glob("*/service.yaml")])
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


@pytest.mark.parametrize("path", SCHEMAS, ids=[p.name for p in SCHEMAS])
def test_every_schema_is_a_valid_draft_07_schema(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema_rs.meta.validate(schema)


@pytest.mark.parametrize("path", DATA_FILES, ids=[str(p.relative_to(ROOT)) for p in DATA_FILES])
def test_every_data_file_names_its_schema_on_its_first_line_and_fits_it(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    m = MODELINE.match(first)
    assert m, f"{path.relative_to(ROOT)} starts with '# yaml-language-server: $schema=../…/schemas/<name>.schema.json'"
    schema_path = (path.parent / m.group(1)).resolve()
    assert schema_path.parent == ROOT / "schemas" and schema_path.is_file(), m.group(1)
    doc, problems = datafiles.read_yaml(path, path.name)
    assert doc is not None, problems
    report = datafiles.Report(doc)
    assert report.check(schema_path.name.removesuffix(".schema.json")), report.problems


def test_the_service_schema_lists_exactly_the_registry_check_kinds_of_the_code() -> None:
    from jfs.exchange.models import KIND_CHOICES

    schema = json.loads((ROOT / "schemas" / "service.schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["registry_checks"]["items"]["enum"] == [k for k, _ in KIND_CHOICES]


def test_the_workflow_schema_lists_exactly_the_roles_of_the_code() -> None:
    schema = json.loads((ROOT / "schemas" / "workflow.schema.json").read_text(encoding="utf-8"))
    assert schema["definitions"]["role"]["enum"] == list(ALL_ROLES)


def copy_rules(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", target)
    return target


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if text in line)


def test_the_schema_refuses_a_misspelt_key_naming_the_file_line_and_path(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    lit = rules / "LIT" / "2016-04-24.yaml"
    lit.write_text(lit.read_text(encoding="utf-8").replace(
        "clause: มาตรา 19, มาตรา 21\n        unconfirmed: true", "clause: มาตรา 19, มาตรา 21\n        unconfimed: true"
    ), encoding="utf-8")
    limit = rules / "parameters" / "monthly_income_limit.yaml"
    limit.write_text(limit.read_text(encoding="utf-8").replace("    value: 17500", "    valeu: 17500"), encoding="utf-8")
    with pytest.raises(RuleDefinitionError) as info:
        load_rulebook(rules)
    problems = info.value.problems
    assert (
        f"LIT/2016-04-24.yaml line {line_of(lit, 'unconfimed')}: criteria[1].citations[0].unconfimed "
        "(in 'adult_or_represented'): unknown key 'unconfimed' — did you mean 'unconfirmed'? "
        "(allowed here: clause, law, note, primary, secondary, unconfirmed, url)"
    ) in problems
    assert (
        f"parameters/monthly_income_limit.yaml line {line_of(limit, 'valeu')}: values.2027-01-01.valeu: "
        "unknown key 'valeu' — did you mean 'value'? (allowed here: note, reference, status, unconfirmed, value)"
    ) in problems
    # what follows from the misspellings is said too (the value is missing, the citation has neither
    # a url nor unconfirmed: true); nothing else
    assert any(p.endswith("values.2027-01-01: 'value' is missing") for p in problems)
    assert any(p.endswith("criteria[1].citations[0] (in 'adult_or_represented'): a citation without a url must say "
                          "unconfirmed: true (name where it was seen in 'secondary')") for p in problems)
    assert len(problems) == 4, problems


def test_yaml_is_read_as_editors_read_it(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("a: yes\nb: on\nc: 2016-04-24\nd: 010\ne: true\nf: 1.5\n", encoding="utf-8")
    doc, problems = datafiles.read_yaml(path, "x.yaml")
    assert doc is not None and not problems
    assert doc.data == {"a": "yes", "b": "on", "c": "2016-04-24", "d": 10, "e": True, "f": 1.5}
    assert doc.lines[("c",)] == 3
    path.write_text("values:\n  2016-04-24: {value: 1}\n  2016-04-24: {value: 2}\n", encoding="utf-8")
    doc, problems = datafiles.read_yaml(path, "x.yaml")
    assert doc is None
    assert "the key '2016-04-24' is written twice (first on line 2)" in problems[0] and "line 3" in problems[0]


# --------------------------------------------------------------------------- sources


def test_every_citation_and_reference_points_at_a_source_that_exists() -> None:
    """An https:// address or a file of this repository; without one, a citation is marked unconfirmed
    (and names where it was seen in ``secondary``) and a value with no reference that can be opened too."""
    book = load_rulebook(ROOT / "rules")
    assert missing_sources(book, ROOT) == []
    for versions in book.versions.values():
        for rs in versions:
            for c in rs.criteria:
                for cit in c.citations:
                    assert cit.url.startswith("https://") or cit.unconfirmed, (rs.path, c.id, cit.law)
    for p in book.parameters.values():
        for v in p.values:
            assert v.references, (p.name, v.since)
            assert v.unconfirmed or any(r.url for r in v.references), (p.name, v.since)
            for r in v.references:
                assert "seeds/" not in r.url and "../" not in r.url, (p.name, r.url)


def test_a_citation_of_a_missing_file_an_http_address_or_a_path_outside_is_refused(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    lit = rules / "LIT" / "2016-04-24.yaml"
    text = lit.read_text(encoding="utf-8")
    lit.write_text(text.replace("https://www.moj.go.th/view/7347", "docs/sources/victims-act.pdf"), encoding="utf-8")
    book = load_rulebook(rules)
    assert missing_sources(book, tmp_path) == [
        "LIT/2016-04-24.yaml: criterion 'victim_compensation': docs/sources/victims-act.pdf is neither "
        "an https:// address nor a file of the repository"
    ]
    (tmp_path / "docs" / "sources").mkdir(parents=True)
    (tmp_path / "docs" / "sources" / "victims-act.pdf").write_bytes(b"%PDF-1.4")
    assert missing_sources(book, tmp_path) == []
    lit.write_text(text.replace("https://www.moj.go.th/view/7347", "http://www.moj.go.th/view/7347").replace(
        "url: https://justicechannel.org/read/government-services/", "url: ../shared/seeds/000.txt"), encoding="utf-8")
    with pytest.raises(RuleDefinitionError) as info:
        load_rulebook(rules)
    assert len(info.value.problems) == 2
    assert all("should be an https:// address or the path of a file in this repository" in p
               for p in info.value.problems)
    lit.write_text(text.replace("        url: https://www.moj.go.th/view/7347\n", ""), encoding="utf-8")
    with pytest.raises(RuleDefinitionError, match="a citation without a url must say unconfirmed: true"):
        load_rulebook(rules)
