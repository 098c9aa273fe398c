"""A local or NFS folder (an inbox): every regular file below the given paths, in a stable order."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def list_files(paths: Iterable[Path]) -> list[Path]:
    """Files named directly, and every non-hidden file below named folders (sorted, de-duplicated)."""
    found: dict[Path, None] = {}
    for path in map(Path, paths):
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                    found[child.resolve()] = None
        elif path.is_file():
            found[path.resolve()] = None
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return list(found)

