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


def get_or_render(key: CacheKey, render: Callable[[], bytes]) -> tuple[bytes, bool]:
    """The cached PDF for `key`, else a fresh render stored for next time; (pdf, was_cached)."""
    path = path_for(key)
    try:
        return path.read_bytes(), True
    except FileNotFoundError:
        pass
    pdf = render()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename: a concurrent reader never sees half a PDF.
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(pdf)
    os.replace(tmp, path)
    return pdf, False
