"""Run the suites on one document's frames with GX Core 1.x (ExpectationSuite, ValidationDefinition,
Checkpoint) and turn the results into plain records."""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from functools import cache

from kommune_etl.models import DocumentResult
from kommune_etl.quality import frames
from kommune_etl.quality.site import SITE, data_docs_index
from kommune_etl.quality.suites import ERROR, QualitySettings, suite_specs

FRAMES = {"documents": frames.document_frame, "entities": frames.entity_frame, "items": frames.item_frame,
          "grants": frames.grant_frame, "totals": frames.total_frame, "votes": frames.vote_frame,
          "meetings": frames.meeting_frame, "elections": frames.election_frame}


#: GX's loggers (no other library logs during a validation): its import alone logged 216 INFO lines
#: (`_docs_decorators` registering its API docs, the expectation registry) into every task log and CLI run.
NOISY_LOGGERS = ("great_expectations",)


def quiet_gx_logs() -> None:
    """Keep GX's warnings and errors, drop its INFO/DEBUG chatter: the one place this is set, before GX is imported
    (its noise comes at import time, so setting it afterwards is too late). A stricter level set by the caller
    stays."""
    for name in NOISY_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:  # NOTSET (0) too: GX then logs at whatever level the root has
            logger.setLevel(logging.WARNING)


@dataclass(frozen=True)
class CheckResult:
    suite: str
    check: str
    severity: str
    success: bool
    observed: str      # what was wrong and where, in words (quality.messages): "page 1: amount '…' reads as …"
    unexpected: int


@dataclass(frozen=True)
class DocumentValidation:
    sha256: str
    results: tuple[CheckResult, ...]

    @property
    def errors(self) -> list[CheckResult]:
        return [r for r in self.results if not r.success and r.severity == ERROR]

    @property
    def warnings(self) -> list[CheckResult]:
        return [r for r in self.results if not r.success and r.severity != ERROR]


class Validator:
    """A GX context with one suite, ValidationDefinition and Checkpoint per table, built once per process.

    With ``root`` the context is file-mode (`<root>/gx/`): every checkpoint run is stored and
    `build_data_docs()` renders them as GX Data Docs. Without it the context is ephemeral (tests, extract).

    Several processes may share one file project (the DAG's mapped tasks, on one machine or Celery workers on a
    shared volume): suites are written under an exclusive file lock and only when their specs changed, so no
    process rewrites a suite another has loaded (GX refuses to run a suite changed since it was loaded).
    """

    def __init__(self, settings: QualitySettings = QualitySettings(), root: Path | None = None):
        quiet_gx_logs()
        import great_expectations as gx

        self.gx, self.root = gx, root
        self.run_name: str | None = None  # GX's run name for what is validated next: the pipeline run it belongs to
        with self._project_lock():
            self.context = (gx.get_context(mode="file", project_root_dir=str(root)) if root
                            else gx.get_context(mode="ephemeral"))
            self.context.variables.progress_bars = {"globally": False, "metric_calculations": False}
            if root:
                from kommune_etl.quality.data_docs import use_offline_site

                use_offline_site(self.context)
            try:
                self.source = self.context.data_sources.get("kommune_etl")
            except (KeyError, ValueError, LookupError):
                self.source = self.context.data_sources.add_pandas("kommune_etl")
            self.checkpoints = {}
            self.unrendered: list = []  # results and suites stored since the last Data Docs build (their identifiers)
            for suite_name, specs in suite_specs(settings).items():
                self._add_suite(suite_name, specs)

    def _project_lock(self):
        """An exclusive lock on the file project (no-op when ephemeral)."""
        if not self.root:
            return nullcontext()
        return _locked(Path(self.root) / ".gx.lock")

    def _add_suite(self, name: str, specs) -> None:
        gx = self.gx
        # the fingerprint also names how expectations are built, so a stored suite is rebuilt when that changes
        fingerprint = hashlib.sha256(json.dumps([_BUILD, specs], sort_keys=True, default=str).encode()).hexdigest()
        try:
            stored = self.context.suites.get(name)
            if stored.meta.get("kommune_etl_specs") == fingerprint:
                self.checkpoints[name] = self.context.checkpoints.get(name)
                return
        except Exception:  # not stored yet (GX raises its own lookup errors)
            pass
        from great_expectations.data_context.types.resource_identifiers import ExpectationSuiteIdentifier

        self.unrendered.append(ExpectationSuiteIdentifier(name=name))  # (re)defined: its page is rendered again
        suite = self.context.suites.add_or_update(gx.ExpectationSuite(name=name, meta={"kommune_etl_specs": fingerprint},
                                                                     expectations=[
            getattr(gx.expectations, kind)(**kwargs, meta={"check": check, "severity": severity}, result_format="SUMMARY",
                                           severity=_GX_SEVERITY[severity])
            for check, severity, kind, kwargs in specs]))
        try:
            asset = self.source.get_asset(name)
        except (KeyError, ValueError, LookupError):
            asset = self.source.add_dataframe_asset(name)
        try:
            batch = asset.get_batch_definition(name)
        except (KeyError, ValueError, LookupError):
            batch = asset.add_batch_definition_whole_dataframe(name)
        definition = self.context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=name, data=batch, suite=suite))
        self.checkpoints[name] = self.context.checkpoints.add_or_update(
            gx.Checkpoint(name=name, validation_definitions=[definition], result_format="COMPLETE"))

    def _run(self, name: str, frame):
        from great_expectations.core.run_identifier import RunIdentifier

        run_id = RunIdentifier(run_name=self.run_name) if self.run_name else None
        result = self.checkpoints[name].run(batch_parameters={"dataframe": frame}, run_id=run_id)
        self.unrendered.extend(result.run_results)
        return next(iter(result.run_results.values()))

    def build_data_docs(self, keep_runs: int | None = None) -> str | None:
        """Render the stored results as GX Data Docs; the index page's URL, or None (ephemeral). Only the newest
        ``keep_runs`` results per suite are kept (default $KOMMUNE_ETL_GX_KEEP_RUNS or 50), in the store and in
        the site, so the cost of a rebuild stays flat instead of growing with every run."""
        new, self.unrendered = self.unrendered, []
        if self.root:
            prune_results(Path(self.root), keep_runs or int(os.environ.get(KEEP_RUNS_ENV, DEFAULT_KEEP_RUNS)))
        if self.root and (Path(self.root) / SITE / "index.html").is_file():
            # the site is there: render what this process stored (the index is rebuilt from the store's keys), so a
            # run's cost is its own results, not every kept one (issue 21: 7.4 s at 1 000 documents, growing)
            if new:
                self.context.build_data_docs(resource_identifiers=new)
            return data_docs_index(Path(self.root))
        sites = self.context.build_data_docs()
        return next(iter(sites.values()), None) if sites else None

    def validate_frames(self, frames_by_suite: dict, specs: dict) -> list[CheckResult]:
        """Validate ad-hoc frames (e.g. warehouse-level ones) with suites built from ``specs`` on first use."""
        checks = []
        for name, frame in frames_by_suite.items():
            if name not in self.checkpoints:
                with self._project_lock():
                    self._add_suite(name, specs[name])
            outcome = self._run(name, frame)
            for r in outcome.results:
                meta = r.expectation_config.meta
                checks.append(CheckResult(name, meta["check"], meta["severity"], bool(r.success),
                                          "" if r.success else _observed(frame, r.result, meta["check"], _kwargs(r)),
                                          int(r.result.get("unexpected_count") or 0)))
        return checks

    def validate(self, result: DocumentResult) -> DocumentValidation:
        return self.validate_many([result])[0]

    def validate_many(self, results: list[DocumentResult]) -> list[DocumentValidation]:
        """Validate a batch: one checkpoint run per suite over all documents' rows (GX's per-run overhead
        dominated per-document validation), with each failing row attributed back to its document."""
        import pandas as pd

        by_document: dict[str, list[CheckResult]] = {r.sha256: [] for r in results}
        for suite_name, build in FRAMES.items():
            parts = [build(r).assign(sha256=r.sha256) for r in results]
            parts = [p for p in parts if not p.empty]
            if not parts:
                continue
            frame = pd.concat(parts, ignore_index=True)
            present = set(frame["sha256"])
            for r in self._run(suite_name, frame).results:
                meta = r.expectation_config.meta
                rows = r.result.get("unexpected_index_list") or []
                failing: dict[str, list[int]] = {}
                for index in rows:
                    failing.setdefault(frame.iloc[index]["sha256"], []).append(index)
                values = dict(zip(rows, r.result.get("unexpected_list") or []))
                for sha256 in present:
                    own = failing.get(sha256, [])
                    observed = _observed(frame, {"partial_unexpected_list": [values.get(i) for i in own],
                                                 "partial_unexpected_index_list": own}, meta["check"], _kwargs(r)) if own else ""
                    by_document[sha256].append(CheckResult(suite_name, meta["check"], meta["severity"], not own,
                                                           observed, len(own)))
        return [DocumentValidation(r.sha256, tuple(by_document[r.sha256])) for r in results]


#: Our severities in GX's own field, so Data Docs show a failed warning as a warning, not a critical failure.
_GX_SEVERITY = {"error": "critical", "warning": "warning", "info": "info"}
_BUILD = "gx-severity-1"


def _kwargs(result) -> dict:
    return dict(result.expectation_config.kwargs or {})


def _observed(frame, result: dict, check: str, kwargs: dict | None = None) -> str:
    """What was wrong and where, in words, for the first failing rows: `<where>: <sentence>` per row, e.g.
    `grant table on page 1, row 15: recipient '156' is not a place` (quality.messages)."""
    from kommune_etl.quality.messages import described, listed

    values = result.get("partial_unexpected_list")
    indexes = result.get("partial_unexpected_index_list")
    if indexes:
        values = values if values is not None and len(values) == len(indexes) else [None] * len(indexes)
        return listed([described(check, frame.iloc[i].to_dict(), kwargs, value) for i, value in zip(indexes, values)])
    # an expectation that reports no rows (none of ours): its observed value, as GX gives it
    observed = values if values is not None else result.get("observed_value")
    return (", ".join(map(str, observed[:5])) if isinstance(observed, list) else str(observed))[:200]


@contextmanager
def _locked(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


KEEP_RUNS_ENV, DEFAULT_KEEP_RUNS = "KOMMUNE_ETL_GX_KEEP_RUNS", 50


def prune_results(root: Path, keep: int) -> int:
    """Delete all but the newest ``keep`` validation results of each suite from a GX project, and their Data Docs
    pages. GX keeps results as `uncommitted/validations/<suite>/<run name>/<time>/<batch>.json` and renders each to
    the same path under the site. Returns how many results were removed."""
    import shutil

    store = root / "gx" / "uncommitted" / "validations"
    site = root / SITE / "validations"
    removed = 0
    if not store.is_dir():
        return 0
    for suite in (p for p in store.iterdir() if p.is_dir()):
        results = sorted((t for run in suite.iterdir() if run.is_dir() for t in run.iterdir() if t.is_dir()),
                         key=lambda t: t.name, reverse=True)  # the folder name is the run's UTC time
        for old in results[keep:]:
            relative = old.relative_to(store)
            shutil.rmtree(old, ignore_errors=True)
            shutil.rmtree(site / relative, ignore_errors=True)
            removed += 1
        for run in [r for r in suite.iterdir() if r.is_dir() and not any(r.iterdir())]:  # runs with nothing left
            run.rmdir()
            shutil.rmtree(site / run.relative_to(store), ignore_errors=True)
    return removed


@cache
def default_validator() -> Validator:
    return Validator()


@cache
def validator_for(root: Path | None) -> Validator:
    """One validator per GX project folder (a warehouse's `gx/`), or the ephemeral default."""
    return Validator(root=root) if root else default_validator()
