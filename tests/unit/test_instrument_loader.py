"""The loader: the mini instrument loads, and every problem is one `PATH:LINE: message` line."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from app.errors import UserError
from app.instrument.loader import InstrumentError, load_instrument, load_norms, parse_instrument
from app.instrument.model import LikertItem, SjtItem
from tests.unit.instrument_helpers import MINI, MINI_TEXT, edited, line_of


def _problems(text: str, name: str = "x.yaml") -> list[str]:
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(text, name)
    return caught.value.problems


def test_mini_instrument_loads_with_checksum_of_file_bytes() -> None:
    instrument = load_instrument(MINI)
    assert instrument.key == "mini-inventory"
    assert instrument.locales == ["en"]
    assert len(instrument.competencies) == 7
    assert sum(isinstance(i, LikertItem) for i in instrument.items) == 28
    assert sum(isinstance(i, SjtItem) for i in instrument.items) == 7
    assert len(instrument.consistency_pairs) == 5
    expected = "sha256:" + hashlib.sha256(MINI.read_bytes()).hexdigest()
    assert instrument.checksum == expected


def test_parse_gives_the_same_instrument_and_checksum_as_load() -> None:
    assert parse_instrument(MINI_TEXT, "mini") == load_instrument(MINI)
    assert parse_instrument(MINI_TEXT, "mini").checksum == load_instrument(MINI).checksum


def test_checksum_changes_with_any_byte() -> None:
    changed = parse_instrument(MINI_TEXT + "# a comment\n", "mini")
    assert changed.checksum != load_instrument(MINI).checksum


def test_error_is_a_user_error_whose_text_is_the_problem_lines() -> None:
    with pytest.raises(InstrumentError) as caught:
        parse_instrument(edited("id: LQ2", "id: LQ1"), "dup.yaml")
    assert isinstance(caught.value, UserError)
    assert str(caught.value) == "\n".join(caught.value.problems)
    assert all(p.startswith("dup.yaml:") for p in caught.value.problems)


def test_wrong_enum_value_points_at_its_line() -> None:
    text = edited('    keyed: "-"\n', '    keyed: "x"\n')
    [problem] = _problems(text)
    line = line_of(text, 'keyed: "x"')
    assert problem.startswith(f"x.yaml:{line}: items[")
    assert problem.endswith(".keyed: Input should be '+' or '-'")


def test_missing_field_is_reported_on_its_parent_line() -> None:
    text = edited("  - id: IM6\n    type: impression\n", "  - type: impression\n")
    problems = _problems(text)
    line = line_of(text, "type: impression", 6)
    assert f"x.yaml:{line}: items[40].id: Field required" in problems


def test_unknown_field_points_at_its_key() -> None:
    text = edited("estimated_minutes: 6\n", "estimated_minutes: 6\nminutes: 6\n")
    assert _problems(text) == [
        f"x.yaml:{line_of(text, 'minutes: 6', 2)}: minutes: Extra inputs are not permitted"
    ]


def test_value_in_a_flow_mapping_points_at_its_line() -> None:
    text = edited(
        "    lead_evaluation: {mean: 0.0, sd: 0.8", "    lead_evaluation: {mean: 0.0, sd: 0"
    )
    [problem] = _problems(text)
    line = line_of(text, "lead_evaluation: {mean")
    assert (
        problem == f"x.yaml:{line}: norms.stages.lead_evaluation.sd: Input should be greater than 0"
    )


def test_unquoted_version_gets_a_hint() -> None:
    text = edited('version: "0.1"', "version: 0.1")
    [problem] = _problems(text)
    assert problem.startswith(f"x.yaml:{line_of(text, 'version:')}: version:")
    assert 'write it in quotes: "0.1"' in problem


def test_unquoted_date_is_accepted_as_text() -> None:
    instrument = parse_instrument(edited('date: "2026-01-01"', "date: 2026-01-01"), "x")
    assert instrument.norms.date == "2026-01-01"


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        ("key: [1, 2\n", 1, "not valid YAML"),
        ("a: 1\nb: : :\n", 2, "not valid YAML"),
        ("key: a\nkey: b\n", 2, "duplicate key"),
        ("- a\n- b\n", 1, "expected a YAML mapping"),
        ("", 1, "expected a YAML mapping"),
        ("hello\n", 1, "expected a YAML mapping"),
    ],
)
def test_unusable_yaml_is_one_line(content: str, line: int, message: str) -> None:
    [problem] = _problems(content, "bad.yaml")
    assert problem.startswith(f"bad.yaml:{line}: ")
    assert message in problem


def test_missing_file_and_binary_file(tmp_path: Path) -> None:
    with pytest.raises(InstrumentError) as caught:
        load_instrument(tmp_path / "nope.yaml")
    assert caught.value.problems == [f"{tmp_path / 'nope.yaml'}: file not found"]
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"key: x\n\xff\xfe\n")
    with pytest.raises(InstrumentError) as caught:
        load_instrument(binary)
    assert caught.value.problems == [f"{binary}:2: not UTF-8 text"]


NORMS = """\
id: field-2026
label: Field norms 2026
n: 412
source: stagefit norms compute
date: "2026-03-01"
provisional: false
competencies:
{competencies}
stages:
{stages}
"""


def _norm_text(drop_competency: bool = False) -> str:
    instrument = load_instrument(MINI)
    comps = [c.key for c in instrument.competencies][: 6 if drop_competency else 7]
    return NORMS.format(
        competencies="\n".join(f"  {k}: {{mean: 3.5, sd: 0.5, reliability: 0.8}}" for k in comps),
        stages="\n".join(
            f"  {s.key}: {{mean: 0.1, sd: 0.9, reliability: 0.85}}" for s in instrument.stages
        ),
    )


def test_load_norms_standalone_and_wrapped(tmp_path: Path) -> None:
    path = tmp_path / "norms.yaml"
    path.write_text(_norm_text())
    norms = load_norms(path, instrument=load_instrument(MINI))
    assert (norms.id, norms.n, norms.provisional) == ("field-2026", 412, False)
    assert norms.competencies["closing_drive"].sd == 0.5
    wrapped = tmp_path / "wrapped.yaml"
    wrapped.write_text("norms:\n" + "".join(f"  {line}\n" for line in _norm_text().splitlines()))
    assert load_norms(wrapped) == norms


def test_load_norms_reports_lines(tmp_path: Path) -> None:
    path = tmp_path / "norms.yaml"
    text = _norm_text().replace("n: 412", "n: 0")
    path.write_text(text)
    with pytest.raises(InstrumentError) as caught:
        load_norms(path)
    assert caught.value.problems == [
        f"{path}:{line_of(text, 'n: 0')}: n: Input should be greater than or equal to 1"
    ]


def test_load_norms_must_cover_the_instrument(tmp_path: Path) -> None:
    path = tmp_path / "norms.yaml"
    text = _norm_text(drop_competency=True)
    path.write_text(text)
    assert load_norms(path).n == 412  # fine on its own
    with pytest.raises(InstrumentError) as caught:
        load_norms(path, instrument=load_instrument(MINI))
    assert caught.value.problems == [
        f"{path}:{line_of(text, 'competencies:')}: competencies: "
        "no norms for competencies: opportunity_spotting"
    ]
