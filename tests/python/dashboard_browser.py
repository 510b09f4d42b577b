"""Drive the running dashboard in a real headless Chromium over the DevTools protocol.

`--screenshot` with `--virtual-time-budget` shoots Streamlit's loading skeleton when the
server is cold: the page's content arrives over a websocket after the load event, while
virtual time has already run out. So the test starts Chromium with a DevTools port,
opens the page, waits in real time until the app has drawn its elements and stopped
running, then takes the screenshot and reads the page's errors.
Used by tests/python/test_dashboard.py and to make the README screenshots:

    .venv/bin/python tests/python/dashboard_browser.py http://localhost:8501 docs/img \
        overview,engagement,commerce 1366x900
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from behavior.report.pdf import HEADLESS_FLAGS

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [*HEADLESS_FLAGS, "--remote-debugging-port=0", "--remote-allow-origins=*"]
# Done: the app drew at least one element of its main block and nothing is running.
READY = """(() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const drawn = main ? main.querySelectorAll('[data-testid="stElementContainer"]').length : 0;
  const skeleton = document.querySelectorAll('[data-testid="stSkeleton"]').length;
  // the status widget (running icon, "Stop") is in the toolbar only while a run is on
  const busy = document.querySelector('[data-testid="stStatusWidget"]') !== null;
  return drawn > 0 && skeleton === 0 && !busy;
})()"""
FACTS = """(() => ({
  exceptions: [...document.querySelectorAll('[data-testid="stException"]')]
    .map(e => e.innerText.slice(0, 300)),
  metrics: document.querySelectorAll('[data-testid="stMetric"]').length,
  title: (document.querySelector('h1') || {innerText: ''}).innerText,
  text: document.body.innerText.slice(0, 2000),
}))()"""


@dataclass
class PageShot:
    png: bytes
    exceptions: list[str]
    metrics: int
    title: str
    text: str
    console_errors: list[str] = field(default_factory=list)


class Browser:
    """One headless Chromium with a DevTools websocket to its first page."""

    def __init__(self, profile: Path, width: int = 1366, height: int = 900) -> None:
        from websockets.sync.client import connect

        self.stack = contextlib.ExitStack()
        profile.mkdir(parents=True, exist_ok=True)
        (profile / "DevToolsActivePort").unlink(missing_ok=True)  # a previous browser's
        self.process = subprocess.Popen(
            [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}"]
            + ["about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.close()
                raise RuntimeError("Chromium did not open its DevTools port")
            time.sleep(0.2)
        try:
            port = port_file.read_text().split()[0]
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as got:
                targets = json.load(got)
            page = next(t for t in targets if t.get("type") == "page")
            self.socket = self.stack.enter_context(
                connect(page["webSocketDebuggerUrl"], max_size=None, open_timeout=30)
            )
        except BaseException:
            self.close()
            raise
        self.ids = itertools.count(1)
        self.console_errors: list[str] = []
        for method in ("Page.enable", "Runtime.enable", "Log.enable"):
            self.call(method)
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def _event(self, message: dict) -> None:
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.exceptionThrown":
            self.console_errors.append(str(params.get("exceptionDetails", {}).get("text")))
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            args = params.get("args", [])
            self.console_errors.append(" ".join(str(a.get("value", "")) for a in args))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            self.console_errors.append(f"{entry.get('text')} {entry.get('url', '')}".strip())

    def call(self, method: str, params: dict | None = None, timeout: float = 60) -> dict:
        number = next(self.ids)
        self.socket.send(json.dumps({"id": number, "method": method, "params": params or {}}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self.socket.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") == number:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._event(message)

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result.get("result", {}).get("value")

    def shoot(self, url: str, timeout: float = 120, settle: float = 1.5) -> PageShot:
        """Open `url`, wait until the app is drawn and idle, then screenshot it."""
        self.console_errors = []
        self.call("Page.navigate", {"url": url})
        deadline = time.monotonic() + timeout
        time.sleep(1)
        while not self.evaluate(READY):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} was not drawn within {timeout} s")
            time.sleep(0.5)
        time.sleep(settle)  # charts draw after their element appears
        if not self.evaluate(READY):  # a rerun started: wait for it too
            while not self.evaluate(READY) and time.monotonic() < deadline:
                time.sleep(0.5)
        facts = self.evaluate(FACTS)
        shot = self.call("Page.captureScreenshot", {"format": "png"})
        return PageShot(
            png=base64.b64decode(shot["data"]),
            console_errors=list(self.console_errors),
            **facts,
        )

    def close(self) -> None:
        self.stack.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def main() -> None:
    base, out = sys.argv[1].rstrip("/"), Path(sys.argv[2])
    pages = sys.argv[3].split(",") if len(sys.argv) > 3 else ["overview"]
    width, height = (int(n) for n in (sys.argv[4] if len(sys.argv) > 4 else "1366x900").split("x"))
    out.mkdir(parents=True, exist_ok=True)
    browser = Browser(Path("/tmp/dashboard-browser-profile"), width, height)
    try:
        for page in pages:
            shot = browser.shoot(f"{base}/{'' if page == 'overview' else page}")
            name = out / f"dashboard-{page}.png"
            name.write_bytes(shot.png)
            print(name, len(shot.png), shot.exceptions, shot.console_errors)
    finally:
        browser.close()


if __name__ == "__main__":
    main()
