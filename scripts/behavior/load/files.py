"""Finding the files to load, naming every file or folder that cannot be read.

`discover` walks PATH arguments (files, folders recursively, globs) like
`behavior.load.resolve_paths`, but instead of passing over what it cannot read it
returns it as `skipped` with the reason: a folder it may not list, a file it may
not read, a symlink that loops or points nowhere. The loader names each one and
exits non-zero. Dot and underscore files (`.DS_Store`, `_manifest.json`, `_SUCCESS`)
are left out on purpose and are not reported.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from pathlib import Path

from behavior.errors import UserError


def _is_hidden(name: str) -> bool:
    return name.startswith((".", "_"))


def _problem(path: Path) -> str | None:
    """Why a listed file cannot be read, or None."""
    if path.is_symlink():
        try:
            path.resolve(strict=True)
        except (OSError, RuntimeError) as exc:
            if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == 40:
                return "symlink loops"
            return "broken symlink"
    if not path.is_file():
        return "not a regular file"
    if not os.access(path, os.R_OK):
        return "permission denied"
    return None


def _walk(folder: Path, files: list[Path], skipped: list[tuple[Path, str]]) -> None:
    def onerror(error: OSError) -> None:
        where = Path(error.filename) if error.filename else folder
        skipped.append((where, f"cannot list folder: {error.strerror or error}"))

    for root, dirs, names in os.walk(folder, onerror=onerror):
        dirs[:] = sorted(d for d in dirs if not _is_hidden(d))
        for name in sorted(names):
            if _is_hidden(name):
                continue
            path = Path(root) / name
            problem = _problem(path)
            if problem:
                skipped.append((path, problem))
            else:
                files.append(path)


def discover(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(files to load, [(skipped path, reason)]) for PATH arguments."""
    paths = list(paths)
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw)
        link_problem = _problem(path) if path.is_symlink() else None
        if link_problem in ("symlink loops", "broken symlink"):
            skipped.append((path, link_problem))
        elif path.is_dir():
            if not os.access(path, os.R_OK | os.X_OK):
                skipped.append((path, "cannot list folder: Permission denied"))
            else:
                _walk(path, files, skipped)
        elif path.exists():
            problem = _problem(path)
            if problem:
                skipped.append((path, problem))
            else:
                files.append(path)
        elif glob.has_magic(str(raw)):
            matches = [Path(m) for m in sorted(glob.glob(str(raw), recursive=True))]
            if not matches:
                raise UserError(f"no files match {raw}")
            for match in matches:
                if match.is_dir():
                    _walk(match, files, skipped)
                elif not _is_hidden(match.name):
                    problem = _problem(match)
                    if problem:
                        skipped.append((match, problem))
                    else:
                        files.append(match)
        else:
            raise UserError(f"no such file or folder: {raw}")
    if not files and not skipped:
        raise UserError(f"no files to load in {', '.join(map(str, paths))}")
    unique: dict[str, Path] = {}
    for file in files:
        unique.setdefault(os.path.realpath(file), file)
    return list(unique.values()), skipped
