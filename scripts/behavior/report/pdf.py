"""The PDF of the daily MIS report: the same HTML printed by headless Chromium (A4, the
page's print stylesheet; the plotly charts are drawn before printing, as vector SVG)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

# A4 at 96 px per inch minus the 12 mm margins of the print stylesheet: the page is laid
# out (and the charts drawn) at the width it prints at.
PRINT_WINDOW = "704,1000"
PRINT_TIMEOUT = 180
# Headless Chromium on a machine with a closed network: without the background-networking
# flags it keeps trying (and failing) to reach Google's hosts. Also used by the dashboard's
# browser test (tests/python/dashboard_browser.py).
HEADLESS_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
FLAGS = (*HEADLESS_FLAGS, "--hide-scrollbars")
INSTALL_HINT = (
    "headless Chromium is not installed: `sudo apt-get install chromium` (or `make chromium` "
    "as root), or set BEHAVIOR_CHROMIUM to a Chromium/Chrome binary"
)


def chromium_path() -> str | None:
    """$BEHAVIOR_CHROMIUM, else chromium / chromium-browser / google-chrome on the PATH."""
    explicit = os.environ.get("BEHAVIOR_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium_problem() -> str | None:
    """None when a Chromium binary is there, else what to install (one line)."""
    return None if chromium_path() else INSTALL_HINT


def chromium_command(profile: Path, *extra: str) -> list[str]:
    binary = chromium_path()
    if binary is None:
        raise RuntimeError(INSTALL_HINT)
    return [binary, *FLAGS, f"--user-data-dir={profile}", *extra]


def print_pdf(html: Path, pdf: Path) -> Path:
    """Print `html` to `pdf` (A4, no header or footer); waits for the charts to draw."""
    with tempfile.TemporaryDirectory(prefix="behavior-chromium-") as profile:
        command = chromium_command(
            Path(profile),
            f"--window-size={PRINT_WINDOW}",
            "--run-all-compositor-stages-before-draw",
            "--virtual-time-budget=15000",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf.resolve()}",
            html.resolve().as_uri(),
        )
        result = subprocess.run(command, capture_output=True, text=True, timeout=PRINT_TIMEOUT)
    if result.returncode != 0 or not pdf.is_file():
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"chromium could not print {html.name}: {' | '.join(tail)}")
    return pdf
