"""The instrument loader under mutated files (Hypothesis): whatever the bytes, the answer is
the instrument or `PATH:LINE: message` lines, never a traceback. The budget is bounded and
the examples derandomized, so `make test` takes the same few seconds every run."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.instrument.loader import InstrumentError, parse_instrument
from tests.cli import run_stagefit

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini-instrument.yaml"
SOURCE = MINI.read_text()
LINES = SOURCE.splitlines(keepends=True)
NAME = "fuzzed.yaml"
LINE_FORMAT = re.compile(rf"^{re.escape(NAME)}:[1-9][0-9]*: \S")

FUZZ = settings(
    max_examples=30,  # the slow, locating parse runs on every broken file
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)

# Pieces a careless or hostile author might leave in a YAML file.
NASTY = st.sampled_from(
    [
        "",
        ":",
        "- ",
        "  ",
        "\t",
        "\x00",
        "\ufeff",
        "\u2028",
        "&a",
        "*a",
        "*missing",
        "!!python/object:os.system",
        "<<: *a",
        "? ",
        "{",
        "[",
        "]",
        "}",
        "'",
        '"',
        "|",
        ">",
        "#",
        "---",
        "...",
        "~",
        "null",
        "1e999",
        "-1",
        "0",
        "9" * 40,
        ".nan",
        "yes",
        "2026-13-45",
        "é",
        "😀",
        "\r",
        "%YAML 1.1",
        "!!binary x",
    ]
)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    lines = list(LINES)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines) - 1))
        action = draw(
            st.sampled_from(["delete", "duplicate", "insert", "splice", "indent", "swap"])
        )
        if action == "delete" and len(lines) > 1:
            del lines[at]
        elif action == "duplicate":
            lines.insert(at, lines[at])
        elif action == "insert":
            lines.insert(at, draw(NASTY) + draw(st.text(max_size=12)) + "\n")
        elif action == "splice":
            line = lines[at]
            cut = draw(st.integers(0, len(line)))
            lines[at] = line[:cut] + draw(NASTY) + line[cut:]
        elif action == "indent":
            lines[at] = " " * draw(st.integers(1, 3)) + lines[at]
        elif action == "swap":
            other = draw(st.integers(0, len(lines) - 1))
            lines[at], lines[other] = lines[other], lines[at]
    return "".join(lines)


def _check(text: str) -> None:
    try:
        parse_instrument(text, NAME)
    except InstrumentError as exc:
        assert exc.problems, "an InstrumentError without a problem"
        for line in exc.problems:
            assert LINE_FORMAT.match(line), f"not PATH:LINE: message: {line!r}"
            assert "\n" not in line, f"a problem over two lines: {line!r}"


@FUZZ
@given(mutated())
def test_mutated_instrument_files_give_path_line_errors(text: str) -> None:
    _check(text)


@FUZZ
@given(st.text(max_size=300))
def test_arbitrary_text_gives_path_line_errors(text: str) -> None:
    _check(text)


# Found by hand and by this fuzzer; each was a RecursionError or TypeError before.
HOSTILE = {
    "a: &a [*a]\n": "",
    "key: &a {x: *a}\n": "",
    "? {a: 1}\n: c\n": "a key must be plain text",
    "- " * 2000 + "x\n": "nested too deeply",
    "[" * 300 + "]" * 300: "expected a YAML mapping",
    "a:\n" + "".join(" " * i + "b:\n" for i in range(1, 80)): "nested too deeply",
}


def test_hostile_shapes_give_path_line_errors() -> None:
    for text, expected in HOSTILE.items():
        try:
            parse_instrument(text, NAME)
        except InstrumentError as exc:
            assert all(LINE_FORMAT.match(line) for line in exc.problems), exc.problems
            assert expected in exc.problems[0], (text[:30], exc.problems)
        else:
            raise AssertionError(f"accepted: {text[:30]!r}")


def test_the_unmutated_file_loads() -> None:
    assert parse_instrument(SOURCE, NAME).key


def test_the_validate_command_prints_path_line_for_hostile_files(tmp_path: Path) -> None:
    """What an author sees: `stagefit instrument validate` prints one `PATH:LINE: message`
    per problem on standard error and exits 1; no traceback, whatever the file holds."""
    files = []
    for n, text in enumerate([*HOSTILE, "\x00\x01", "key: [unclosed\n"]):
        files.append(tmp_path / f"hostile-{n}.yaml")
        files[-1].write_text(text)
    files.append(tmp_path / "latin1.yaml")
    files[-1].write_bytes("key: caf\xe9\n".encode("latin-1"))
    result = run_stagefit("instrument", "validate", *map(str, files))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    for path in files:
        assert any(line.startswith(f"{path}:") for line in lines), path
    for line in lines:
        assert re.match(rf"^{re.escape(str(tmp_path))}/\S+\.yaml:[1-9][0-9]*: \S", line), line
