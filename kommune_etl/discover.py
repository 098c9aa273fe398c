"""What a run has to read: the files `ingest` would not find unchanged, and how names are stored. Kept light (no
spaCy, GX or pandas), so the DAG's discover task, fetch and a no-op run pay only for listing, hashing and one query."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

from kommune_etl.extractors.sources.folder import printable, read_raw
from kommune_etl.warehouse.archive import RawArchive
from kommune_etl.warehouse.connection import open_warehouse, raw_archive_dir


def source_names_for(db_path: Path, mask_pii: bool = True) -> Callable[[str], str]:
    """How a file name or URL is stored: personal data in it pseudonymised with the warehouse's key (the same
    name gives the same stored source every run), or as it is under ``--keep-personal-data``."""
    return RawArchive(raw_archive_dir(db_path)).source_name if mask_pii else str


def changed_files(files: Iterable[Path], db_path: Path, mask_pii: bool = True) -> list[Path]:
    """Of ``files`` (as `list_files` lists an inbox), those `ingest` would not find unchanged: new paths, and paths
    whose bytes are not the version the warehouse holds for them now (changed, reverted, or known bytes at a new
    path). One query for what the warehouse holds; what the DAG's discover task hands to its process tasks."""
    current: set[tuple[str, str]] = set()
    if Path(db_path).exists():
        con = open_warehouse(db_path, read_only=True)
        try:
            current = set(con.execute("SELECT source, sha256 FROM source_versions WHERE is_current").fetchall())
        finally:
            con.close()
    name = source_names_for(db_path, mask_pii)
    changed = []
    for path in files:
        try:
            digest = hashlib.sha256(read_raw(path).content).hexdigest()
        except OSError:
            changed.append(path)  # let the run say what is wrong with it
            continue
        if (name(printable(Path(path).resolve())), digest) not in current:
            changed.append(path)
    return changed
