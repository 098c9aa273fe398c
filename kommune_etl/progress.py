"""A progress bar for long ingests when a person is watching (stderr is a terminal).

The bar is drawn on stderr, so `kommune-etl ingest … > log` still shows it and the log gets only the summary.
It moves once per document: when a new document has been read and analysed (the slow part), or when an
unchanged document, a copy or a skipped path is passed over; the load that follows each validated batch only
changes the label."""

from __future__ import annotations

import sys
from pathlib import Path

from kommune_etl.extractors.sandbox import Limits
from kommune_etl.extractors.sources.folder import list_files
from kommune_etl.pipeline import IngestSummary, ingest_paths


class DocumentProgress:
    """The two callbacks `ingest_paths` takes, advancing ``update(advance, description)`` once per document."""

    def __init__(self, update):
        self.update = update
        self.read: set[Path] = set()  # processed, counted, waiting for their batch's load

    def processed(self, path: Path, status: str) -> None:
        self.read.add(path)
        self.update(1, f"{'read ' + status:<11} {path.name[:50]}")

    def done(self, path: Path, outcome: str) -> None:
        counted = path in self.read
        self.read.discard(path)
        self.update(0 if counted else 1, f"{outcome:<11} {path.name[:50]}")


def ingest_with_progress(paths: list[Path], db: Path, limits: Limits, show: bool = True,
                         command: str = "ingest", ocr=None, mask_pii: bool = True) -> IngestSummary:
    if not (show and sys.stderr.isatty()):
        return ingest_paths(paths, db, limits, command=command, ocr=ocr, mask_pii=mask_pii)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    total = len(list_files(paths))
    with Progress(TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  TextColumn("{task.description}"), console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("", total=total)
        bar = DocumentProgress(lambda advance, description: progress.update(task, advance=advance,
                                                                            description=description))
        return ingest_paths(paths, db, limits, on_document=bar.done, on_processed=bar.processed, command=command,
                            ocr=ocr, mask_pii=mask_pii)
