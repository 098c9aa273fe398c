"""Run the suites on one document's frames with GX Core 1.x (ExpectationSuite, ValidationDefinition,
Checkpoint) and turn the results into plain records."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache

from kommune_etl.models import DocumentResult
from quality import frames
from quality.suites import ERROR, QualitySettings, suite_specs

FRAMES = {"documents": frames.document_frame, "entities": frames.entity_frame, "items": frames.item_frame,
          "grants": frames.grant_frame, "totals": frames.total_frame}


@dataclass(frozen=True)
class CheckResult:
    suite: str
    check: str
    severity: str
    success: bool
    observed: str      # failing values, e.g. "1e+15" or "votes_over_members=4"
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
    """An ephemeral GX context with one ValidationDefinition per suite, built once per process."""

    def __init__(self, settings: QualitySettings = QualitySettings()):
        import great_expectations as gx

        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        self.gx = gx
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = {"globally": False, "metric_calculations": False}
        source = self.context.data_sources.add_pandas("kommune_etl")
        self.definitions = {}
        for suite_name, specs in suite_specs(settings).items():
            suite = self.context.suites.add(gx.ExpectationSuite(name=suite_name))
            for check, severity, kind, kwargs in specs:
                suite.add_expectation(getattr(gx.expectations, kind)(**kwargs, meta={"check": check, "severity": severity},
                                                                     result_format="SUMMARY"))
            batch = source.add_dataframe_asset(suite_name).add_batch_definition_whole_dataframe(suite_name)
            self.definitions[suite_name] = self.context.validation_definitions.add(
                gx.ValidationDefinition(name=suite_name, data=batch, suite=suite))
        self.checkpoint = self.context.checkpoints.add(
            gx.Checkpoint(name="document", validation_definitions=list(self.definitions.values())))

    def validate(self, result: DocumentResult) -> DocumentValidation:
        checks = []
        for suite_name, definition in self.definitions.items():
            frame = FRAMES[suite_name](result)
            if frame.empty:
                continue
            outcome = definition.run(batch_parameters={"dataframe": frame})
            for r in outcome.results:
                meta = r.expectation_config.meta
                observed = _observed(frame, r.result)
                checks.append(CheckResult(suite_name, meta["check"], meta["severity"], bool(r.success),
                                          "" if r.success else observed, int(r.result.get("unexpected_count") or 0)))
        return DocumentValidation(result.sha256, tuple(checks))


_ROW_LABELS = ("text", "case", "recipient", "column")


def _observed(frame, result: dict) -> str:
    """The failing values, named by their row (`Søgne=False`, `14/25: votes_over_members=4`) where possible."""
    values = result.get("partial_unexpected_list")
    indexes = result.get("partial_unexpected_index_list")
    label = next((c for c in _ROW_LABELS if c in frame.columns), None)
    if values is not None and indexes and label:
        return _short([f"{frame.iloc[i][label]}={v}" for i, v in zip(indexes, values)])
    return _short(values if values is not None else result.get("observed_value"))


def _short(observed) -> str:
    if isinstance(observed, list):
        return ", ".join(map(str, observed[:5])) + (" …" if len(observed) > 5 else "")
    return str(observed)[:200]


@cache
def default_validator() -> Validator:
    return Validator()
