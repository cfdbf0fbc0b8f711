"""`stagefit analyze` and `stagefit norms compute` as a user runs them: files in, output out."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from app.instrument.loader import load_instrument, load_norms
from app.scoring.reliability import cronbach_alpha
from app.scoring.simulate import simulate_matrix
from tests.cli import run_stagefit

MINI = "tests/fixtures/mini-instrument.yaml"


def stagefit(*args: str) -> subprocess.CompletedProcess[str]:
    return run_stagefit(*args)


@pytest.fixture(scope="module")
def responses(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 simulated respondents as a CSV, SJT answers as option keys, a few blanks."""
    instrument = load_instrument(MINI)
    sim = simulate_matrix(instrument, 300, seed=5)
    options = {i.id: [o.key for o in i.options] for i in instrument.items if i.type == "sjt"}
    path = tmp_path_factory.mktemp("csv") / "responses.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["respondent", *sim.item_ids])
        for r, row in enumerate(sim.codes):
            cells = [
                options[i][int(v)] if i in options else str(int(v))
                for i, v in zip(sim.item_ids, row, strict=True)
            ]
            if r % 50 == 0:
                cells[sim.item_ids.index("LQ1")] = ""  # a skipped answer
            writer.writerow([f"p{r}", *cells])
    return path


def test_analyze_json(responses: Path) -> None:
    run = stagefit("analyze", MINI, "--responses-csv", str(responses), "--json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["n"] == 300
    comps = {c["key"]: c for c in report["competencies"]}
    assert set(comps) == {c.key for c in load_instrument(MINI).competencies}
    lq = comps["lead_qualification"]
    assert lq["n"] == 294  # six rows skip LQ1: listwise deletion
    lo, hi = lq["alpha_ci95"]
    assert lo < lq["alpha"] < hi and 0.5 < lq["alpha"] < 0.95
    assert lq["sem"] > 0
    assert [i["id"] for i in lq["items"]][:4] == ["LQ1", "LQ2", "LQ3", "LQ4"]
    assert all(0.2 < i["item_total_r"] < 0.9 for i in lq["items"])

    # The alpha printed is the alpha of the file's own answers: reverse keys flipped, the
    # scenario's option scored by its expert key on the 1..5 range (1 + 4·score/3).
    rows = list(csv.DictReader(responses.open()))
    instrument = load_instrument(MINI)
    mine = [
        i for i in instrument.items if getattr(i, "competency", None) == "opening_conversations"
    ]

    def item_score(item, cell: str) -> float:  # type: ignore[no-untyped-def]
        if item.type == "sjt":
            return 1 + 4 * next(o.score for o in item.options if o.key == cell) / 3
        return float(cell) if item.keyed == "+" else 6 - float(cell)

    x = np.array([[item_score(i, r[i.id]) for i in mine] for r in rows])
    oc = comps["opening_conversations"]
    assert oc["n"] == 300
    assert oc["alpha"] == pytest.approx(cronbach_alpha(x), abs=1e-4)


def test_analyze_table(responses: Path) -> None:
    run = stagefit("analyze", MINI, "--responses-csv", str(responses))
    assert run.returncode == 0, run.stderr
    assert "lead_qualification: n=294  alpha=" in run.stdout
    assert "item-total r" in run.stdout


def test_norms_compute_writes_a_loadable_table(responses: Path, tmp_path: Path) -> None:
    out = tmp_path / "norms.yaml"
    run = stagefit(
        "norms",
        "compute",
        MINI,
        "--responses-csv",
        str(responses),
        "-o",
        str(out),
        "--id",
        "pilot-2026",
        "--label",
        "Pilot sample",
        "--population",
        "Field sales reps of three pilot organisations",
        "--provisional",
    )
    assert run.returncode == 0, run.stderr
    table = load_norms(out, instrument=load_instrument(MINI))
    assert (table.id, table.label, table.provisional) == ("pilot-2026", "Pilot sample", True)
    assert table.population == "Field sales reps of three pilot organisations"
    assert table.simulated is False
    # Invalid and caution results are left out by default, and the table says how many.
    excluded = table.exclusions
    assert excluded is not None and excluded.considered == 300
    assert table.n == 300 - excluded.invalid - excluded.caution
    assert "invalid and caution results left out" in excluded.rule
    assert 2.5 < table.competencies["closing_drive"].mean < 4.0
    # Below --min-n (the instrument's 300 by default) the normal curve gives percentiles.
    assert table.competencies["closing_drive"].percentiles is None


def test_norms_compute_is_provisional_below_the_minimum_n(responses: Path, tmp_path: Path) -> None:
    out = tmp_path / "norms.yaml"
    args = ["norms", "compute", MINI, "--responses-csv", str(responses), "-o", str(out)]
    # Everyone kept: 300 respondents reach the instrument's norms_min_n of 300.
    run = stagefit(*args, "--include-invalid")
    assert run.returncode == 0, run.stderr
    table = load_norms(out)
    assert (table.n, table.provisional) == (300, False)
    assert table.summary is not None and table.summary.percentiles is not None
    assert len(table.competencies["closing_drive"].percentiles or ()) == 99
    # A minimum above the sample: provisional, and --empirical is refused in one line.
    run = stagefit(*args, "--include-invalid", "--min-n", "301")
    assert run.returncode == 0, run.stderr
    assert load_norms(out).provisional is True
    run = stagefit(*args, "--include-invalid", "--min-n", "301", "--empirical")
    assert run.returncode == 1
    assert run.stderr.count("\n") == 1 and "needs at least 301 (--min-n)" in run.stderr


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("respondent,LQ1,ZZ9\np1,3,4\n", "bad.csv:1: column 3: 'ZZ9' is not an item"),
        ("LQ1,LQ2\n3,4\n2,7\n", "bad.csv:3: item LQ2: '7' is not an answer on the 1–5 scale"),
        ("LQ1,SJT1\n3,z\n", "bad.csv:2: item SJT1: 'z' is not one of a, b, c, d"),
        ("LQ1,LQ2\n3,4,5\n", "bad.csv:2: 3 fields, but the header has 2"),
        ("", "bad.csv:1: empty file"),
        ("LQ1,LQ1\n3,3\n", "bad.csv:1: column 2: item LQ1 appears twice"),
    ],
    ids=["stray column", "out of range", "bad option", "extra field", "empty", "duplicate"],
)
@pytest.mark.parametrize("command", ["analyze", "norms"])
def test_bad_csv_is_one_line_with_file_and_line(
    tmp_path: Path, content: str, expected: str, command: str
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(content)
    args = ["analyze", MINI, "--responses-csv", str(bad)]
    if command == "norms":
        args = [
            "norms",
            "compute",
            MINI,
            "--responses-csv",
            str(bad),
            "-o",
            str(tmp_path / "n.yaml"),
        ]
    run = stagefit(*args)
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert expected in lines[0]
    assert "Traceback" not in run.stderr


def test_too_few_respondents_for_norms(tmp_path: Path) -> None:
    small = tmp_path / "small.csv"
    small.write_text("LQ1,LQ2,LQ3\n3,4,4\n2,3,2\n")
    run = stagefit(
        "norms", "compute", MINI, "--responses-csv", str(small), "-o", str(tmp_path / "n.yaml")
    )
    assert run.returncode == 1
    assert run.stderr.strip().count("\n") == 0
    assert "small.csv:2-3: cannot compute norms" in run.stderr
