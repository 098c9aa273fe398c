"""A progress bar for long ingests when a person is watching (stderr is a terminal)."""

from __future__ import annotations

import sys
from pathlib import Path

from extractors.sandbox import Limits
from extractors.sources.folder import list_files
from kommune_etl.pipeline import IngestSummary, ingest_paths


def ingest_with_progress(paths: list[Path], db: Path, limits: Limits, show: bool = True,
                         command: str = "ingest", ocr=None, mask_pii: bool = True) -> IngestSummary:
    if not (show and sys.stderr.isatty()):
        return ingest_paths(paths, db, limits, command=command, ocr=ocr, mask_pii=mask_pii)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    total = len(list_files(paths))
    with Progress(TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  TextColumn("{task.description}"), transient=True) as progress:
        task = progress.add_task("", total=total)

        def advance(path: Path, outcome: str) -> None:
            progress.update(task, advance=1, description=f"{outcome:<11} {path.name[:50]}")

        return ingest_paths(paths, db, limits, on_document=advance, command=command, ocr=ocr, mask_pii=mask_pii)
