"""Official codes for an election protocol's area: valid on the election day, and valid for the body it elects.

A 2019 municipal election elects the council that serves from 1 January 2020, when the reform's new
municipalities and counties begin: Senja's 2019 protocol counts votes in four old municipalities but
elects Senja (5421); Lillestrøm's elects 3030 in Viken (30). Reforms always start on 1 January, so the
elected body's code is the one valid on 1 January after the election year. The county printed beside
the municipality (`Sande kommune, Møre og Romsdal fylke`) settles names that several municipalities had.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kommune_etl.transforms.places import COUNTY, MUNICIPALITY, Gazetteer, Unit, default_gazetteer
from kommune_etl.transforms.structures.election_records import ElectionProtocol

#: Elections whose elected body begins its period on 1 January after the election year.
_LOCAL = ("kommunestyrevalg", "fylkestingsvalg")


@dataclass(frozen=True)
class ElectionArea:
    municipality: str | None              # as written
    county: str | None
    municipality_code: str | None          # valid on the election day
    county_code: str | None
    municipality_code_elected: str | None  # valid when the elected body begins (1 January after the election)
    county_code_elected: str | None


def _strip(name: str | None, suffixes: tuple[str, ...]) -> str | None:
    if not name:
        return None
    name = " ".join(name.split()).strip(" ,")
    for suffix in suffixes:
        if name.lower().endswith(" " + suffix):
            name = name[: -len(suffix) - 1]
    return name or None


def _pick(units: list[Unit], county_codes: set[str]) -> str | None:
    if county_codes:
        inside = [u for u in units if u.code[:2] in county_codes]
        units = inside or units
    codes = {u.code for u in units}
    return codes.pop() if len(codes) == 1 else None


def _municipalities(g: Gazetteer, name: str, on: date) -> list[Unit]:
    """Units of that name on that day; SSB names shared ones with their county (`Sande (Møre og Romsdal)`)."""
    units = g.resolve(name, MUNICIPALITY, on)
    if units:
        return units
    prefix = f"{name} ("
    return [u for u in g.units if u.label == MUNICIPALITY and u.valid_on(on) and any(n.startswith(prefix) for n in u.names)]


def _county(g: Gazetteer, name: str | None, on: date) -> str | None:
    units = g.resolve(name, COUNTY, on) if name else []
    return units[0].code if units else None


def election_area(protocol: ElectionProtocol, election_day: date | None = None,
                  gazetteer: Gazetteer | None = None) -> ElectionArea:
    g = gazetteer or default_gazetteer()
    municipality = _strip(protocol.area_name, ("kommune", "kommune,", "bydel"))
    county = _strip(protocol.county, ("fylke", "fylkeskommune", "valgdistrikt", "valdistrikt"))
    if protocol.kind == "fylkesvalgstyret" and not county:
        county, municipality = municipality, None
    day = election_day or (date(protocol.year, 9, 1) if protocol.year else None)
    if day is None:
        return ElectionArea(municipality, county, None, None, None, None)
    elected = date(day.year + 1, 1, 1) if protocol.election in _LOCAL else day
    county_today, county_elected = _county(g, county, day), _county(g, county, elected)
    counties = {c for c in (county_today, county_elected) if c}
    municipality_today = _pick(_municipalities(g, municipality, day), counties) if municipality else None
    municipality_elected = _pick(_municipalities(g, municipality, elected), counties) if municipality else None
    if municipality_elected and not county_elected:
        county_elected = municipality_elected[:2]  # the new municipality's county (Senja 5421 → Troms og Finnmark 54)
    if municipality_today and not county_today:
        county_today = municipality_today[:2]
    return ElectionArea(municipality, county, municipality_today, county_today, municipality_elected, county_elected)
