"""`stagefit score` run as a user runs it: real files in, stdout, stderr and exit code out."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.cli import run_stagefit
from tests.unit.instrument_helpers import MINI


def stagefit(*args: str) -> subprocess.CompletedProcess[str]:
    return run_stagefit(*args)


def write(tmp_path: Path, text: str, name: str = "answers.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_score_prints_the_result_json(tmp_path: Path) -> None:
    answers = {"LQ1": 5, "LQ2": 4, "LQ3": 3, "LQ4": 2, "SJT1": "c"}
    path = write(tmp_path, json.dumps({"answers": answers, "seconds": {"LQ1": 6.5}}))
    run = stagefit("score", str(MINI), "--responses", str(path), "--assessment-id", "A-17")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert run.stdout.startswith('{\n  "assessment_id": "A-17"')  # indent 2
    assert result["instrument"]["key"] == "mini-inventory"
    assert result["instrument"]["checksum"].startswith("sha256:")
    lq = next(c for c in result["competencies"] if c["key"] == "lead_qualification")
    # Worked out in test_scoring_engine: raw 59/15, sten 8, small strength
    assert (lq["raw"], lq["sten"], lq["band"]) == (3.933, 8, "small_strength")
    # One stage scored leads no other: no clear best; summary 75 (worked out there too).
    assert result["best_fit_stages"] == []
    assert result["summary"] == {
        "score": 75,
        "max_score": 100,
        "best_stage": None,
        "top_stage": "lead_evaluation",
    }


def test_score_with_another_norm_table(tmp_path: Path) -> None:
    norms_text = MINI.read_text(encoding="utf-8").split("\nnorms:\n", 1)[1]
    norms_text = norms_text.replace("mini-provisional-0.1", "local-2026").replace(
        "lead_qualification: {mean: 3.30", "lead_qualification: {mean: 3.9333333333"
    )
    norms = write(tmp_path, norms_text, "norms.yaml")
    path = write(
        tmp_path, json.dumps({"answers": {"LQ1": 5, "LQ2": 4, "LQ3": 3, "LQ4": 2, "SJT1": "c"}})
    )
    run = stagefit("score", str(MINI), "--responses", str(path), "--norms", str(norms))
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["norm"]["id"] == "local-2026"
    assert result["competencies"][0]["sten"] == 6  # raw equals the norm mean: z 0 → 5.5 → 6


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "{path}: file not found"),
        ('{"answers": {"LQ1": 5,\n  "LQ2": }}', "{path}:2: not valid JSON"),
        ("[1, 2]", '{path}:1: expected {"answers"'),
        ('{"answers": [5, 4]}', '{path}:1: expected {"answers"'),
        ('{"answers": {"LQ1": 5},\n "seconds": 3}', "{path}:2: 'seconds' must be an object"),
        ('{"answers": {\n  "LQ1": 5,\n  "XYZ9": 3}}', "{path}:3: unknown item 'XYZ9'"),
        ('{"answers": {\n  "LQ1": 7}}', "{path}:2: item LQ1: 7 is not an answer on the 1–5 scale"),
        ('{"answers": {"SJT2": "z"}}', "{path}:1: item SJT2: 'z' is not one of the options"),
    ],
)
def test_bad_answer_files_get_one_line(tmp_path: Path, content: str | None, expected: str) -> None:
    path = tmp_path / "answers.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    run = stagefit("score", str(MINI), "--responses", str(path))
    assert run.returncode == 1
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert "Traceback" not in run.stderr
    assert expected.replace("{path}", str(path)) in lines[0]
