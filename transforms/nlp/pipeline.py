"""Build the entity pipeline from its config and run it over a document's pages.

`extract_entities` is the NLP stage function: pages and the document's reference date in, Entity
records with page provenance out. Money tables are read once per document (they cross page breaks)
and handed to each page's Doc.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path

import spacy
from spacy.language import Language

import kommune_etl.transforms.nlp.components  # noqa: F401  (registers the factories)
from kommune_etl.models import Entity, Page
from kommune_etl.transforms.pagetext import JoinedPages
from kommune_etl.transforms.tables import money_table_rows

CONFIG_PATH = Path(__file__).with_name("pipeline.cfg")
MODEL_ENV = "KOMMUNE_ETL_SPACY_MODEL"


def build_nlp(config_path: Path = CONFIG_PATH, model: str | None = None) -> Language:
    """`spacy.blank("nb")` plus our components from the config; with ``model``, a user's trained
    pipeline (its tokenizer and NER) comes first and its entities are bridged to our labels."""
    config = spacy.util.load_config(config_path)
    model = model or os.environ.get(MODEL_ENV) or None
    if not model:
        return spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    nlp = spacy.load(model, exclude=["lemmatizer", "parser", "attribute_ruler", "morphologizer", "tagger"])
    for name in config["nlp"]["pipeline"]:
        settings = {k: v for k, v in config["components"][name].items() if k != "factory"}
        nlp.add_pipe(config["components"][name]["factory"], name=name, config=settings)
    nlp.add_pipe("kommune_statistical_ner")
    return nlp


@cache
def default_nlp() -> Language:
    return build_nlp()


#: A page longer than this is analysed in pieces cut at line breaks: spaCy refuses texts over ``nlp.max_length``
#: (1 000 000) and its memory grows with a doc's length; a text file without page breaks is one long page.
SEGMENT_CHARS = 100_000


def extract_entities(pages: tuple[Page, ...], reference_date: date, nlp: Language | None = None) -> tuple[Entity, ...]:
    nlp = nlp or default_nlp()
    cells_by_page = _table_cells_by_page(pages)
    docs, where = [], []
    for page in pages:
        cells = cells_by_page.get(page.number, ())
        for offset, text in segments(page.text):
            doc = nlp.make_doc(text)
            in_segment = [replace(c, start=c.start - offset, end=c.end - offset) for c in cells
                          if offset <= c.start and c.end <= offset + len(text)]
            doc._.kommune_context = {"reference_date": reference_date, "table_cells": in_segment, "text": text}
            docs.append(doc)
            where.append((page, offset))
    entities: list[Entity] = []
    for (page, offset), doc in zip(where, nlp.pipe(docs, batch_size=nlp.batch_size)):
        for found in doc._.kommune_entities or ():
            label, text, value, start, end, value_max, *extra = found
            confidence = round(page.ocr_confidence / 100, 3) if page.ocr_confidence is not None else None
            entities.append(Entity(label, text, value, page.number, start + offset, end + offset, value_max,
                                   confidence=confidence, **(extra[0] if extra else {})))
    entities.sort(key=lambda e: (e.page, e.start, e.label))
    return tuple(entities)


def segments(text: str, size: int = SEGMENT_CHARS) -> list[tuple[int, str]]:
    """``text`` as (offset, piece) pieces of at most ``size`` characters, cut after a line break where there is
    one (else after a space, else anywhere)."""
    out, start = [], 0
    while len(text) - start > size:
        window = text[start:start + size]
        cut = window.rfind("\n") + 1 or window.rfind(" ") + 1 or size
        out.append((start, window[:cut]))
        start += cut
    out.append((start, text[start:]))
    return out


def _table_cells_by_page(pages: tuple[Page, ...]) -> dict[int, list]:
    """Money-table cells of the whole document, in each page's own coordinates."""
    joined = JoinedPages.of(pages)
    by_page: dict[int, list] = {}
    for row in money_table_rows(joined.text):
        for cell in row.cells:
            page, start = joined.locate(cell.amount.start)
            by_page.setdefault(page, []).append(replace(cell.amount, start=start, end=start + len(cell.amount.text)))
    return by_page
