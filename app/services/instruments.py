"""Instrument versions in the database: loading files idempotently, reading them back parsed."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.errors import UserError
from app.instrument.model import Instrument, NormTable
from app.models import Assessment, InstrumentVersion, NormTableRow

# Parsed instruments by checksum: a stored version never changes under its checksum.
_parsed: dict[str, Instrument] = {}


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part.isdigit())


def _store_norms(db: Session, row: InstrumentVersion, norms: NormTable, origin: str) -> None:
    existing = db.get(NormTableRow, norms.id)
    if existing is not None and existing.instrument_version_id != row.id:
        raise UserError(
            f"{origin}: norm table id {norms.id!r} already belongs to another instrument version"
        )
    if existing is None:
        existing = NormTableRow(id=norms.id, instrument_version_id=row.id)
        db.add(existing)
    existing.label = norms.label
    existing.n = norms.n
    existing.provisional = norms.provisional
    existing.content = norms.model_dump(mode="json")


def load_instrument_file(*, db: Session, path: Path) -> InstrumentVersion:
    """Store one instrument file; loading the same file again changes nothing."""
    from app.instrument.loader import load_instrument

    instrument = load_instrument(path)
    # Bytes as they are (no newline translation), so the stored text has the same checksum.
    source = path.read_bytes().decode("utf-8")
    return store_instrument(db=db, instrument=instrument, source=source, origin=str(path))


def store_instrument(
    *, db: Session, instrument: Instrument, source: str, origin: str
) -> InstrumentVersion:
    """Store a parsed instrument and its norm table, idempotent by checksum.

    A changed file under a key and version no assessment uses yet replaces the stored one;
    once an assessment uses a version it is immutable and a change is refused.
    """
    row = db.scalar(
        select(InstrumentVersion).where(
            InstrumentVersion.key == instrument.key,
            InstrumentVersion.version == instrument.version,
        )
    )
    if row is not None and row.checksum == instrument.checksum:
        return row
    if row is not None:
        used = db.scalar(
            select(func.count())
            .select_from(Assessment)
            .where(Assessment.instrument_version_id == row.id)
        )
        if used:
            raise UserError(
                f"{origin}: {instrument.key} {instrument.version} has changed but is already "
                f"used by {used} assessment(s); publish the change as a new version"
            )
    else:
        row = InstrumentVersion(key=instrument.key, version=instrument.version)
        db.add(row)
    row.checksum = instrument.checksum
    row.title = next(iter(instrument.title.values()))
    row.source = source
    db.flush()
    _store_norms(db, row, instrument.norms, origin)
    db.flush()
    _parsed[instrument.checksum] = instrument
    return row


def load_instruments(*, db: Session, directory: Path) -> list[InstrumentVersion]:
    """Every questionnaires/*.yaml (not the drafts in subdirectories), in name order."""
    if not directory.is_dir():
        raise UserError(f"{directory}: no such questionnaires directory")
    return [load_instrument_file(db=db, path=path) for path in sorted(directory.glob("*.yaml"))]


def get_instrument(db: Session, instrument_version_id: str) -> Instrument:
    """The parsed instrument of a stored version (parsed once per checksum per process)."""
    row = db.get(InstrumentVersion, instrument_version_id)
    if row is None:
        raise UserError(f"no instrument version {instrument_version_id}")
    return instrument_of(row)


def instrument_of(row: InstrumentVersion) -> Instrument:
    instrument = _parsed.get(row.checksum)
    if instrument is None:
        from app.instrument.loader import parse_instrument

        instrument = parse_instrument(row.source, f"{row.key}-{row.version}.yaml")
        _parsed[row.checksum] = instrument
    return instrument


def list_instrument_versions(*, db: Session) -> list[InstrumentVersion]:
    rows = db.scalars(select(InstrumentVersion)).all()
    return sorted(rows, key=lambda row: (row.key, _version_key(row.version)))


def default_norm_table(db: Session, row: InstrumentVersion) -> NormTableRow:
    """The norm table shipped in the instrument file itself."""
    norms_id = instrument_of(row).norms.id
    table = db.get(NormTableRow, norms_id)
    if table is None:
        raise UserError(f"{row.key} {row.version}: its norm table {norms_id!r} is not loaded")
    return table


def get_norms(db: Session, norm_table_id: str) -> NormTable:
    """A stored norm table as the scoring engine takes it."""
    table = db.get(NormTableRow, norm_table_id)
    if table is None:
        raise UserError(f"no norm table {norm_table_id!r}")
    return NormTable.model_validate(table.content)
