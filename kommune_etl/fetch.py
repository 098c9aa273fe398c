"""The fetch stage: a configured source's new or changed documents into the inbox, with their outcomes and
the source's watermark recorded in the warehouse. Called by `kommune-etl fetch`/`backfill`, the nightly DAG's
`fetch` task and the tests.

Kept apart from `kommune_etl.pipeline` on purpose: a warm nightly run is mostly this stage, and it needs neither
spaCy nor GX (importing the pipeline costs ~2.3 s, this module ~0.1 s).
"""

from __future__ import annotations

import time
from contextlib import closing
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

from kommune_etl.extractors.sources import einnsyn, elements
from kommune_etl.extractors.sources.config import SourceConfig
from kommune_etl.extractors.sources.http import FetchError, FetchSummary, HttpPolicy, PoliteClient, fetch_document, list_links
from kommune_etl.discover import source_names_for
from kommune_etl.warehouse.connection import open_warehouse, publish_snapshot
from kommune_etl.warehouse.sources import known_documents, record_outcomes, record_run, watermark


#: Outcomes are recorded as they happen, at most a second apart: opening the warehouse costs ~15 ms, so one
#: opening per outcome made a 10 000-link listing spend minutes on book-keeping.
RECORD_EVERY_S = 1.0


def _record(db_path: Path, source: str, pending: list) -> None:
    if pending:
        with closing(open_warehouse(db_path)) as con:
            record_outcomes(con, source, pending)
        pending.clear()


def fetch_source(source: SourceConfig, inbox: Path, db_path: Path, window=None, policy: HttpPolicy | None = None
                 ) -> FetchSummary:
    """One configured source's new or changed documents into ``inbox`` (then `ingest` it as any folder).

    Incremental from the source's watermark (or its configured ``start``), or a backfill ``window`` of meeting
    dates (date, date) that leaves the watermark alone. Conditional requests from the previous run's
    validators, stated checksums compared before asking, restricted documents never requested, a failed or
    withdrawn document recorded with its reason while the rest goes on; a listing that fails is recorded in
    ``source_runs`` with the error (the watermark stays) and returned in ``summary.error``. The warehouse is
    opened only to read what is known, to record outcomes as they happen (at most a second apart) and to
    record the run: a slow server never holds its write lock, and a killed fetch keeps all but its last second.
    """
    if source.kind == "folder":
        return FetchSummary()                      # read in place by discover/ingest
    policy = policy or HttpPolicy(min_interval_s=source.min_interval_s)
    if not policy.allowed_hosts:  # requests go only where the source is configured to be
        policy = replace(policy, allowed_hosts=source.hosts())
    client = PoliteClient(policy, headers=source.headers())
    started = datetime.now(timezone.utc)
    with closing(open_warehouse(db_path)) as con:  # read what we know, then let go: downloads never hold the write lock
        before = watermark(con, source.name)
        known = known_documents(con, source.name)
    since = before or source.start
    summary = FetchSummary()
    try:
        if source.kind == "einnsyn":
            links, summary.watermark = einnsyn.list_links(client, source.url, since=since, window=window,
                                                          journalenhet=source.journalenhet)
        elif source.kind == "elements":
            links, summary.watermark = elements.list_links(client, source.url, since=since, window=window,
                                                           lookback_days=source.lookback_days)
        else:
            links = list_links(client, source.url)
    except FetchError as exc:
        links, summary.error = [], f"source {source.name!r}: listing failed: {exc}"
    name = source_names_for(db_path)  # personal data in a URL is stored pseudonymised
    pending: list = []
    recorded_at = float("-inf")
    for link in links:
        outcome = fetch_document(client, link, Path(inbox), known.get(name(link.url)))
        outcome = replace(outcome, url=name(outcome.url), message=name(outcome.message))
        summary.outcomes.append(outcome)
        pending.append(outcome)
        if time.monotonic() - recorded_at >= RECORD_EVERY_S:  # a killed fetch keeps all but its last second
            _record(db_path, source.name, pending)
            recorded_at = time.monotonic()
    _record(db_path, source.name, pending)
    summary.requests = client.requests
    with closing(open_warehouse(db_path)) as con:
        record_run(con, source.name, source.kind, summary, started_at=started, window=window, before=before)
        publish_snapshot(con, db_path)  # `sources` and the other readers see this fetch
    return summary
