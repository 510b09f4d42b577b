"""Metric definitions for the hover help, taken from the project's own descriptions.

The dbt manifest (target/manifest.json, written by every dbt build) holds each model's
and column's description as written in the models' yml, doc blocks rendered. The serving
file carries no comments (behavior publish copies data, not comments), so the manifest
is the source; without one the dashboard shows no help rather than invented text.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def manifest_path() -> Path:
    """$DBT_TARGET_PATH/manifest.json, else target/manifest.json of the project."""
    target = os.environ.get("DBT_TARGET_PATH")
    base = Path(target) if target else ROOT / "target"
    if not base.is_absolute():
        base = ROOT / base
    return base / "manifest.json"


@dataclass
class Definitions:
    """Descriptions by model name and by (model, column)."""

    models: dict[str, str] = field(default_factory=dict)
    columns: dict[tuple[str, str], str] = field(default_factory=dict)

    def model(self, name: str) -> str | None:
        return self.models.get(name)

    def column(self, model: str, column: str) -> str | None:
        return self.columns.get((model, column))

    def kpi(self, kpi_name: str) -> str | None:
        """The MIS KPI's definition: its column description in rpt_mis_daily, e.g. 'dau
        (engagement, count, higher is better): Daily active users ...'."""
        return self.column("rpt_mis_daily", kpi_name)


def _clean(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    return text or None


def load(path: Path | None = None) -> Definitions:
    """Read the manifest; an absent or unreadable one gives empty definitions."""
    path = path or manifest_path()
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Definitions()
    found = Definitions()
    for node in manifest.get("nodes", {}).values():
        if node.get("resource_type") not in ("model", "seed", "snapshot"):
            continue
        name = node.get("name")
        description = _clean(node.get("description"))
        if description:
            found.models[name] = description
        for column, spec in (node.get("columns") or {}).items():
            text = _clean(spec.get("description"))
            if text:
                found.columns[(name, column)] = text
    return found
