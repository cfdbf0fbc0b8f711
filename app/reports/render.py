"""Render a report: Jinja2 template → HTML → WeasyPrint PDF (the fonts are loaded once)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from app.reports.palette import BAND_COLOURS, BAND_TEXT
from app.reports.views import NO_SCORE

TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "report_templates"
PAPERS = ("a4", "letter")
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_COLOUR = "#1f4e79"
# One class per band rather than inline styles: WeasyPrint parses each style attribute anew.
BAND_CSS = "\n".join(
    f".b-{key} {{ background: {BAND_COLOURS[key]}; color: {BAND_TEXT[key]}; }}"
    for key in BAND_COLOURS
)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


@lru_cache(maxsize=1)
def _font_config() -> Any:
    # Building the font configuration costs ~100 ms; one per process is enough.
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def stylesheet_text() -> str:
    """report.css and the band classes: the CSS every report shares."""
    return (TEMPLATES_DIR / "report.css").read_text(encoding="utf-8") + "\n" + BAND_CSS + "\n"


@lru_cache(maxsize=1)
def _stylesheet() -> Any:
    # Parsed once per process rather than from a <style> element in every report; the
    # template version in the cache key covers report.css, and a deploy restarts the process.
    from weasyprint import CSS

    return CSS(string=stylesheet_text(), base_url=str(TEMPLATES_DIR), font_config=_font_config())


HEADINGS = {
    "manager": "Sales Manager Report",
    "participant": "Your StageFit feedback",
    "team": "Team Sales Process Report",
}


def css_string(value: str) -> Markup:
    """A CSS string literal that cannot end the string or the <style> element early."""
    escaped = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    )
    return Markup(f'"{escaped}"')


def html(kind: str, report: Any) -> str:
    """The report as HTML (also what a web page can show)."""
    branding = report.branding
    colour = branding.colour if HEX_COLOUR.match(branding.colour or "") else DEFAULT_COLOUR
    who = getattr(report, "rep_name", None) or getattr(report, "team_name", "")
    running = f"{HEADINGS[kind]} · {who} · {branding.organisation}"
    return (
        environment()
        .get_template(f"{kind}.html")
        .render(
            running=css_string(running),
            r=report,
            locale=report.locale,
            paper=report.paper,
            brand_colour=colour,
            logo=branding.logo_data_uri,
            organisation=branding.organisation,
            organisation_css=css_string(branding.organisation),
            provisional=report.method.provisional,
            none_score=NO_SCORE,
        )
    )


def pdf_from_html(document: str) -> bytes:
    from weasyprint import HTML

    result: bytes = HTML(string=document, base_url=str(TEMPLATES_DIR)).write_pdf(
        stylesheets=[_stylesheet()], font_config=_font_config()
    )
    return result


def pdf(kind: str, report: Any) -> bytes:
    return pdf_from_html(html(kind, report))
