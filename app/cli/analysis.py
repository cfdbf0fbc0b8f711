"""`stagefit analyze` and `stagefit norms compute`: item analysis and norms from response CSVs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from app.errors import UserError
from app.instrument.loader import load_instrument, load_norms
from app.scoring.responses import read_responses

norms_group = typer.Typer(
    name="norms", help="Build norm tables from collected answers.", no_args_is_help=True
)

InstrumentPath = Annotated[Path, typer.Argument(help="Instrument file (YAML).")]
ResponsesCsv = Annotated[
    Path,
    typer.Option(
        "--responses-csv",
        help="One row per respondent, one column per item id (optional first column "
        "`respondent`); blanks are missing answers.",
    ),
]


def register(cli: typer.Typer) -> None:
    cli.command(name="analyze")(analyze)
    cli.add_typer(norms_group, name="norms")


def analyze(
    path: InstrumentPath,
    responses_csv: ResponsesCsv,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Item analysis per competency: Cronbach's alpha (95 % CI), SEM, item-total r.

    Respondents who skipped an item of a competency are left out of that competency's
    analysis (listwise deletion), so its n can be smaller than the file's.
    """
    # Imported here: numpy and scipy take a while to load, and every `stagefit` call
    # registers this module.
    from app.scoring.batch import item_scores
    from app.scoring.item_analysis import item_analysis
    from app.scoring.plan import plan_for

    instrument = load_instrument(path)
    responses = read_responses(responses_csv, instrument)
    report = item_analysis(instrument, item_scores(plan_for(instrument), responses.codes))
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        print(_table(report))


@norms_group.command(name="compute")
def norms_compute(
    path: InstrumentPath,
    responses_csv: ResponsesCsv,
    output: Annotated[Path, typer.Option("-o", "--output", help="Norm table file to write.")],
    norm_id: Annotated[str | None, typer.Option("--id", help="Norm table id.")] = None,
    label: Annotated[str | None, typer.Option(help="Label shown on results.")] = None,
    source: Annotated[str | None, typer.Option(help="Who answered, when, how sampled.")] = None,
    population: Annotated[
        str | None, typer.Option(help="Who the norm group is, e.g. 'Field sales reps, DACH'.")
    ] = None,
    composition: Annotated[
        str | None, typer.Option(help="How it is made up: organisations, roles, countries.")
    ] = None,
    date: Annotated[str | None, typer.Option(help="Date of the table (default today).")] = None,
    provisional: Annotated[
        bool | None,
        typer.Option(
            "--provisional/--empirical",
            help="Force the label; by default a table is provisional unless at least --min-n "
            "respondents remain after exclusions (--empirical refuses fewer).",
            show_default=False,
        ),
    ] = None,
    min_n: Annotated[
        int | None,
        typer.Option(
            "--min-n",
            help="Respondents an empirical table needs (default: the instrument's "
            "scoring.norms_min_n, 300).",
        ),
    ] = None,
    include_caution: Annotated[
        bool, typer.Option(help="Keep results with a validity caution.")
    ] = False,
    include_invalid: Annotated[bool, typer.Option(help="Keep invalid results too.")] = False,
) -> None:
    """Compute a norm table from collected answers, in the instrument's norm format.

    Answer sets whose validity is invalid or caution are left out unless asked for (the file
    carries no answer times, so the timing indices are not judged). Percentiles come from the
    norm group itself once it has --min-n respondents, and the table is labelled provisional
    until then.
    """
    from app.scoring.norm_compute import compute_norms, norms_yaml, screen

    instrument = load_instrument(path)
    responses = read_responses(responses_csv, instrument)
    today = date or dt.date.today().isoformat()
    needed = min_n if min_n is not None else instrument.scoring.norms_min_n
    first, last = responses.lines[0], responses.lines[-1]
    where = f"{responses_csv}:{first}-{last}"
    keep, exclusions = screen(instrument, responses.codes, keep_caution=include_caution)
    if include_invalid:
        keep[:] = True
        exclusions = exclusions.model_copy(
            update={"invalid": 0, "caution": 0, "rule": "no results left out"}
        )
    codes = responses.codes[keep]
    n = len(codes)
    if provisional is False and n < needed:
        raise UserError(
            f"{where}: {n} respondents remain after exclusions; an empirical table needs at "
            f"least {needed} (--min-n)"
        )
    is_provisional = n < needed if provisional is None else provisional
    try:
        table = compute_norms(
            instrument,
            codes,
            id=norm_id or f"{instrument.key}-{instrument.version}-{today}",
            label=label or f"{'Provisional' if is_provisional else 'Empirical'} norms (n={n})",
            source=source or f"{n} respondents from {responses_csv.name}",
            date=today,
            provisional=is_provisional,
            simulated=False,
            population=population,
            composition=composition,
            exclusions=exclusions,
            percentiles=n >= needed,
        )
    except (UserError, ValueError) as exc:
        # A problem of the answers as a whole (too few, no variance): name the file, and its
        # respondent rows.
        message = " ".join(str(exc).split())  # one line, also for a pydantic error
        raise UserError(f"{where}: cannot compute norms: {message}") from None
    try:
        output.write_text(norms_yaml(table), encoding="utf-8")
    except OSError as exc:
        raise UserError(f"{output}:0: cannot write: {exc.strerror}") from None
    load_norms(output, instrument=instrument)  # what we wrote must read back
    left_out = exclusions.invalid + exclusions.caution
    kind = "provisional" if is_provisional else "empirical"
    print(
        f"{output}: {kind} norm table {table.id} (n={table.n}; {left_out} of "
        f"{exclusions.considered} left out: {exclusions.rule}) written"
    )


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _table(report: dict[str, Any]) -> str:
    lines = [f"{report['n']} respondents (per competency: complete answers only)", ""]
    for comp in report["competencies"]:
        ci = comp["alpha_ci95"] or [None, None]
        lines.append(
            f"{comp['key']}: n={comp['n']}  alpha={_fmt(comp['alpha'])} "
            f"[{_fmt(ci[0])}, {_fmt(ci[1])}]  SEM={_fmt(comp['sem'], 3)}"
        )
        for item in comp["items"]:
            r = item["item_total_r"]
            # Below .20 an item adds little to its scale: worth a look by the author.
            note = "  (weak)" if r is not None and r < 0.2 else ""
            lines.append(
                f"    {item['id']:<10} mean {_fmt(item['mean'])}  sd {_fmt(item['sd'])}  "
                f"item-total r {_fmt(r)}{note}"
            )
    return "\n".join(lines)
