"""`kommune-etl report`: a self-contained HTML report (inline SVG charts, no network needed to open it)."""

from kommune_etl.report.render import write_report

__all__ = ["write_report"]
