"""`behavior dashboard [--database FILE] [--port N] [--address HOST]`: run the Streamlit
dashboard (headless) on the serving file and print its URL.

The app opens the file read-only: by default the serving file beside the build file
(warehouse/sample.serving.duckdb, written by `behavior publish`), else the build file.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from behavior.arguments import port
from behavior.errors import UserError

APP = Path(__file__).resolve().parent / "app.py"
DEFAULT_PORT = 8501


def command(database: Path, port: int, address: str) -> list[str]:
    """The `streamlit run` command line (headless, no usage statistics)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        "--server.headless=true",
        f"--server.port={port}",
        f"--server.address={address}",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
        "--client.toolbarMode=viewer",
    ]


def run(args: argparse.Namespace) -> int:
    from behavior.dashboard import queries

    database = Path(args.database) if args.database else queries.default_database()
    if not database.is_file():
        raise UserError(f"no warehouse at {database}: run `make run` (build and publish) first")
    env = dict(os.environ)
    env[queries.DATABASE_ENV] = str(database.resolve())
    host = "localhost" if args.address in ("0.0.0.0", "127.0.0.1") else args.address
    print(f"dashboard on {database}: http://{host}:{args.port} (Ctrl+C stops it)", flush=True)
    # Become the Streamlit server (no child process): a signal to this pid (Ctrl+C, the
    # Makefile's timeout, a test's terminate) stops the server itself.
    argv = command(database, args.port, args.address)
    os.execve(argv[0], argv, env)
    return 0  # not reached


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    parser = subparsers.add_parser(name)
    parser.add_argument(
        "--database",
        help="DuckDB file (default: the serving file beside the build file, when it exists; "
        "else the build file)",
    )
    parser.add_argument(
        "--port",
        type=port,  # also checks $BEHAVIOR_DASHBOARD_PORT: argparse types a text default
        default=os.environ.get("BEHAVIOR_DASHBOARD_PORT", str(DEFAULT_PORT)),
        help=f"port (default {DEFAULT_PORT}, or $BEHAVIOR_DASHBOARD_PORT)",
    )
    parser.add_argument(
        "--address", default="localhost", help="address to listen on (default localhost)"
    )
    parser.set_defaults(func=run)
