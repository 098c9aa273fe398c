"""The expectation suites, one per table/stage. Each expectation carries `meta.check` (a stable name
stored with results) and `meta.severity`: `error` quarantines the document, `warning` loads it and
records a quality issue."""

from __future__ import annotations

from dataclasses import dataclass

from kommune_etl.quality.frames import KNOWN_DOC_TYPES

from kommune_etl.quality.severity import ERROR, INFO, WARNING  # noqa: E402, F401 (re-exported: the suites' words)


@dataclass(frozen=True)
class QualitySettings:
    amount_ceiling_nok: float = 5e11          # above any municipal figure; the state budget is ~2e12
    date_window_years_before: int = 200        # laws and histories are cited (Formannskapslovene 1837)
    date_window_years_after: int = 30          # plans reach 2050
    earliest_document_year: int = 1837
    min_chars_per_page: float = 20.0
    min_norwegian_words_per_1000_chars: float = 2.0


def suite_specs(s: QualitySettings) -> dict[str, list[tuple[str, str, str, dict]]]:
    """suite → [(check, severity, expectation class name, kwargs)]; the suite name is the frame name. What each
    check says when it fails is its sentence in quality.messages."""
    return {
        "documents": [
            ("doc_type_known", ERROR, "ExpectColumnValuesToBeInSet", {"column": "doc_type", "value_set": KNOWN_DOC_TYPES}),
            ("has_pages", ERROR, "ExpectColumnValuesToBeBetween", {"column": "pages", "min_value": 1}),
            # a future date is normal for a notice of a coming meeting, a plan or a budget; elsewhere it is a misread
            ("document_date_not_in_future", ERROR, "ExpectColumnValuesToBeBetween",
             {"column": "unexplained_days_ahead", "max_value": 0}),
            ("document_date_within_a_year", WARNING, "ExpectColumnValuesToBeBetween",
             {"column": "days_after_ingest", "max_value": 366}),
            ("document_year_plausible", ERROR, "ExpectColumnValuesToBeBetween",
             {"column": "document_year", "min_value": s.earliest_document_year, "max_value": 2100}),
            ("document_date_present", WARNING, "ExpectColumnValuesToNotBeNull", {"column": "document_date"}),
            ("text_per_page_plausible", WARNING, "ExpectColumnValuesToBeBetween",
             {"column": "chars_per_page", "min_value": s.min_chars_per_page}),
            ("language_norwegian", WARNING, "ExpectColumnValuesToBeBetween",
             {"column": "norwegian_words_per_1000_chars", "min_value": s.min_norwegian_words_per_1000_chars}),
            ("no_personal_data", WARNING, "ExpectColumnValuesToBeBetween", {"column": "pii_findings", "max_value": 0}),
            ("text_not_truncated", WARNING, "ExpectColumnValuesToBeBetween", {"column": "text_truncated_chars", "max_value": 0}),
        ],
        "entities": [
            ("amount_in_range", ERROR, "ExpectColumnValuesToBeBetween",
             {"column": "amount_nok", "min_value": 0, "max_value": s.amount_ceiling_nok}),
            ("span_inside_page", ERROR, "ExpectColumnValuesToBeInSet", {"column": "span_inside_page", "value_set": [True]}),
            ("code_valid_at_document_date", ERROR, "ExpectColumnValuesToBeInSet",
             {"column": "code_valid_at_document_date", "value_set": [True]}),
            ("place_code_resolved", WARNING, "ExpectColumnValuesToBeInSet", {"column": "code_resolved", "value_set": [True]}),
            ("date_near_document_date", WARNING, "ExpectColumnValuesToBeBetween",
             {"column": "days_from_document_date", "min_value": -365 * s.date_window_years_before,
              "max_value": 365 * s.date_window_years_after}),
        ],
        "items": [
            ("votes_within_members_present", WARNING, "ExpectColumnValuesToBeBetween", {"column": "votes_over_members", "max_value": 0}),
            ("item_has_outcome", WARNING, "ExpectColumnValuesToNotBeNull", {"column": "outcome"}),
        ],
        "votes": [
            # named voters = stated counts, for + against <= members present, nobody twice, every voter on the list
            ("roll_call_reconciles", WARNING, "ExpectColumnValuesToBeBetween", {"column": "reconciliation_issues", "max_value": 0}),
        ],
        "meetings": [
            ("protocol_layout_known", WARNING, "ExpectColumnValuesToBeInSet",
             {"column": "template", "value_set": ["elements_moteprotokoll", "elements_saksprotokoll", "acos_websak", "free_text"]}),
        ],
        "elections": [
            # party counts sum to the stated totals, seats to the council size, approved + rejected = total; large
            # preliminary/final deviations are listed: findings for a reader, never a reason to quarantine
            ("election_reconciles", WARNING, "ExpectColumnValuesToBeBetween", {"column": "reconciliation_issues", "max_value": 0}),
            # a preliminary/final difference above the threshold is the finding journalists look for: recorded, informative
            ("count_deviation_small", INFO, "ExpectColumnValuesToBeBetween", {"column": "count_deviations", "max_value": 0}),
        ],
        "grants": [
            ("recipient_code_resolved", WARNING, "ExpectColumnValuesToBeInSet", {"column": "recipient_resolved", "value_set": [True]}),
            # one amount per recipient, column and project in a document (rows of all documents validated together)
            ("no_duplicate_recipient_column", ERROR, "ExpectCompoundColumnsToBeUnique",
             {"column_list": ["sha256", "recipient", "column", "project_number"]}),
        ],
        "totals": [
            ("sum_reconciles", WARNING, "ExpectColumnValuesToBeBetween", {"column": "difference", "min_value": 0, "max_value": 0}),
        ],
    }
