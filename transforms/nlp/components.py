"""Registered spaCy components. Each reads the page text of a Doc and appends found entities.

Components work on character offsets (the provenance we store) rather than tokens: Norwegian amounts
and dates span tokens in ways the blank tokenizer splits unpredictably (`kr.434 800`, `18.3.25`).
What a component needs from outside the page (the document's reference date, money-table cells found
across page breaks) arrives in ``doc._.kommune_context``; results go to ``doc._.kommune_entities`` as
(label, text, value, start, end, value_max) tuples, with a seventh item, a dict of further Entity fields
(`per`, `historical_code`, `successor_code`, `source`), where there are any.
"""

from __future__ import annotations

from datetime import date

from spacy.language import Language
from spacy.tokens import Doc

from kommune_etl.refdata import load
from kommune_etl.transforms.actors import Actors
from kommune_etl.transforms.normalise.amounts import as_number, find_amounts
from kommune_etl.transforms.normalise.dates import find_dates
from kommune_etl.transforms.normalise.periods import find_periods
from kommune_etl.transforms.places import Gazetteer, find_places_narrowed
from kommune_etl.transforms.references import find_case_refs, find_project_numbers

if not Doc.has_extension("kommune_entities"):
    Doc.set_extension("kommune_entities", default=None)
if not Doc.has_extension("kommune_context"):
    Doc.set_extension("kommune_context", default=None)


def _sink(doc: Doc) -> list:
    if doc._.kommune_entities is None:
        doc._.kommune_entities = []
    return doc._.kommune_entities


def _context(doc: Doc) -> dict:
    return doc._.kommune_context or {}


def _text(doc: Doc) -> str:
    """The page text. `Doc.text` rebuilds it from tokens on every access, so it is read once per Doc."""
    context = doc._.kommune_context
    if context is None:
        context = doc._.kommune_context = {}
    if "text" not in context:
        context["text"] = doc.text
    return context["text"]


def _reference_date(doc: Doc) -> date:
    return _context(doc).get("reference_date") or date.today()


class AmountComponent:
    def __init__(self, use_tables: bool):
        self.use_tables = use_tables

    def __call__(self, doc: Doc) -> Doc:
        sink = _sink(doc)
        matches = [m for m in find_amounts(_text(doc)) if not m.ambiguous]
        for m in matches:
            extra = {"per": m.per} if m.per else {}
            sink.append(("AMOUNT", m.text, as_number(m.value), m.start, m.end, as_number(m.value_max), extra))
        if self.use_tables:
            for cell in _context(doc).get("table_cells", ()):
                if not any(cell.start < m.end and m.start < cell.end for m in matches):
                    sink.append(("AMOUNT", cell.text, as_number(cell.value), cell.start, cell.end, None))
        return doc


class DateComponent:
    def __call__(self, doc: Doc) -> Doc:
        sink = _sink(doc)
        for m in find_dates(_text(doc)):
            sink.append(("DATE", m.text, m.value.isoformat(), m.start, m.end, None))
        return doc


class PeriodComponent:
    def __init__(self, default_to_document_year: bool):
        self.default_to_document_year = default_to_document_year

    def __call__(self, doc: Doc) -> Doc:
        sink = _sink(doc)
        year = _reference_date(doc).year if self.default_to_document_year and _context(doc).get("reference_date") else None
        for m in find_periods(_text(doc), default_year=year):
            sink.append(("PERIOD", m.text, {"start": m.start_date.isoformat(), "end": m.end_date.isoformat()},
                         m.start, m.end, None))
        return doc


class PlaceComponent:
    def __init__(self, municipalities: str, counties: str, changes: str):
        self.gazetteer = Gazetteer.from_rows(load(municipalities), load(counties), load(changes) if changes else ())

    def __call__(self, doc: Doc) -> Doc:
        sink = _sink(doc)
        on = _reference_date(doc)
        text = _text(doc)
        matches = find_places_narrowed(text, on, self.gazetteer)
        for m in matches:
            extra = {"historical_code": m.historical_code, "successor_code": m.successor_code} if m.historical_code else {}
            sink.append((m.label, m.text, m.value, m.start, m.end, None, extra))
        return doc


class ActorComponent:
    def __init__(self, bodies: str, networks: str, projects: str, parties: str):
        self.actors = Actors(load(bodies), load(networks), load(projects), load(parties))

    def __call__(self, doc: Doc) -> Doc:
        sink = _sink(doc)
        text = _text(doc)
        for m in [*self.actors.find_orgs(text), *self.actors.find_projects(text), *self.actors.find_persons_and_parties(text)]:
            sink.append((m.label, m.text, m.value, m.start, m.end, None))
        return doc


class ReferenceComponent:
    def __call__(self, doc: Doc) -> Doc:
        sink = _sink(doc)
        text = _text(doc)
        for m in [*find_case_refs(text), *find_project_numbers(text)]:
            sink.append((m.label, m.text, m.value, m.start, m.end, None))
        return doc


class PlacesInsideNames:
    """Drops a municipality or county found inside a person's, a project's or an organisation's name on the page
    (`Innovasjonspartnerskap velferdsteknologi Agder`); an organisation named `X kommune` is the place itself."""

    PLACE_LABELS = ("MUNICIPALITY", "COUNTY")

    def __call__(self, doc: Doc) -> Doc:
        sink = _sink(doc)
        names = [(e[3], e[4]) for e in sink if e[0] in ("PERSON", "PROJECT")
                 or e[0] == "ORG" and not str(e[1]).rstrip().lower().endswith(("kommune", "fylkeskommune"))]
        if names:
            sink[:] = [e for e in sink if e[0] not in self.PLACE_LABELS
                       or not any(start <= e[3] and e[4] <= end and (start, end) != (e[3], e[4]) for start, end in names)]
        return doc


class StatisticalNerBridge:
    """Turns a statistical model's `doc.ents` (e.g. nb_core_news_lg: PER, ORG) into our labels."""

    def __init__(self, label_map: dict[str, str]):
        self.label_map = label_map

    def __call__(self, doc: Doc) -> Doc:
        sink = _sink(doc)
        known = {(e[0], e[3], e[4]) for e in sink}
        for ent in doc.ents:
            label = self.label_map.get(ent.label_)
            if label and (label, ent.start_char, ent.end_char) not in known:
                sink.append((label, ent.text, ent.text, ent.start_char, ent.end_char, None, {"source": "model"}))
        return doc


@Language.factory("kommune_amounts", default_config={"use_tables": True})
def make_amounts(nlp: Language, name: str, use_tables: bool) -> AmountComponent:
    return AmountComponent(use_tables)


@Language.factory("kommune_dates")
def make_dates(nlp: Language, name: str) -> DateComponent:
    return DateComponent()


@Language.factory("kommune_periods", default_config={"default_to_document_year": True})
def make_periods(nlp: Language, name: str, default_to_document_year: bool) -> PeriodComponent:
    return PeriodComponent(default_to_document_year)


@Language.factory("kommune_places", default_config={"municipalities": "municipalities.csv", "counties": "counties.csv",
                                                     "changes": "municipality_changes.csv"})
def make_places(nlp: Language, name: str, municipalities: str, counties: str, changes: str) -> PlaceComponent:
    return PlaceComponent(municipalities, counties, changes)


@Language.factory("kommune_actors", default_config={"bodies": "public_bodies.csv", "networks": "networks.csv",
                                                     "projects": "projects.csv", "parties": "parties.csv"})
def make_actors(nlp: Language, name: str, bodies: str, networks: str, projects: str, parties: str) -> ActorComponent:
    return ActorComponent(bodies, networks, projects, parties)


@Language.factory("kommune_references")
def make_references(nlp: Language, name: str) -> ReferenceComponent:
    return ReferenceComponent()


@Language.factory("kommune_places_inside_names")
def make_places_inside_names(nlp: Language, name: str) -> PlacesInsideNames:
    return PlacesInsideNames()


@Language.factory("kommune_statistical_ner", default_config={"label_map": {"PER": "PERSON", "PERSON": "PERSON", "ORG": "ORG"}})
def make_bridge(nlp: Language, name: str, label_map: dict[str, str]) -> StatisticalNerBridge:
    return StatisticalNerBridge(label_map)
