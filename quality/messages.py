"""What a failed check says, in words: one sentence per check, filled in from the failing row of its frame (and
the expectation's bounds), after where that row is (the frame's `where` column, e.g. `grant table on page 7,
row 3`). This text is a failed check's `observed` (quality_results, quarantine and quality_issues messages,
alerts, `kommune-etl quality`):

    grant table on page 1, row 15: recipient '156' is not a place

Every check of quality.suites, quality.warehouse_checks and quality.run_size has a sentence here (a test holds
that). Light on purpose (no pandas, no GX): the run-size guard words its results without either."""

from __future__ import annotations

import string
from collections.abc import Mapping
from datetime import date, datetime

#: check name → sentence. Fields are the failing row's columns, the expectation's kwargs (`min_value`,
#: `max_value`, `value_set`) and `value` (the failing value); the format spec `n` groups a number's thousands.
SENTENCES: dict[str, str] = {
    # documents: the document itself, no `where`
    "doc_type_known": "the document type '{doc_type}' is none of the known types",
    "has_pages": "the document has no pages",
    "document_date_not_in_future": "the document is dated {document_date}, {unexplained_days_ahead:n} days ahead, "
                                   "and is no notice, plan or budget (which may be dated ahead)",
    "document_date_within_a_year": "the document is dated {document_date}, {days_after_ingest:n} days after it was "
                                   "read (more than {max_value:n})",
    "document_year_plausible": "the document year {document_year} is outside {min_value}–{max_value}",
    "document_date_present": "no document date was found",
    "text_per_page_plausible": "the document has {chars_per_page:.0f} characters per page, fewer than {min_value:n}: "
                               "little or no text was read",
    "language_norwegian": "the text has {norwegian_words_per_1000_chars:.1f} common Norwegian words (og, i, for, til, "
                          "av, på) per 1000 characters, fewer than {min_value:n}: it may not be Norwegian",
    "no_personal_data": "the text holds personal data: {personal_data}",
    "text_not_truncated": "the text was cut at the length limit: {text_truncated_chars:n} characters beyond it were "
                          "not read",
    # entities: `page N`
    "amount_in_range": "amount '{text}' reads as {amount_nok:n} kr, outside {min_value:n}–{max_value:n} kr",
    "span_inside_page": "{kind} '{text}' is not what the page holds at characters {start}–{end}",
    "code_valid_at_document_date": "{kind} '{text}' has code {code}, which was not valid on {reference}",
    "place_code_resolved": "{kind} '{text}' has no code valid on {reference}",
    "date_near_document_date": "date '{text}' is {distance} the document date ({reference}), further than plausible",
    # agenda items: `agenda item 14/25 on page 3`
    "votes_within_members_present": "{votes_for:n} for and {votes_against:n} against make {votes_total:n} votes, more "
                                    "than the {members_present:n} members present",
    "item_has_outcome": "no outcome (adopted, rejected, unanimous) was read from its decision",
    # votes: `agenda item 14/25, vote 1 (innstillingen) on page 3`
    "roll_call_reconciles": "the roll call does not reconcile ({issue})",
    # meetings: `the meeting protocol`
    "protocol_layout_known": "its layout '{template}' is none of the known layouts ({value_set})",
    # elections: `kommunestyrevalg 2023 Steinkjer`
    "election_reconciles": "a count does not add up or was not read ({issue})",
    "count_deviation_small": "a large difference between the preliminary and the final count ({issue})",
    # grants: `grant table on page 1, row 15`
    "recipient_code_resolved": "recipient '{recipient}' is not a place",
    "no_duplicate_recipient_column": "recipient '{recipient}' appears {times} in column '{column}'",
    # table totals: `grant table on page 1, SUM row`
    "sum_reconciles": "column '{column}' states {stated_sum:n}, its rows add up to {computed_sum_of_rows:n} "
                      "(off by {off_by:n})",
    # warehouse, after a run
    "no_duplicate_documents": "document {short_sha256}… ({source}) is stored {copies:n} times in table documents",
    **{f"no_orphan_{table}": f"{{orphan_{table}:n}} row(s) in table {table} belong to no document (their sha256 is "
                             "not in documents)"
       for table in ("pages", "entities", "grant_allocations", "agenda_items", "meetings")},
    "run_not_empty_after_documents": "the run saw no documents, where the last runs of its command saw "
                                     "{previous_median:n} (median)",
    "run_size_within_band": "the run saw {documents_seen:n} documents, {ratio_to_previous:.2f} times the median of the "
                            "last runs of its command ({previous_median:n}); expected {min_value:g}–{max_value:g} times",
}


class _Words(string.Formatter):
    """Numbers and dates as a reader writes them: 26456 not 26456.0, `n` → 1 000 000, dates as ISO days; a missing
    value as `unknown`; a list as its items."""

    def format_field(self, value, spec: str) -> str:
        if _missing(value):
            return "unknown"
        if isinstance(value, datetime):  # pandas' Timestamp too
            value = value.date()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, (list, tuple)):
            return ", ".join(map(str, value))
        if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
            return super().format_field(value, "" if spec == "n" else spec)
        number = float(value)
        if spec == "n":
            text = f"{number:,.0f}" if number.is_integer() or abs(number) >= 100 else f"{number:,.2f}".rstrip("0").rstrip(".")
            return text.replace(",", " ")
        if not spec and number.is_integer():
            return str(int(number))
        return format(number, spec)


def _missing(value) -> bool:
    try:
        return value is None or bool(value != value)  # NaN and NaT differ from themselves
    except (TypeError, ValueError):
        return False


_WORDS = _Words()


def sentence(check: str, row: Mapping, kwargs: Mapping | None = None, value=None) -> str:
    """The failed check in words for one failing row, without where it is; `column=value` for a check without a
    sentence (there is none: a test holds every check to one)."""
    fields = {**(kwargs or {}), **row, "value": value}
    template = SENTENCES.get(check)
    if template is None:
        column = (kwargs or {}).get("column")
        return f"{column or 'value'}={value}"
    try:
        return _WORDS.vformat(template, (), fields)
    except (KeyError, IndexError, ValueError, TypeError) as exc:  # a frame without a field the sentence names
        return f"{check} ({type(exc).__name__}: {exc}; value {value})"


def described(check: str, row: Mapping, kwargs: Mapping | None = None, value=None) -> str:
    """`<where>: <sentence>`, or the sentence alone for a row that is the document (or the warehouse) itself."""
    where = row.get("where")
    text = sentence(check, row, kwargs, value)
    return f"{where}: {text}" if isinstance(where, str) and where else text


def listed(descriptions: list[str], limit: int = 5) -> str:
    """The first ``limit`` failing rows, and how many more."""
    more = len(descriptions) - limit
    return "; ".join(descriptions[:limit]) + (f"; and {more} more" if more > 0 else "")
