"""Rebuild the organisation register and link ORG, MUNICIPALITY and COUNTY entities to it.

Registered organisations come from the shipped reference data (public bodies with organisation numbers, regional
networks, every municipality and county code); companies are the ORG entities documents name by a legal form.
"""

from __future__ import annotations

import hashlib
import json

import duckdb

from kommune_etl.refdata import load
from kommune_etl.transforms.actors import LEGAL_FORMS
from kommune_etl.warehouse.bulk import insert_rows

_LEGAL_FORMS = tuple(f" {form}" for form in LEGAL_FORMS)  # the forms the entity stage names companies by


def _id(kind: str, key: str) -> str:
    return "O" + hashlib.sha256(f"{kind}|{key}".encode()).hexdigest()[:12]


def register() -> tuple[dict[str, dict], dict[str, str], dict[tuple[str, str], str]]:
    """(organisations by id, ORG entity value → id, (label, code) → id) from the shipped reference data."""
    orgs: dict[str, dict] = {}
    by_value: dict[str, str] = {}
    by_code: dict[tuple[str, str], str] = {}
    for row in load("public_bodies.csv"):
        oid = f"O{row['orgnr']}" if row["orgnr"] else _id("public_body", row["short"])
        forms = {row["short"], row["name"], *filter(None, row["variants"].split("|"))}
        orgs[oid] = {"name": row["name"], "short_name": row["short"], "kind": "public_body", "org_number": row["orgnr"] or None,
                     "code": None, "names": sorted(forms)}
        by_value.update({form: oid for form in forms})
    for row in load("networks.csv"):
        oid = _id("network", row["name"])
        forms = {row["name"], *filter(None, row["variants"].split("|"))}
        orgs[oid] = {"name": row["name"], "short_name": None, "kind": "network", "org_number": None, "code": None,
                     "names": sorted(forms)}
        by_value.update({form: oid for form in forms})
    for label, kind, rows in (("MUNICIPALITY", "municipality", load("municipalities.csv")), ("COUNTY", "county", load("counties.csv"))):
        latest: dict[str, dict] = {}
        for row in rows:
            if row["code"] not in latest or row["valid_from"] > latest[row["code"]]["valid_from"]:
                latest[row["code"]] = row
        for code, row in latest.items():
            oid = _id(kind, code)
            orgs[oid] = {"name": row["name"], "short_name": None, "kind": kind, "org_number": None, "code": code,
                         "names": sorted(filter(None, row["names"].split("|")))}
            by_code[(label, code)] = oid
    return orgs, by_value, by_code


def rebuild_organisations(con: duckdb.DuckDBPyConnection) -> int:
    orgs, by_value, by_code = register()
    mentions = []
    rows = con.execute("""SELECT e.sha256, e.page_number, e.start_char, e.end_char, e.text, e.label, e.value
                          FROM entities e JOIN document_years USING (sha256)
                          WHERE e.label IN ('ORG', 'MUNICIPALITY', 'COUNTY')""").fetchall()
    for sha, page, start, end, text, label, value in rows:
        value = json.loads(value) if value else None
        if not value:
            continue
        if label == "ORG":
            oid = by_value.get(value)
            if oid is None:
                kind = "company" if value.endswith(_LEGAL_FORMS) else "other"
                oid = by_value[value] = _id(kind, value)
                orgs[oid] = {"name": value, "short_name": None, "kind": kind, "org_number": None, "code": None, "names": [value]}
        else:
            oid = by_code.get((label, value))
            if oid is None:
                continue
        mentions.append((oid, sha, page, start, end, text))
    counts: dict[str, tuple[int, set]] = {}
    for oid, sha, *_ in mentions:
        n, docs = counts.get(oid, (0, set()))
        counts[oid] = (n + 1, docs | {sha})
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM organisation_mentions")
        con.execute("DELETE FROM organisations")
        insert_rows(con, "organisations", ("org_id", "name", "short_name", "kind", "org_number", "code", "names", "mentions",
                                           "documents"),
                    [(oid, o["name"], o["short_name"], o["kind"], o["org_number"], o["code"], o["names"],
                      counts.get(oid, (0, set()))[0], len(counts.get(oid, (0, set()))[1])) for oid, o in sorted(orgs.items())])
        insert_rows(con, "organisation_mentions", ("org_id", "sha256", "page_number", "start_char", "end_char", "text"), mentions)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return len(orgs)
