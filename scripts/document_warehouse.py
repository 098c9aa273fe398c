"""Regenerate docs/warehouse.md from the migrations (run after adding or changing a migration)."""

from pathlib import Path

from kommune_etl.warehouse.schema_doc import render_fresh

target = Path(__file__).resolve().parent.parent / "docs" / "warehouse.md"
target.write_text(render_fresh(), encoding="utf-8")
print(f"wrote {target}")
