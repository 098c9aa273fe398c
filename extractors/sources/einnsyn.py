"""eInnsyn's REST API (api.einnsyn.no): meeting records and their files.

Shape (felleslosninger/einnsyn-api-spec): lists are `{"items": [...], "next": url}` pages, cursor-paged with
`startingAfter=<last id>`; every request carries the `API-KEY` header. We ask `GET /search?entity=Moetemappe`
filtered by `oppdatertDatoAfter` (incremental, from the watermark) or `moetedatoAfter`/`moetedatoBefore`
(a backfill window), sorted ascending, then per meeting its agenda items (`/moetemappe/{id}/moetesak`) and
meeting documents (`/moetemappe/{id}/moetedokument`), each → `dokumentbeskrivelse` → `dokumentobjekt` with
`referanseDokumentfil` and `sjekksum`/`sjekksumAlgoritme`. Fields are "expandable": an id or the object.

Not fetched: anything with `accessibleAfter` in the future (not yet public) — reported as restricted —
and deleted records.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from datetime import date, datetime, timezone

from kommune_etl.extractors.sources.http import FetchError, Link, PoliteClient, source_checksum

PAGE_SIZE = 100


def _iso(moment: datetime | date) -> str:
    if not isinstance(moment, datetime):
        moment = datetime(moment.year, moment.month, moment.day, tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def search_url(base: str, *, updated_after: datetime | date | None = None,
               window: tuple[date, date] | None = None, journalenhet: str | None = None) -> str:
    """The first page of meetings changed after ``updated_after`` or held within ``window`` (inclusive)."""
    query = [("entity", "Moetemappe"), ("sortOrder", "asc"), ("limit", str(PAGE_SIZE))]
    if window:
        query += [("moetedatoAfter", _iso(window[0])),
                  ("moetedatoBefore", _iso(datetime(window[1].year, window[1].month, window[1].day, 23, 59, 59,
                                                    tzinfo=timezone.utc)))]
    elif updated_after:
        query.append(("oppdatertDatoAfter", _iso(updated_after)))
    if journalenhet:
        query.append(("journalenhet", journalenhet))
    return f"{base.rstrip('/')}/search?{urllib.parse.urlencode(query)}"


def pages(client: PoliteClient, url: str) -> Iterator[dict]:
    """Every item of a paged list: follows `next`, or asks `startingAfter=<last id>` while pages come full."""
    seen = set()
    while url:
        page = client.get_json(url)
        items = page.get("items", [])
        for item in items:
            yield item
        nxt = page.get("next")
        if not nxt and len(items) >= PAGE_SIZE and isinstance(items[-1], dict):
            nxt = _with_param(url, "startingAfter", items[-1]["id"])
        url = urllib.parse.urljoin(url, nxt) if nxt else None
        if url in seen:
            raise FetchError(f"{url}: the API returned the same page twice; stopping instead of looping")
        seen.add(url)


def _with_param(url: str, key: str, value: str) -> str:
    parts = urllib.parse.urlsplit(url)
    query = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != key] + [(key, value)]
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _resolve(client: PoliteClient, base: str, value, collection: str) -> dict:
    """An expandable field: the object itself, or fetched by its id from ``/{collection}/{id}``."""
    if isinstance(value, dict):
        return value
    return client.get_json(f"{base.rstrip('/')}/{collection}/{urllib.parse.quote(str(value))}")


def _parse(stamp: str) -> datetime:
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _not_yet_public(record: dict, now: datetime) -> bool:
    after = record.get("accessibleAfter")
    return bool(after) and _parse(after) > now


def registration_links(client: PoliteClient, base: str, registration: dict, now: datetime) -> list[Link]:
    """The files of one agenda item or meeting document (through dokumentbeskrivelse → dokumentobjekt)."""
    if registration.get("deleted"):
        return []
    held_back = _not_yet_public(registration, now)
    links = []
    for described in registration.get("dokumentbeskrivelse") or []:
        description = _resolve(client, base, described, "dokumentbeskrivelse")
        if description.get("deleted"):
            continue
        for obj in description.get("dokumentobjekt") or []:
            file = _resolve(client, base, obj, "dokumentobjekt")
            if file.get("deleted") or not file.get("referanseDokumentfil"):
                continue
            restricted = held_back or _not_yet_public(description, now) or _not_yet_public(file, now)
            links.append(Link(urllib.parse.urljoin(base.rstrip("/") + "/", file["referanseDokumentfil"]),
                              restricted=restricted,
                              title=description.get("tittel") or registration.get("offentligTittel"),
                              checksum=source_checksum(file.get("sjekksumAlgoritme"), file.get("sjekksum"))))
    return links


def list_links(client: PoliteClient, base: str, *, since: datetime | date | None = None,
               window: tuple[date, date] | None = None, journalenhet: str | None = None,
               now: datetime | None = None) -> tuple[list[Link], datetime | None]:
    """Files of the meetings changed since ``since`` (or held in ``window``) and the newest `oppdatertDato` seen."""
    now = now or datetime.now(timezone.utc)
    links: dict[str, Link] = {}
    newest = None
    for meeting in pages(client, search_url(base, updated_after=since, window=window, journalenhet=journalenhet)):
        meeting = _resolve(client, base, meeting, "moetemappe")
        if meeting.get("deleted"):
            continue
        if meeting.get("oppdatertDato"):
            updated = _parse(meeting["oppdatertDato"])
            newest = updated if newest is None else max(newest, updated)
        mid = urllib.parse.quote(meeting["id"])
        for kind in ("moetesak", "moetedokument"):
            listing = f"{base.rstrip('/')}/moetemappe/{mid}/{kind}?limit={PAGE_SIZE}&expand=dokumentbeskrivelse"
            for registration in pages(client, listing):
                for link in registration_links(client, base, _resolve(client, base, registration, kind), now):
                    links.setdefault(link.url, link)
    return list(links.values()), newest
