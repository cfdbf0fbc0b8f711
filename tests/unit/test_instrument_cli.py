"""`stagefit instrument ...` as a user runs it: arguments in, stdout, stderr and exit code out."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from app.instrument.schema import schema_text
from tests.cli import run_stagefit
from tests.unit.instrument_helpers import MINI, MINI_TEXT, edited, line_of


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return run_stagefit(*map(str, args))


def test_validate_ok() -> None:
    done = run("instrument", "validate", MINI)
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{MINI}: ok (41 items, 7 competencies)\n"
    assert done.stderr == ""


BROKEN = [
    ("duplicate id", "id: CD3", "id: CD1", "id: CD1", 2, "duplicate item id 'CD1'"),
    (
        "unknown competency",
        "competency: closing_drive\n    keyed",
        "competency: closing\n    keyed",
        "competency: closing\n",
        1,
        "unknown competency 'closing'",
    ),
    (
        "weights not summing to 1",
        "weight: 0.7",
        "weight: 0.75",
        "    competencies:\n      - competency: opening_conversations",
        1,
        "weights of initial_contact sum to 1.05, not 1",
    ),
    (
        "missing locale text",
        "    definition:\n      en: Keeping promises in daily sales work.",
        "    definition: {}",
        "    definition: {}",
        1,
        "definition: no text for locale en",
    ),
    ("not YAML", "scoring:\n", "scoring: [\n", "key: mini-inventory", 1, "not valid YAML"),
]


@pytest.mark.parametrize(
    ("old", "new", "needle", "occurrence", "message"),
    [case[1:] for case in BROKEN],
    ids=[case[0] for case in BROKEN],
)
def test_validate_reports_one_line_with_the_line_number(
    tmp_path: Path, old: str, new: str, needle: str, occurrence: int, message: str
) -> None:
    path = tmp_path / "broken.yaml"
    text = edited(old, new)
    path.write_text(text)
    done = run("instrument", "validate", path)
    assert done.returncode == 1
    assert done.stdout == ""
    [problem] = done.stderr.splitlines()
    assert "Traceback" not in done.stderr
    assert message in problem
    if message != "not valid YAML":
        assert problem.startswith(f"{path}:{line_of(text, needle, occurrence)}: ")
    else:
        # The YAML parser reports where it gave up; it must be a line of the file.
        line = int(problem.split(":")[1])
        assert line_of(text, "scoring: [") <= line <= len(text.splitlines())


def test_validate_missing_file_and_several_files(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    done = run("instrument", "validate", MINI, missing)
    assert done.returncode == 1
    assert done.stdout == f"{MINI}: ok (41 items, 7 competencies)\n"
    assert done.stderr == f"{missing}: file not found\n"


def test_describe_json(tmp_path: Path) -> None:
    done = run("instrument", "describe", MINI, "--json")
    assert done.returncode == 0, done.stderr
    info = json.loads(done.stdout)
    assert info["key"] == "mini-inventory"
    assert info["items"] == {"likert": 28, "sjt": 7, "validity": 6}
    assert info["stages"][0]["key"] == "lead_evaluation"


def test_describe_human_text() -> None:
    done = run("instrument", "describe", MINI)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Mini Sales Inventory (mini-inventory 0.1)\n")
    assert "Initial Contact [pre_sale]: opening_conversations 0.7, lead_qualification 0.3" in (
        done.stdout
    )


def test_describe_bad_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text(edited("id: OC3", "id: OC1", text=MINI_TEXT))
    done = run("instrument", "describe", path, "--json")
    assert done.returncode == 1
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1
    assert "duplicate item id 'OC1'" in done.stderr


def test_schema_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "schema.json"
    done = run("instrument", "schema", "-o", out)
    assert done.returncode == 0, done.stderr
    assert out.read_text() == schema_text()
