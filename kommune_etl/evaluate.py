"""Compare the pipeline's normalised values with hand-checked answer keys (gold JSON files).

Values are compared as sets per document and label, as the keys are written (each value once).
Codes that were not valid at the document's date are null in the keys and are left out on both sides.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from kommune_etl.models import DocumentResult

#: The labels the quality bar is measured on, and the informative ones.
GATED_LABELS = ("AMOUNT", "DATE", "MUNICIPALITY", "COUNTY")
#: PLACE_HISTORY: (historical_code, successor_code) of the places whose names had no code on the document date.
INFO_LABELS = ("PERIOD", "CASE_REF", "PLACE_HISTORY")


@dataclass(frozen=True)
class Score:
    document: str
    label: str
    true_positives: int
    predicted: int
    expected: int
    missing: tuple = ()
    extra: tuple = ()

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def gold_values(gold: dict, label: str) -> set:
    if label == "AMOUNT":
        return {a["value"] for a in gold.get("amounts_nok", [])}
    if label == "DATE":
        return {d["value"] for d in gold.get("dates", [])}
    if label == "MUNICIPALITY":
        return {m["code"] for m in gold.get("municipalities", []) if m.get("code")}
    if label == "COUNTY":
        return {c["code"] for c in gold.get("counties", []) if c.get("code")}
    if label == "PERIOD":
        return {(p["start"], p["end"]) for p in gold.get("periods", [])}
    if label == "CASE_REF":
        return set(gold.get("case_refs", []))
    if label == "PLACE_HISTORY":  # keys from version 2 on list names without a code with their history
        return {(p["historical_code"], p.get("successor_code")) for key in ("municipalities", "counties")
                for p in gold.get(key, []) if not p.get("code") and p.get("historical_code")}
    raise ValueError(label)


def optional_values(gold: dict, label: str) -> set:
    """Values a key neither rewards nor penalises: the candidates of an ambiguous amount (`NOK 1`, likely a typo
    for `NOU 1`), a municipality named only inside an organisation's name (`Verran Frivilligsentral`)."""
    if label == "AMOUNT":
        return {c for a in gold.get("ambiguous_amounts", []) for c in a.get("candidates", [])}
    if label == "MUNICIPALITY":
        return {m["code"] for m in gold.get("optional_municipalities", []) if m.get("code")}
    return set()


def predicted_values(result: DocumentResult, label: str) -> set:
    if label == "PLACE_HISTORY":
        return {(e.historical_code, e.successor_code) for e in result.entities if e.historical_code}
    values = set()
    for entity in result.entities:
        if entity.label != label:
            continue
        if label == "PERIOD":
            values.add((entity.value["start"], entity.value["end"]))
            continue
        for value in (entity.value, entity.value_max):
            if value is not None:
                values.add(value)
    return values


def score(result: DocumentResult, gold: dict, labels=GATED_LABELS + INFO_LABELS) -> list[Score]:
    name = Path(result.source).name
    scores = []
    for label in labels:
        if label == "PLACE_HISTORY" and gold.get("key_version", 1) < 2:
            continue  # the first keys left such names out (`Søgne … no code was valid in 2025`)
        expected, predicted = gold_values(gold, label), predicted_values(result, label)
        predicted -= optional_values(gold, label) - expected
        hits = expected & predicted
        scores.append(Score(name, label, len(hits), len(predicted), len(expected),
                            tuple(sorted(map(str, expected - predicted))), tuple(sorted(map(str, predicted - expected)))))
    return scores


@dataclass(frozen=True)
class LabelSummary:
    """One label over many keys: pooled (micro) precision and recall, and the keys below a bar."""

    label: str
    precision: float
    recall: float
    keys: int
    below: tuple[str, ...]


def summarise(scores: list[Score], minimum: float) -> list[LabelSummary]:
    out = []
    for label in dict.fromkeys(s.label for s in scores):
        mine = [s for s in scores if s.label == label]
        hits, predicted, expected = (sum(getattr(s, f) for s in mine) for f in ("true_positives", "predicted", "expected"))
        out.append(LabelSummary(label, hits / predicted if predicted else 1.0, hits / expected if expected else 1.0,
                                len(mine), tuple(s.document for s in mine if min(s.precision, s.recall) < minimum)))
    return out


def load_gold(gold_dir: Path) -> dict[str, dict]:
    """Answer keys by document stem (`kristiansand_oppvekstutvalget_referat_2025-03-18`)."""
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in sorted(Path(gold_dir).glob("*.json"))}


def find_documents(stem: str, folders: list[Path]) -> list[Path]:
    return [path for folder in folders for path in sorted(Path(folder).glob(f"{stem}.*")) if path.suffix != ".json"]
