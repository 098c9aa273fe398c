"""Drive Debian's headless Chromium over the DevTools protocol (CDP) — just enough to load a page,
collect console errors and exceptions, evaluate JavaScript and take a full-page screenshot.

No browser download and no driver: the `chromium` package (scripts/install-system-deps.sh) and the
`websockets` client. Flags are the ones this closed-network machine needs (see the env notes).
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from websockets.sync.client import connect

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars", "--remote-debugging-port=0"]


@dataclass
class PageVisit:
    errors: list[str] = field(default_factory=list)     # console.error, uncaught exceptions, failed loads
    result: object = None                                # the value of the evaluated expression
    screenshot: bytes = b""


def visit(url: str, expression: str, width: int = 1200, timeout: float = 30.0) -> PageVisit:
    """Open ``url`` in a fresh headless Chromium, wait for load, evaluate ``expression``, screenshot the page."""
    profile = Path(tempfile.mkdtemp(prefix="chromium-"))
    proc = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ws_url = _browser_endpoint(profile, proc, timeout)
        with connect(ws_url, max_size=64 * 2**20, open_timeout=timeout) as ws:
            return _Session(ws, timeout).run(url, expression, width)
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)


def _browser_endpoint(profile: Path, proc: subprocess.Popen, timeout: float) -> str:
    port_file = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"chromium exited with {proc.returncode} before it listened")
        if port_file.exists():
            lines = port_file.read_text().split()
            if len(lines) >= 2:
                return f"ws://127.0.0.1:{lines[0]}{lines[1]}"
        time.sleep(0.05)
    raise TimeoutError("chromium did not open its DevTools port")


class _Session:
    def __init__(self, ws, timeout: float):
        self.ws, self.timeout, self.ids, self.session = ws, timeout, itertools.count(1), None
        self.visit = PageVisit()
        self.loaded = False

    def send(self, method: str, params: dict | None = None) -> dict:
        message_id = next(self.ids)
        message = {"id": message_id, "method": method, "params": params or {}}
        if self.session:
            message["sessionId"] = self.session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            reply = json.loads(self.ws.recv(timeout=self.timeout))
            if reply.get("id") == message_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self._event(reply)
        raise TimeoutError(method)

    def _event(self, event: dict) -> None:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.visit.errors.append("console: " + " ".join(str(a.get("value", a.get("description")))
                                                             for a in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            self.visit.errors.append("exception: " + str(details.get("exception", {}).get("description")
                                                         or details.get("text")))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            self.visit.errors.append(f"log: {entry.get('text')} {entry.get('url', '')}".strip())
        elif method == "Page.loadEventFired":
            self.loaded = True

    def run(self, url: str, expression: str, width: int) -> PageVisit:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False})
        self.send("Page.navigate", {"url": url})
        deadline = time.monotonic() + self.timeout
        while not self.loaded and time.monotonic() < deadline:
            self._event(json.loads(self.ws.recv(timeout=self.timeout)))
        if not self.loaded:
            raise TimeoutError(f"{url} did not finish loading")
        evaluated = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in evaluated:
            self.visit.errors.append(f"evaluate: {evaluated['exceptionDetails'].get('text')}")
        self.visit.result = evaluated.get("result", {}).get("value")
        shot = self.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        self.visit.screenshot = base64.b64decode(shot["data"])
        return self.visit
