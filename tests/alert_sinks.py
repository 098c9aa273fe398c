"""Local alert sinks for tests that run the product in other processes: a webhook (http.server in a thread,
recording each POSTed JSON body) and an SMTP server (aiosmtpd, recording recipients and the raw message)."""

from __future__ import annotations

import json
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Sinks:
    webhook_url: str
    smtp: str  # host:port, as $KOMMUNE_ETL_ALERT_SMTP takes it
    posted: list[dict] = field(default_factory=list)
    mails: list[tuple[list[str], str]] = field(default_factory=list)

    def env(self, to: str = "steward@kommune.no") -> dict[str, str]:
        """The deployment's alert settings pointing at these sinks."""
        return {"KOMMUNE_ETL_ALERT_WEBHOOK": self.webhook_url, "KOMMUNE_ETL_ALERT_SMTP": self.smtp,
                "KOMMUNE_ETL_ALERT_TO": to}


@contextmanager
def alert_sinks():
    from aiosmtpd.controller import Controller

    posted, mails = [], []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            posted.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    class Mailbox:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
            mails.append((list(envelope.rcpt_tos), envelope.content.decode("utf-8", "replace")))
            return "250 OK"

    http = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    with socket.socket() as probe:  # aiosmtpd checks readiness by connecting, so it needs a real port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(Mailbox(), hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        yield Sinks(f"http://127.0.0.1:{http.server_port}/hook", f"127.0.0.1:{port}", posted, mails)
    finally:
        http.shutdown()
        smtp.stop()
