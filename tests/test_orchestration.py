"""What the DAGs decide in plain Python (kommune_etl.orchestration): which warehouse a refresh works on, how a
failed task is announced (Airflow's notifier convention, the quality alert channels) and how a task log names
a quarantined document. No Airflow run, no services."""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer
from types import SimpleNamespace

from kommune_etl.orchestration import FailureAlert, quarantine_line, refreshed_warehouse

NIGHT = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)


def _event(db=None, minutes=0, **extra):
    return SimpleNamespace(extra={**({"db": db} if db else {}), **extra}, timestamp=NIGHT + timedelta(minutes=minutes))


def test_a_refresh_works_on_the_warehouse_the_load_wrote():
    assert refreshed_warehouse([_event("/data/test/night.duckdb", warehouse_run=7)], "/data/default.duckdb") == \
        "/data/test/night.duckdb"
    # several loads before the refresh ran: the latest one's warehouse, whatever order the events come in
    events = [_event("/data/b.duckdb", minutes=30), _event("/data/a.duckdb", minutes=5)]
    assert refreshed_warehouse(events, "/data/default.duckdb") == "/data/b.duckdb"


def test_a_refresh_without_a_load_event_naming_a_warehouse_uses_its_param():
    assert refreshed_warehouse([], "/data/manual.duckdb") == "/data/manual.duckdb"           # triggered by hand
    assert refreshed_warehouse([_event(), SimpleNamespace(extra=None, timestamp=NIGHT)], "/data/p.duckdb") == \
        "/data/p.duckdb"                                            # an event from elsewhere, without `db`


def _context(exception):
    ti = SimpleNamespace(dag_id="municipal_records_nightly", task_id="process", map_index=1, try_number=3,
                         run_id="scheduled__2026-03-02T01:00:00+00:00",
                         log_url="http://localhost:8080/dags/municipal_records_nightly/runs/x/tasks/process/mapped/1")
    return {"ti": ti, "task_instance": ti, "run_id": ti.run_id, "exception": exception,
            "params": {"db": "/data/warehouse/warehouse.duckdb"}}


def test_a_failed_task_is_announced_by_a_notifier_through_the_alert_channels(caplog):
    from airflow.sdk import BaseNotifier

    from kommune_etl.quality.alerts import AlertSettings

    notifier = FailureAlert(AlertSettings())                         # the log only
    assert isinstance(notifier, BaseNotifier)
    with caplog.at_level(logging.WARNING, logger="kommune_etl.alerts"):
        notifier(_context(RuntimeError("listing https://x.kommune.no failed:\nHTTP 503")))   # as Airflow calls it
    (record,) = [r for r in caplog.records if r.name == "kommune_etl.alerts"]
    assert record.getMessage().splitlines() == [
        "kommune-etl: task municipal_records_nightly.process[1] failed",
        "DAG municipal_records_nightly, run scheduled__2026-03-02T01:00:00+00:00, task process[1], try 3: "
        "RuntimeError: listing https://x.kommune.no failed: HTTP 503",
        "Warehouse: /data/warehouse/warehouse.duckdb",
        "Log: http://localhost:8080/dags/municipal_records_nightly/runs/x/tasks/process/mapped/1",
        "After a fix: clear the task (UI, or `airflow tasks clear`) to run it again."]


def test_the_notifier_reads_the_deployments_channels_from_the_environment(monkeypatch):
    posted = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            posted.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("KOMMUNE_ETL_ALERT_WEBHOOK", f"http://127.0.0.1:{server.server_port}/hook")
        FailureAlert()(_context(TimeoutError("execution_timeout")))
    finally:
        server.shutdown()
    (body,) = posted
    assert body["text"].startswith("*kommune-etl: task municipal_records_nightly.process[1] failed*\n")
    assert "try 3: TimeoutError: execution_timeout" in body["text"]


def test_a_quarantined_document_is_one_log_line_with_its_reason():
    source = "/data/inbox/broken.pdf"
    assert quarantine_line(source, "corrupt", f"{source}: no PDF backend could open the file.\n  Re-download it.") \
        == f"{source} [corrupt] no PDF backend could open the file. Re-download it."
    assert quarantine_line("a.txt", "quality_failed", "failed quality checks: documents.x (observed: 2099)") == \
        "a.txt [quality_failed] failed quality checks: documents.x (observed: 2099)"
