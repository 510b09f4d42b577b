"""Screenshots of a report page in headless Chromium at a desktop and a phone width
(for the README): `python -m behavior.report.screenshots REPORT.html OUT_DIR`."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from behavior.report import pdf

SIZES = ((1366, 1800), (390, 2400))


def screenshot(html: Path, png: Path, width: int, height: int) -> Path:
    """The top `height` px of `html` rendered `width` px wide, charts drawn."""
    with tempfile.TemporaryDirectory(prefix="behavior-chromium-") as profile:
        command = pdf.chromium_command(
            Path(profile),
            f"--window-size={width},{height}",
            "--virtual-time-budget=15000",
            f"--screenshot={png.resolve()}",
            html.resolve().as_uri(),
        )
        result = subprocess.run(command, capture_output=True, text=True, timeout=180)
    if result.returncode != 0 or not png.exists():
        raise RuntimeError(f"chromium could not take {png.name}: {result.stderr[-500:]}")
    return png


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m behavior.report.screenshots REPORT.html OUT_DIR", file=sys.stderr)
        return 2
    html, out = Path(argv[0]), Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for width, height in SIZES:
        print(screenshot(html, out / f"mis_report_{width}.png", width, height))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
