"""Where a warehouse's GX Data Docs live (GX keeps its project in `gx/` beside the warehouse file)."""

from __future__ import annotations

from pathlib import Path

SITE = Path("gx") / "uncommitted" / "data_docs" / "local_site"


def data_docs_index(root: Path | None) -> str | None:
    """The site's index as a file URI, when it has been built."""
    index = Path(root) / SITE / "index.html" if root else None
    return index.resolve().as_uri() if index and index.is_file() else None
