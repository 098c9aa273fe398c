"""Load DuckDB extensions from their PyPI wheels, never from the network.

DuckDB extensions are binaries for one exact DuckDB version; the `duckdb-extension-<name>` wheels pinned
in pyproject.toml carry them (docs/decisions/0008). `LOAD '<file>'` reads the file in place, so nothing
is installed into ~/.duckdb and a read-only or offline host works the same.
"""

from __future__ import annotations

import importlib
from importlib import resources
from pathlib import Path

import duckdb

# extension name -> the module of the wheel that carries it
_WHEELS = {"ducklake": "duckdb_extension_ducklake", "postgres_scanner": "duckdb_extension_postgres_scanner"}


class ExtensionUnavailable(RuntimeError):
    """The extension's wheel is missing or built for another DuckDB version."""


def extension_file(name: str) -> Path:
    version = duckdb.__version__ if duckdb.__version__.startswith("v") else f"v{duckdb.__version__}"
    try:
        module = importlib.import_module(_WHEELS[name])
    except (KeyError, ImportError) as exc:
        raise ExtensionUnavailable(f"DuckDB extension {name!r} is not installed; run `uv sync --frozen`") from exc
    path = Path(str(resources.files(module))) / "extensions" / version / f"{name}.duckdb_extension"
    if not path.exists():
        raise ExtensionUnavailable(
            f"DuckDB extension {name!r} has no build for DuckDB {version} at {path}; "
            "keep duckdb and the duckdb-extension-* wheels on the same version (docs/decisions/0008)")
    return path


def load_extension(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Load ``name`` into ``con`` (a no-op when it is loaded already)."""
    loaded = con.execute("SELECT loaded FROM duckdb_extensions() WHERE extension_name = ?", [name]).fetchone()
    if loaded and loaded[0]:
        return
    con.execute(f"LOAD '{extension_file(name)}'")
