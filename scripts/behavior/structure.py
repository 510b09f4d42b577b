"""Structure check over dbt's manifest: the house rules a reviewer would enforce.

Rules (each violation is one line of output; any violation exits 1):
- every model has a description;
- every model has a primary-key test: `unique` and `not_null` on the same column;
  in a `columns_valid` test of error severity
  (tests/generic/columns_valid.sql), a `unique` rule on a column that a `not_null`
  rule or an enforced contract's not_null constraint covers, or a `unique` rule on
  `columns`; or a contract primary-key constraint; or, for a union of other models'
  rows (a view too large to group), meta `primary_key_from`: the upstream keys
  (`model.column` or `model.a,b`) that make its key unique by construction, each of
  which must carry a primary-key test itself;
- a model's name prefix matches its folder (staging stg_, intermediate int_,
  marts dim_/fct_, reports rpt_, utilities util_);
- only staging models call source();
- a model reads either sources or models, never both;
- a model's error-severity `columns_valid` test (its key and the rules our SQL
  guarantees, with the data-anomaly rules as warn_rules) reads only the model and
  its ancestors: dbt holds a test's failure against the nodes downstream of all of
  its parents, so a rule reading another model would let a broken key through to
  the nodes that do not read that one. Such a rule goes to a test of its own.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from behavior.errors import UserError

PREFIXES = {
    "staging": ("stg_",),
    "intermediate": ("int_",),
    "marts": ("dim_", "fct_"),
    "reports": ("rpt_",),
    "utilities": ("util_",),
}


def _layer(node: dict) -> str | None:
    parts = Path(node["original_file_path"]).parts
    return parts[1] if len(parts) > 2 and parts[0] == "models" else None


def _is_error(node: dict) -> bool:
    """A test that stops the build (warn-severity tests guard data, not keys)."""
    return str((node.get("config") or {}).get("severity", "error")).lower() == "error"


def _primary_key_models(manifest: dict) -> set[str]:
    """Model unique_ids that carry a primary-key test."""
    unique_cols: dict[str, set[str]] = defaultdict(set)
    not_null_cols: dict[str, set[str]] = defaultdict(set)
    compound_keys: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    with_pk: set[str] = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test":
            continue
        meta = node.get("test_metadata") or {}
        name = meta.get("name")
        attached = node.get("attached_node") or next(iter(node["depends_on"]["nodes"]), None)
        if not attached:
            continue
        column = node.get("column_name")
        if name == "unique" and column:
            unique_cols[attached].add(column)
        elif name == "not_null" and column:
            not_null_cols[attached].add(column)
        elif name == "columns_valid" and _is_error(node):
            for rule in (meta.get("kwargs") or {}).get("rules") or []:
                kind = rule.get("rule")
                if kind == "unique" and rule.get("columns"):
                    with_pk.add(attached)
                    compound_keys[attached].add(tuple(rule["columns"]))
                elif kind == "unique" and rule.get("column"):
                    unique_cols[attached].add(rule["column"])
                elif kind == "not_null" and rule.get("column"):
                    not_null_cols[attached].add(rule["column"])
    # A contract's not_null constraint stands for a not_null test when the contract
    # is enforced (the table refuses the row); a primary-key constraint counts whole.
    for node_id, node in manifest["nodes"].items():
        enforced = ((node.get("config") or {}).get("contract") or {}).get("enforced")
        for column_name, column in (node.get("columns") or {}).items():
            constraints = column.get("constraints") or []
            if enforced and any(c.get("type") == "not_null" for c in constraints):
                not_null_cols[node_id].add(column_name)
        for constraint in node.get("constraints") or []:
            if constraint.get("type") == "primary_key":
                with_pk.add(node_id)
        for column in (node.get("columns") or {}).values():
            for constraint in column.get("constraints") or []:
                if constraint.get("type") == "primary_key":
                    with_pk.add(node_id)
    keys: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    for model_id, columns in unique_cols.items():
        for column in columns & not_null_cols[model_id]:
            with_pk.add(model_id)
            keys[model_id].add((column,))
    for model_id, compound in compound_keys.items():
        keys[model_id] |= compound
    # A key unique by construction: every upstream key it names is tested as one.
    names = {
        node["name"]: node_id
        for node_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
    }

    def is_tested_key(entry: str) -> bool:
        model, _, columns = entry.partition(".")
        return bool(columns) and tuple(columns.split(",")) in keys[names.get(model, "")]

    for node_id, node in manifest["nodes"].items():
        upstream = ((node.get("config") or {}).get("meta") or {}).get("primary_key_from")
        if node["resource_type"] == "model" and upstream and all(map(is_tested_key, upstream)):
            with_pk.add(node_id)
    return with_pk


def _ancestors(manifest: dict) -> dict[str, set[str]]:
    """Every node's upstream nodes, transitively."""
    parents = {
        node_id: (node.get("depends_on") or {}).get("nodes") or []
        for node_id, node in manifest["nodes"].items()
    }
    found: dict[str, set[str]] = {}

    def visit(node_id: str) -> set[str]:
        if node_id not in found:
            found[node_id] = set()
            for parent in parents.get(node_id, []):
                found[node_id] |= {parent} | visit(parent)
        return found[node_id]

    for node_id in parents:
        visit(node_id)
    return found


def _tests_reading_beyond_their_model(manifest: dict) -> list[str]:
    problems = []
    ancestors = _ancestors(manifest)
    for node in manifest["nodes"].values():
        if (node.get("test_metadata") or {}).get("name") != "columns_valid" or not _is_error(node):
            continue
        attached = node.get("attached_node")
        if not attached:
            continue
        beyond = sorted(
            d.split(".")[-1]
            for d in node["depends_on"]["nodes"]
            if d != attached and d not in ancestors.get(attached, set())
        )
        if beyond:
            problems.append(
                f"{node['name']}: an error test of {attached.split('.')[-1]} reads "
                f"{', '.join(beyond)}, not upstream of it (a broken key would no longer "
                "stop the nodes that do not read it: give that rule a test of its own)"
            )
    return sorted(problems)


def check(manifest: dict) -> list[str]:
    """Return one message per rule violation (empty when the project is clean)."""
    problems: list[str] = []
    with_pk = _primary_key_models(manifest)
    for node_id, node in sorted(manifest["nodes"].items()):
        if node["resource_type"] != "model":
            continue
        name = node["name"]
        layer = _layer(node)
        depends = node["depends_on"]["nodes"]
        reads_sources = any(d.startswith("source.") for d in depends)
        reads_models = any(d.startswith(("model.", "seed.", "snapshot.")) for d in depends)
        if not (node.get("description") or "").strip():
            problems.append(f"{name}: no description")
        if node_id not in with_pk:
            problems.append(f"{name}: no primary-key test (unique + not_null on one column)")
        if layer not in PREFIXES:
            problems.append(f"{name}: lives outside the known folders ({', '.join(PREFIXES)})")
        elif not name.startswith(PREFIXES[layer]):
            problems.append(f"{name}: prefix does not match folder {layer}/ ({PREFIXES[layer]})")
        if reads_sources and layer != "staging":
            problems.append(f"{name}: calls source() outside staging")
        if reads_sources and reads_models:
            problems.append(f"{name}: reads both sources and models")
    return problems + _tests_reading_beyond_their_model(manifest)


def run(args: argparse.Namespace) -> int:
    path = Path(args.manifest)
    if not path.exists():
        raise UserError(f"{path} not found: run `dbt parse` (or dbt build) first")
    try:
        manifest = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError) as exc:
        raise UserError(f"{path} is not JSON: {exc}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("nodes"), dict):
        raise UserError(f"{path} is not a dbt manifest (no nodes)")
    malformed = [
        node_id
        for node_id, node in manifest["nodes"].items()
        if not isinstance(node, dict) or not {"name", "resource_type"} <= node.keys()
    ]
    if malformed:
        raise UserError(
            f"{path} is not a dbt manifest: node {malformed[0]} has no name or resource_type"
        )
    problems = check(manifest)
    for problem in problems:
        print(problem)
    models = sum(1 for n in manifest["nodes"].values() if n["resource_type"] == "model")
    if problems:
        print(f"structure check: {len(problems)} problem(s)")
        return 1
    print(f"structure check: {models} models, all rules pass")
    return 0


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    parser = subparsers.add_parser(name)
    parser.add_argument("manifest", nargs="?", default="target/manifest.json")
    parser.set_defaults(func=run)
