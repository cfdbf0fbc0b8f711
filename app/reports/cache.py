"""Rendered PDFs on disk under var/cache/reports/, keyed by everything that shapes them."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.config import var_dir
from app.reports.render import TEMPLATES_DIR

CODE_DIR = Path(__file__).resolve().parent
_version: tuple[tuple[tuple[str, int, int], ...], str] | None = None


def _stat_list() -> tuple[tuple[str, int, int], ...]:
    # Templates and the report code both shape the PDF; a deploy changes their mtime/size.
    files = sorted([*TEMPLATES_DIR.rglob("*"), *CODE_DIR.glob("*.py")])
    return tuple((str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files if f.is_file())


def template_version() -> str:
    """A hash of report_templates/ and app/reports/ contents; re-hashed only when a file's
    mtime or size changed, so a cache hit costs a few stat calls, not a re-read."""
    global _version
    stats = _stat_list()
    if _version is None or _version[0] != stats:
        digest = hashlib.sha256()
        for name, _, _ in stats:
            digest.update(name.rsplit("/", 1)[-1].encode())
            digest.update(Path(name).read_bytes())
        _version = (stats, digest.hexdigest()[:16])
    return _version[1]


@dataclass(frozen=True)
class CacheKey:
    """What a rendered report depends on; any change gives another file."""

    subject: str  # result id, or the team and its members' result ids
    kind: str
    locale: str
    paper: str
    brand_colour: str
    logo_hash: str
    names: str  # rep / team / organisation names as printed
    extra: str = ""  # e.g. team head-counts
    # The assessments of the people the PDF is about, so that erasing a person can find every
    # cached PDF that names them (a digest cannot be searched).
    assessment_ids: tuple[str, ...] = ()

    def digest(self) -> str:
        parts = [
            template_version(),
            self.subject,
            self.kind,
            self.locale,
            self.paper,
            self.brand_colour,
            self.logo_hash,
            self.names,
            self.extra,
        ]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def cache_dir() -> Path:
    return var_dir() / "cache" / "reports"


def path_for(key: CacheKey) -> Path:
    return cache_dir() / f"{key.kind}-{key.digest()}.pdf"


def _write(path: Path, data: bytes) -> None:
    # Write then rename: a concurrent reader never sees half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def get_or_render(key: CacheKey, render: Callable[[], bytes]) -> tuple[bytes, bool]:
    """The cached PDF for `key`, else a fresh render stored for next time; (pdf, was_cached)."""
    path = path_for(key)
    try:
        return path.read_bytes(), True
    except FileNotFoundError:
        pass
    pdf = render()
    path.parent.mkdir(parents=True, exist_ok=True)
    # The list of whom it is about first: a PDF on disk always has one.
    _write(path.with_suffix(WHO), "\n".join(key.assessment_ids).encode())
    _write(path, pdf)
    return pdf, False


WHO = ".who"  # beside each PDF: the assessment ids it shows, one a line


def purge(assessment_ids: set[str]) -> int:
    """Delete every cached PDF that shows one of `assessment_ids` (a rep's reports and the team
    reports that list them), and any PDF whose list is missing; returns how many."""
    directory = cache_dir()
    if not assessment_ids or not directory.is_dir():
        return 0
    purged = 0
    for pdf in directory.glob("*.pdf"):
        who = pdf.with_suffix(WHO)
        try:
            shown = set(who.read_text().split())
        except FileNotFoundError:
            shown = None  # written before the lists existed: whom it shows is unknown
        if shown is None or shown & assessment_ids:
            pdf.unlink(missing_ok=True)
            who.unlink(missing_ok=True)
            purged += 1
    return purged
