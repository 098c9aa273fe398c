"""Which sources a deployment reads: a TOML file (`--sources FILE` or `$KOMMUNE_ETL_SOURCES`), one table each.

    [sources.bodo-einnsyn]
    kind = "einnsyn"                       # folder | http | einnsyn | elements
    url = "https://api.einnsyn.no"
    api_key_env = "EINNSYN_API_KEY"        # the key itself never sits in the file
    journalenhet = "enh_..."               # optional filter
    start = 2024-01-01                     # first incremental run starts here (later: the watermark)

Secrets come from the environment at fetch time; a missing one is an error that names the variable.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path

KINDS = ("folder", "http", "einnsyn", "elements")


class SourceConfigError(ValueError):
    """The sources file is wrong; the message names the file, the source and what to change."""


@dataclass(frozen=True)
class SourceConfig:
    name: str
    kind: str
    url: str | None = None               # http: the listing; einnsyn/elements: the API base URL
    path: str | None = None              # folder: the directory
    api_key_env: str | None = None       # einnsyn: environment variable holding the API-KEY
    tenant: str | None = None            # elements: the Tenant header
    journalenhet: str | None = None      # einnsyn: only this body's records
    start: date | None = None            # the first incremental run's lower bound (no watermark yet)
    lookback_days: int = 60              # elements: meetings this far before the watermark are checked again
    min_interval_s: float = 1.0          # politeness: at least this long between two requests
    allowed_hosts: tuple[str, ...] = ()  # hosts (or host:port) besides the url's own that documents may come from (a CDN)

    def hosts(self) -> tuple[str, ...]:
        """Where this source's requests may go: its url's host (with its port, when the url names one) and the
        allowed_hosts it names (`host` or `host:port`)."""
        from urllib.parse import urlsplit

        parts = urlsplit(self.url) if self.url else None
        own = (parts.hostname or "").lower() if parts else ""
        if parts and parts.port:
            own = f"{own}:{parts.port}"
        return tuple(dict.fromkeys(h.lower() for h in (own, *self.allowed_hosts) if h))

    @classmethod
    def listing(cls, url: str) -> SourceConfig:
        """An ad-hoc HTTP listing (a JSON feed or an HTML page of links), as a source named by its URL."""
        return cls(name=url, kind="http", url=url)

    def headers(self) -> dict[str, str]:
        """Headers every request of this source carries (API-KEY, Tenant)."""
        out = {}
        if self.api_key_env:
            key = os.environ.get(self.api_key_env)
            if not key:
                raise SourceConfigError(f"source {self.name!r}: environment variable {self.api_key_env} is not set;"
                                        " export the API key there (it is never read from the sources file)")
            out["API-KEY"] = key
        if self.tenant:
            out["Tenant"] = self.tenant
        return out


_REQUIRED = {"folder": ("path",), "http": ("url",), "einnsyn": ("url",), "elements": ("url", "tenant")}


def parse_sources(text: str, origin: str = "<sources>") -> dict[str, SourceConfig]:
    """Pure: the [sources.NAME] tables of a TOML document, checked."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourceConfigError(f"{origin}: not valid TOML ({exc})") from exc
    known = {f.name for f in fields(SourceConfig)} - {"name"}
    out = {}
    for name, table in data.get("sources", {}).items():
        where = f"{origin}: source {name!r}"
        if not isinstance(table, dict):
            raise SourceConfigError(f"{where}: expected a table [sources.{name}]")
        unknown = set(table) - known
        if unknown:
            raise SourceConfigError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}; known: "
                                    f"{', '.join(sorted(known))}")
        kind = table.get("kind")
        if kind not in KINDS:
            raise SourceConfigError(f"{where}: kind must be one of {', '.join(KINDS)}, not {kind!r}")
        missing = [key for key in _REQUIRED[kind] if not table.get(key)]
        if missing:
            raise SourceConfigError(f"{where}: a {kind} source needs {', '.join(missing)}")
        if "start" in table and not isinstance(table["start"], date):
            raise SourceConfigError(f"{where}: start must be a TOML date such as 2024-01-01")
        if "allowed_hosts" in table:
            hosts = table["allowed_hosts"]
            if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
                raise SourceConfigError(f'{where}: allowed_hosts must be a list of host names, e.g. ["cdn.example.no"]')
            table = {**table, "allowed_hosts": tuple(hosts)}
        out[name] = SourceConfig(name=name, **table)
    return out


def load_sources(path: Path | str | None = None) -> dict[str, SourceConfig]:
    """The deployment's sources: ``path``, else $KOMMUNE_ETL_SOURCES, else none configured."""
    path = path or os.environ.get("KOMMUNE_ETL_SOURCES")
    if not path:
        return {}
    path = Path(path)
    if not path.is_file():
        raise SourceConfigError(f"{path}: sources file not found; create it (see sources.example.toml) or unset"
                                " KOMMUNE_ETL_SOURCES")
    return parse_sources(path.read_text(encoding="utf-8"), str(path))


def select(sources: dict[str, SourceConfig], names: list[str] | None) -> list[SourceConfig]:
    """The named sources (all when ``names`` is empty); an unknown name is an error that lists the known ones."""
    if not names:
        return list(sources.values())
    unknown = [n for n in names if n not in sources]
    if unknown:
        raise SourceConfigError(f"unknown source(s) {', '.join(unknown)}; configured: "
                                f"{', '.join(sources) or 'none (set KOMMUNE_ETL_SOURCES)'}")
    return [sources[n] for n in names]
