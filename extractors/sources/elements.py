"""Elements Publikum (Sikri), the public side of Elements' meeting module (`…/publikum/`).

Shape (as used by the public web client; every request carries the `Tenant` header):
- `GET api/PredefinedQuery/DmbMeetings?year=YYYY` → `[{"MO_ID", "MO_START", "MO_NAME", …}]`
- `GET api/DmbHandlings/GetByMeetingId/{MO_ID}` → `[{"Id", "Title", "Dmb": {"Name"}, "Meeting": {"StartDate"}}]`
- `GET api/DmbHandlings/{Id}` → `{"RegistryEntry": {"Database", "Id", "Documents": [{"DocumentDescription":
  {"Id", "DocumentTitle", "AccessCode", "IsPublished"}}]}}`
- file: `Documents/ShowDocument/{Database}/{RegistryEntry.Id}/{DocumentDescription.Id}`

The API has no "changed since": meetings are asked per year, those on or after (watermark − lookback) are
walked (protocols are published days or weeks after a meeting). Document ids are immutable, so a file
fetched once is not asked for again. A document with an access code (Noark tilgangskode) or not published
is restricted and never requested.
"""

from __future__ import annotations

import urllib.parse
from datetime import date, datetime, timedelta, timezone

from kommune_etl.extractors.sources.http import Link, PoliteClient

_DATE_KEYS = ("MO_START", "MO_STARTDATE", "StartDate")


def meeting_date(meeting: dict) -> date | None:
    for key in _DATE_KEYS:
        if meeting.get(key):
            return datetime.fromisoformat(str(meeting[key]).replace("Z", "+00:00")).date()
    return None


def document_links(base: str, handling: dict) -> list[Link]:
    """Pure: the files of one handling (agenda item) detail."""
    entry = handling.get("RegistryEntry") or {}
    links = []
    for document in entry.get("Documents") or []:
        description = document.get("DocumentDescription") or {}
        if description.get("Id") is None:
            continue
        url = urllib.parse.urljoin(base, f"Documents/ShowDocument/{entry.get('Database')}/{entry.get('Id')}/"
                                         f"{description['Id']}")
        restricted = bool(description.get("AccessCode") or entry.get("AccessCode")) \
            or description.get("IsPublished") is False
        links.append(Link(url, restricted=restricted, title=description.get("DocumentTitle"), immutable=True))
    return links


def list_links(client: PoliteClient, base: str, *, since: date | datetime | None = None,
               window: tuple[date, date] | None = None, lookback_days: int = 60,
               today: date | None = None) -> tuple[list[Link], datetime | None]:
    """Files of the meetings in ``window``, or from ``since`` − lookback to today; and the newest meeting date
    up to today (the next watermark)."""
    base = base.rstrip("/") + "/"
    today = today or datetime.now(timezone.utc).date()
    if isinstance(since, datetime):
        since = since.date()
    first = window[0] if window else (since - timedelta(days=lookback_days) if since else date(today.year, 1, 1))
    last = window[1] if window else today
    links: dict[str, Link] = {}
    newest = None
    for year in range(first.year, last.year + 1):
        for meeting in client.get_json(f"{base}api/PredefinedQuery/DmbMeetings?year={year}"):
            held = meeting_date(meeting)
            if held is None or not first <= held <= last:
                continue
            newest = held if newest is None else max(newest, held)
            meeting_id = urllib.parse.quote(str(meeting["MO_ID"]))
            for handling in client.get_json(f"{base}api/DmbHandlings/GetByMeetingId/{meeting_id}"):
                detail = client.get_json(f"{base}api/DmbHandlings/{urllib.parse.quote(str(handling['Id']))}")
                for link in document_links(base, detail):
                    links.setdefault(link.url, link)
    stamp = datetime(newest.year, newest.month, newest.day, tzinfo=timezone.utc) if newest else None
    return list(links.values()), stamp
