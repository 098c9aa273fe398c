"""One summary alert per run with new errors: which documents, which checks, where to look.

Channels are configured per deployment (environment or arguments): a Slack-compatible webhook
(`{"text": …}` POSTed as JSON), e-mail over SMTP, and always the log.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage

import duckdb

log = logging.getLogger("kommune_etl.alerts")


@dataclass(frozen=True)
class AlertSettings:
    webhook_url: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    mail_from: str = "kommune-etl@localhost"
    mail_to: tuple[str, ...] = ()
    timeout_s: float = 10.0

    @classmethod
    def from_env(cls) -> AlertSettings:
        smtp = os.environ.get("KOMMUNE_ETL_ALERT_SMTP", "")
        host, _, port = smtp.partition(":")
        return cls(webhook_url=os.environ.get("KOMMUNE_ETL_ALERT_WEBHOOK") or None, smtp_host=host or None,
                   smtp_port=int(port or 25), mail_from=os.environ.get("KOMMUNE_ETL_ALERT_FROM", cls.mail_from),
                   mail_to=tuple(a for a in os.environ.get("KOMMUNE_ETL_ALERT_TO", "").split(",") if a))


@dataclass(frozen=True)
class Alert:
    subject: str
    text: str
    documents: tuple[str, ...] = field(default_factory=tuple)


def build_alert(con: duckdb.DuckDBPyConnection, run_id: int, db_path: str) -> Alert | None:
    """The run's newly quarantined documents with their reasons, or None when there are none."""
    rows = con.execute(
        "SELECT q.source, q.stage, q.reason_code, q.message FROM quarantine q JOIN runs r ON r.run_id = ?"
        " WHERE (q.run_id = r.run_id OR (q.run_id IS NULL AND q.quarantined_at >= r.started_at))"
        " AND q.resolved_at IS NULL ORDER BY q.source, q.reason_code", [run_id]).fetchall()
    warehouse = con.execute("SELECT suite || '.' || check_name, observed FROM quality_results WHERE run_id = ? AND sha256 = ''"
                            " AND NOT success AND severity = 'error' ORDER BY 1", [run_id]).fetchall()
    if not rows and not warehouse:
        return None
    documents = tuple(dict.fromkeys(r[0] for r in rows))
    lines = [f"kommune-etl run {run_id}: {len(documents)} document(s) quarantined"]
    lines += [f"- {source} [{stage}/{code}] {message}" for source, stage, code, message in rows]
    lines += [f"- warehouse check {check} failed (observed: {observed})" for check, observed in warehouse]
    docs = con.execute("SELECT data_docs FROM quality_runs WHERE run_id = ?", [run_id]).fetchone()
    lines.append(f"Details: kommune-etl quality --run {run_id} --db {db_path}; "
                 f"after a fix: kommune-etl reprocess --quarantined --db {db_path}")
    if docs and docs[0]:
        lines.append(f"Data Docs: {docs[0]}")
    subject = f"kommune-etl: {len(documents)} document(s) quarantined in run {run_id}"
    if warehouse:
        subject += f", {len(warehouse)} warehouse check(s) failed"
    return Alert(subject, "\n".join(lines), documents)


def send_alert(alert: Alert, settings: AlertSettings) -> list[str]:
    """Deliver through every configured channel; a failing channel is logged, never raised. Returns the
    channels that delivered."""
    delivered = ["log"]
    log.warning("%s\n%s", alert.subject, alert.text)
    if settings.webhook_url:
        try:
            body = json.dumps({"text": f"*{alert.subject}*\n{alert.text}"}).encode()
            request = urllib.request.Request(settings.webhook_url, data=body, headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(request, timeout=settings.timeout_s) as response:
                response.read()
            delivered.append("webhook")
        except OSError as exc:
            log.error("alert webhook failed: %s", exc)
    if settings.smtp_host and settings.mail_to:
        try:
            message = EmailMessage()
            message["Subject"], message["From"], message["To"] = alert.subject, settings.mail_from, ", ".join(settings.mail_to)
            message.set_content(alert.text)
            with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout_s) as smtp:
                smtp.send_message(message)
            delivered.append("smtp")
        except (OSError, smtplib.SMTPException) as exc:
            log.error("alert e-mail failed: %s", exc)
    return delivered
