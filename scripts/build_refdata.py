"""Rebuild the shipped reference data (kommune_etl/refdata/) from the shared raw files.

    uv run python scripts/build_refdata.py [--source ../shared/refdata] [--out kommune_etl/refdata]

The product never reads ../shared at run time: this script copies the facts it needs (municipality
and county codes with validity periods and all name forms, party codes, public bodies, regional
networks, municipal code changes) into small, sorted CSV files. Output is deterministic, so a test can rebuild and compare.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write(rows: list[dict[str, str]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    return buffer.getvalue()


def municipalities(source: Path) -> str:
    """Every period of every municipality with every form its name is written in: SSB's name and parts, the
    name without SSB's disambiguating county (`Herøy (Nordland)` is written `Herøy`), and Kartverket's
    official forms in each language (`Porsáŋgu`)."""
    rows = _read(source / "kommuner_klass131_history.csv")
    forms_by_code: dict[str, set[str]] = {}
    for form in _read(source / "kommune_navn_sprak_kartverket_2020-2023.csv"):
        forms_by_code.setdefault(form["kommunenummer"], set()).add(form["navn"])
    language_forms: dict[str, set[str]] = {}  # any form → all forms of that municipality (for 2024 codes too)
    for forms in forms_by_code.values():
        for form in forms:
            language_forms.setdefault(form, set()).update(forms)
    out = []
    for row in rows:
        names = set(filter(None, row["navn_deler"].split("|"))) | {row["navn"]}
        names |= {re.sub(r"\s*\([^)]*\)$", "", n) for n in names}
        if row["gyldig_fra"] >= "2020-01-01" and row["navn"] in language_forms:
            names |= language_forms[row["navn"]]
        out.append({"code": row["kommunenummer"], "name": row["navn"], "names": "|".join(sorted(names)),
                    "county": row["fylkesnummer"], "valid_from": row["gyldig_fra"], "valid_to": row["gyldig_til"]})
    out.sort(key=lambda r: (r["code"], r["valid_from"]))
    return _write(out, ["code", "name", "names", "county", "valid_from", "valid_to"])


def counties(source: Path) -> str:
    out = [{"code": r["fylkesnummer"], "name": r["navn"], "names": "|".join(sorted(set(r["navn_deler"].split("|")) | {r["navn"]})),
            "valid_from": r["gyldig_fra"], "valid_to": r["gyldig_til"]} for r in _read(source / "fylker_history_derived.csv")]
    out.sort(key=lambda r: (r["code"], r["valid_from"]))
    return _write(out, ["code", "name", "names", "valid_from", "valid_to"])


#: Abbreviations seen in real protocols that the source list lacks (Levanger writes `(PENSJ)`).
EXTRA_PARTY_VARIANTS = {"PP": ("PENSJ", "Pensj"), "SP": ("Senterpartiet",), "SV": ("Sosialistisk Venstreparti",)}


def parties(source: Path) -> str:
    """Each party's written forms: the protocols' variants, its bokmål and nynorsk names, and known extras."""
    out = []
    for r in _read(source / "partier_forkortelser.csv"):
        forms = [*r["protokoll_varianter"].split("|"), *EXTRA_PARTY_VARIANTS.get(r["valg_partikode"], ())]
        forms += [name.split(" - ")[-1].strip() for name in (r["navn_nb"], r["navn_nn"]) if name.strip()]
        variants = "|".join(dict.fromkeys(f for f in forms if f.strip() and "(" not in f))
        out.append({"code": r["valg_partikode"], "variants": variants, "name": r["navn_nb"]})
    return _write(out, ["code", "variants", "name"])


def public_bodies(source: Path) -> str:
    out = [{"short": r["forkortelse"], "variants": r["varianter"], "name": " ".join(r["navn_nb"].split()),
            "kind": r["type"], "orgnr": r["orgnr"]} for r in _read(source / "offentlige_organer_forkortelser.csv")]
    return _write(out, ["short", "variants", "name", "kind", "orgnr"])


def networks(source: Path) -> str:
    out = [{"name": r["navn"], "variants": r["varianter"], "region": r["fylke_region"]}
           for r in _read(source / "regionale_digitaliseringsnettverk.csv")]
    return _write(out, ["name", "variants", "region"])


def municipality_changes(source: Path) -> str:
    """SSB's code changes (KLASS 131 change tables): which code became which on which day. Merges give several
    old codes one new code, splits one old code several new ones; places across reforms follow these."""
    import json

    changes = json.loads((source / "klass131" / "changetables.json").read_text(encoding="utf-8"))["codeChanges"]
    out = [{"old_code": c["oldCode"], "new_code": c["newCode"], "changed_on": c["changeOccurred"]} for c in changes
           if c["oldCode"] != c["newCode"]]
    out = [dict(t) for t in sorted({tuple(r.items()) for r in out}, key=lambda t: (t[0][1], t[2][1], t[1][1]))]
    return _write(out, ["old_code", "new_code", "changed_on"])


BUILDERS = {
    "municipalities.csv": municipalities,
    "municipality_changes.csv": municipality_changes,
    "counties.csv": counties,
    "parties.csv": parties,
    "public_bodies.csv": public_bodies,
    "networks.csv": networks,
}


def build(source: Path) -> dict[str, str]:
    return {name: builder(source) for name, builder in BUILDERS.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=REPO.parent / "shared" / "refdata")
    parser.add_argument("--out", type=Path, default=REPO / "kommune_etl" / "refdata")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, text in build(args.source).items():
        (args.out / name).write_text(text, encoding="utf-8")
        print(f"{args.out / name}: {text.count(chr(10)) - 1} rows")


if __name__ == "__main__":
    main()
