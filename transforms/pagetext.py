"""Whole-document text with a way back to pages: structures and tables that cross page breaks are read
on the joined text, and every offset found there maps back to (page, offset in that page)."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from kommune_etl.models import Page


@dataclass(frozen=True)
class JoinedPages:
    text: str
    starts: tuple[int, ...]   # offset of each page's first character in ``text``
    numbers: tuple[int, ...]  # page number of each page

    @classmethod
    def of(cls, pages: tuple[Page, ...]) -> JoinedPages:
        starts, offset = [], 0
        for page in pages:
            starts.append(offset)
            offset += len(page.text) + 1
        return cls("\n".join(p.text for p in pages), tuple(starts), tuple(p.number for p in pages))

    def locate(self, position: int) -> tuple[int | None, int]:
        """(page number, offset within that page) of a position in the joined text."""
        index = bisect_right(self.starts, position) - 1
        if index < 0:
            return None, position
        return self.numbers[index], position - self.starts[index]

    def page_of(self, position: int) -> int | None:
        return self.locate(position)[0]
