"""Nightly ingestion of municipal records (Airflow 3, TaskFlow).

fetch (configured sources — HTTP listings, eInnsyn, Elements — into the inbox, from each source's watermark
or over a date window) → discover (inbox + folder sources, split into batches) → process (mapped per batch of documents:
read, OCR, entities, structures, validation; staged as a pickle)
→ load (the single writer: pool `duckdb_writer` of size 1, DuckDB allows one writing process; emits the
warehouse Asset) — the same stage functions as `kommune-etl ingest` (kommune_etl.pipeline).

Only cheap imports at module level: spaCy, GX and the pipeline load inside the tasks, so parsing this
file stays far below Airflow's import timeout.
"""

from __future__ import annotations

import os
from datetime import timedelta

import pendulum
from airflow.sdk import Param, dag, task

from kommune_etl.orchestration import (BATCH_SIZE, DEFAULT_DB, DEFAULT_INBOX, DEFAULT_LISTINGS, NIGHTLY_SCHEDULE,
                                       PROCESS_PARALLELISM, STAGING, WAREHOUSE, WRITER_POOL, FailureAlert,
                                       batch_label, batches)

DOC_MD = """
### municipal_records_nightly

Fetches the configured sources into the inbox, then reads, checks and loads every new or changed document into
the DuckDB warehouse: the load path of `kommune-etl ingest`, with the same run books (`runs`), warehouse checks,
search index refresh and alert. A bad document is quarantined, never fails the run: the `load` task's log names
each with its reason on one line, and one alert (log, `$KOMMUNE_ETL_ALERT_WEBHOOK`, e-mail to
`$KOMMUNE_ETL_ALERT_TO` via `$KOMMUNE_ETL_ALERT_SMTP`) lists them. A task that fails for good alerts the same way.
Paths in the inbox that are no documents (manifests, metadata spreadsheets, READMEs, hidden files, links) are
skipped, not ingested: the `discover` task's log names each with its reason on one line, and the run counts them
(`runs.paths_skipped`, as `kommune-etl ingest` does).

`load` emits the `kommune_etl_warehouse` Asset with the warehouse it loaded (`extra.db`): `warehouse_refresh`
then exports, reports and publishes that warehouse.

| param | what it does |
|---|---|
| `inbox` | folder of incoming files read each night (default `$KOMMUNE_ETL_INBOX`); fetched documents land here |
| `db` | the DuckDB warehouse loaded (default `$KOMMUNE_ETL_DB`); also where fetch records watermarks, and the one the refresh works on |
| `sources` | names of configured sources (`$KOMMUNE_ETL_SOURCES`) to fetch; empty = all |
| `date_from`, `date_to` | a backfill: meeting dates fetched instead of what changed since each source's watermark (which stays) |
| `listing_urls` | ad-hoc HTTP listings (JSON feed or HTML page) fetched too (default `$KOMMUNE_ETL_LISTINGS`) |
| `batch_size` | documents per mapped `process` task (default `$KOMMUNE_ETL_BATCH_SIZE` or 25; 1 = one task per document) |

Trigger with a JSON conf, e.g. `{"db": "/data/warehouse/test.duckdb", "inbox": "/data/inbox"}`.
"""


@dag(
    dag_id="municipal_records_nightly",
    schedule=None if NIGHTLY_SCHEDULE == "manual" else NIGHTLY_SCHEDULE,
    start_date=pendulum.datetime(2025, 1, 1, tz="Europe/Oslo"),
    catchup=False,
    max_active_runs=1,
    doc_md=DOC_MD,
    params={"inbox": Param(DEFAULT_INBOX, type="string", description="folder of incoming files read each night; "
                           "fetched documents land here"),
            "db": Param(DEFAULT_DB, type="string", description="the DuckDB warehouse loaded (and then refreshed, "
                        "reported and published by warehouse_refresh)"),
            "sources": Param([], type="array", description="configured sources to read ($KOMMUNE_ETL_SOURCES); "
                             "empty = all"),
            "date_from": Param(None, type=["null", "string"], format="date",
                               description="with date_to: fetch this window of meeting dates (a backfill; "
                               "watermarks stay) instead of what changed since each source's watermark"),
            "date_to": Param(None, type=["null", "string"], format="date", description="the backfill window's "
                             "last meeting date (with date_from)"),
            "listing_urls": Param(DEFAULT_LISTINGS, type="array",
                                  description="ad-hoc HTTP listings (JSON feed or HTML page) fetched too"),
            "batch_size": Param(BATCH_SIZE, type="integer", minimum=1,
                                description="documents per mapped process task (1 = one task per document)")},
    default_args={"retries": 2, "retry_delay": timedelta(minutes=2), "retry_exponential_backoff": True,
                  "execution_timeout": timedelta(minutes=30), "on_failure_callback": FailureAlert()},
    tags=["kommune-etl"],
)
def municipal_records_nightly():
    @task(pool=WRITER_POOL)  # records what it fetched and the watermarks in the warehouse
    def fetch(params=None) -> dict:
        """New or changed documents of the selected sources into the inbox; every source is tried, then the
        task fails (retry, alert) if any listing failed — discover still runs on what did arrive."""
        from datetime import date
        from pathlib import Path

        from kommune_etl.extractors.sources.config import SourceConfig, load_sources, select
        from kommune_etl.fetch import fetch_source

        chosen = select(load_sources(), params["sources"])
        chosen += [SourceConfig.listing(url) for url in params["listing_urls"]]
        window = None
        if params["date_from"] or params["date_to"]:
            window = (date.fromisoformat(params["date_from"]), date.fromisoformat(params["date_to"]))
        counts, errors = {}, []
        for source in chosen:
            summary = fetch_source(source, Path(params["inbox"]), Path(params["db"]), window=window)
            counts[source.name] = summary.counts() | {"requests": summary.requests}
            if summary.error:
                errors.append(summary.error)
        if errors:
            raise RuntimeError("; ".join(errors))
        return counts

    @task(trigger_rule="all_done")
    def discover(params=None) -> list[list[str]]:
        """Files in the inbox and folder sources that `ingest` would not find unchanged (new paths, changed or
        reverted bytes, known bytes at a new path: the same rule as the CLI's), in batches for the mapped
        process task; and how many files were found unchanged, so the load's run counts every document it saw
        (a night with none where there used to be some is then caught by the warehouse checks). Paths that are no
        documents (manifests, metadata sheets, READMEs, hidden files, links) are skipped as `ingest` skips them:
        each logged with its reason on one line, hidden ones in one count, and the number handed on to the load,
        so the run's `paths_skipped` is the CLI's."""
        import logging
        from pathlib import Path

        from airflow.sdk import get_current_context

        from kommune_etl.extractors.sources.config import load_sources
        from kommune_etl.extractors.sources.folder import list_inbox
        from kommune_etl.discover import changed_files, source_names_for

        folders = [Path(params["inbox"])] + [Path(s.path) for s in load_sources().values() if s.kind == "folder"
                                             and (not params["sources"] or s.name in params["sources"])]
        listing = list_inbox([f for f in folders if f.exists()])
        files = listing.files
        log, name = logging.getLogger("kommune_etl.discover"), source_names_for(Path(params["db"]))
        for path, reason in listing.skipped:  # named as the warehouse stores names (personal data pseudonymised)
            log.info("skipped %s: %s", name(path), reason)
        if listing.hidden:
            log.info("skipped %d hidden file(s) or folder(s) (names starting with '.', e.g. .DS_Store)", listing.hidden)
        found = [str(p) for p in changed_files(files, Path(params["db"]))]
        ti = get_current_context()["ti"]
        ti.xcom_push(key="unchanged", value=len(files) - len(found))
        ti.xcom_push(key="skipped", value=len(listing.skipped) + listing.hidden)
        return batches(found, params["batch_size"])

    @task(max_active_tis_per_dagrun=PROCESS_PARALLELISM, map_index_template="{{ batch_label }}")
    def process(paths: list[str], params=None) -> str:
        """Every database-free stage for a batch of documents; the results are staged for the writer. A bad
        document becomes a rejected result (quarantined by the load), never the batch's failure."""
        import logging
        import pickle
        import tempfile
        from pathlib import Path

        from airflow.sdk import get_current_context

        from kommune_etl.orchestration import quarantine_line
        from kommune_etl.pipeline import process_for_load, read_raw

        get_current_context()["batch_label"] = batch_label(paths)
        log, position = logging.getLogger("kommune_etl.process"), iter(range(1, len(paths) + 1))

        def progress(path: Path, status: str) -> None:
            log.info("[%d/%d] %s: %s", next(position), len(paths), path.name, status)

        staged = process_for_load((read_raw(Path(p)) for p in paths), Path(params["db"]), on_document=progress)
        for document in staged:  # rejected by a reader or quarantined by a quality check: say which, and why
            if document.result.error is not None:
                log.warning("%s %s", document.result.status.value,
                            quarantine_line(document.source, document.result.error.code, document.result.error.message))
        folder = Path(STAGING or Path(params["db"]).parent / "staging")
        folder.mkdir(parents=True, exist_ok=True)
        handle, target = tempfile.mkstemp(dir=folder, suffix=".pkl")
        with os.fdopen(handle, "wb") as out:
            pickle.dump(staged, out)
        return target

    @task(pool=WRITER_POOL, outlets=[WAREHOUSE], trigger_rule="none_failed")
    def load(staged: list[str] | None = None, params=None) -> dict:
        """The single writer: one recorded run, quality checks, Data Docs and the alert — also on a night with
        nothing new (process skipped), so the run is recorded and the warehouse checks run. The Asset event
        carries the warehouse loaded, so the refresh works on it and not on the default."""
        import logging
        import pickle
        from pathlib import Path

        from airflow.sdk import get_current_context

        from kommune_etl.orchestration import quarantine_line
        from kommune_etl.pipeline import load_processed

        context = get_current_context()
        staged = list(staged or [])
        unchanged = context["ti"].xcom_pull(task_ids="discover", key="unchanged") or 0
        skipped = context["ti"].xcom_pull(task_ids="discover", key="skipped") or 0

        def documents():
            for path in staged:
                with open(path, "rb") as handle:
                    yield from pickle.load(handle)

        summary = load_processed(Path(params["db"]), documents(), command="airflow", unchanged=unchanged,
                                 skipped=skipped)
        for path in staged:  # removed only once loaded: a retried load finds its inputs (and skips what is in)
            Path(path).unlink(missing_ok=True)
        log = logging.getLogger("kommune_etl.load")
        for result in summary.rejected:
            log.warning("quarantined %s", quarantine_line(result.source, result.error.code, result.error.message))
        context["outlet_events"][WAREHOUSE].extra = {"db": os.path.abspath(params["db"]),
                                                     "warehouse_run": summary.run_id}
        return {"run_id": summary.run_id, "new": summary.new, "updated": summary.updated,
                "unchanged": summary.unchanged, "quarantined": summary.quarantined, "pages": summary.pages,
                "skipped": summary.paths_skipped}

    listed = discover()
    fetch() >> listed
    load(process.expand(paths=listed))


municipal_records_nightly()
