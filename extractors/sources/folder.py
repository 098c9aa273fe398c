"""A local or NFS folder (an inbox): every regular file below the given paths, in a stable order.

The inbox is the boundary: a symbolic link (to a host file or a folder elsewhere), a device, a pipe or a
socket is never followed or read, and neither are hidden files or a folder's own bookkeeping (manifests,
metadata spreadsheets, READMEs). Each is skipped and counted: with a reason the run reports, or (hidden files
and folders, e.g. `.DS_Store`, macOS's `._name.pdf`, `.git`) in one count.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kommune_etl.models import RawDocument

#: A folder's own bookkeeping next to the documents: listings, checksums, metadata sheets and READMEs, not records.
_BOOKKEEPING = re.compile(r"(?i)^(?:manifest|index|sha256sums?|md5sums?|checksums?|metadata|filelist|files|readme|les ?meg)"
                          r"(?:[._-][\w.-]*)?\.(?:tsv|csv|txt|md|json|xlsx?|ods|md5|sha256)$|\.(?:tsv|csv|xlsx?|ods|json)$"
                          r"|^(?:readme|les[ _-]?meg)(?:\.rst)?$")  # a README without an extension too


@dataclass
class Listing:
    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path as printable text, reason)
    hidden: int = 0  # hidden files and folders below a named folder: skipped, counted, not named one by one


def printable(path: Path | str) -> str:
    """A path as text that any database or terminal accepts: undecodable bytes in a file name become `\\xNN`."""
    return os.fsencode(str(path)).decode("utf-8", errors="backslashreplace")


_LINK = "symbolic link (not followed: the inbox is the boundary)"


def _skip_reason(path: Path, info: os.stat_result) -> str | None:
    if stat.S_ISLNK(info.st_mode):
        return _LINK
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (device, pipe or socket)"
    if _BOOKKEEPING.search(path.name):
        return "folder bookkeeping (a manifest, checksums, a metadata sheet or a README), not a record"
    if path.name.endswith(".part"):
        return "an unfinished download (fetch writes `.part` and renames it when the body is complete)"
    return None


def list_inbox(paths: Iterable[Path]) -> Listing:
    """Regular files named directly or below named folders (sorted, de-duplicated); everything else skipped."""
    listing = Listing()
    found: dict[Path, None] = {}
    for path in map(Path, paths):
        try:
            info = path.lstat()
        except OSError:
            raise FileNotFoundError(f"{printable(path)}: no such file or folder") from None
        if stat.S_ISDIR(info.st_mode):
            for child in _walk(path, listing):
                found[child] = None
            continue
        reason = _skip_reason(path, info) if not stat.S_ISREG(info.st_mode) else None
        if reason:
            listing.skipped.append((printable(path), reason))
        else:
            found[path.absolute()] = None  # named by the user: taken as it is
    listing.files = list(found)
    return listing


def _walk(folder: Path, listing: Listing):
    for root, dirs, files in os.walk(folder, followlinks=False):
        root_path = Path(root)
        for name in sorted(dirs):
            linked = (root_path / name).is_symlink()
            if linked:
                listing.skipped.append((printable(root_path / name), _LINK))
            elif name.startswith("."):
                listing.hidden += 1  # the folder, not what is in it (`.git` is one)
            if linked or name.startswith("."):
                dirs.remove(name)
        dirs.sort()
        for name in sorted(files):
            child = root_path / name
            if name.startswith("."):
                listing.hidden += 1  # .DS_Store, ._name.pdf (macOS), editor swap files: not records, one count
                continue
            try:
                info = child.lstat()
            except OSError:
                listing.skipped.append((printable(child), "vanished while listing"))
                continue
            reason = _skip_reason(child, info)
            if reason:
                listing.skipped.append((printable(child), reason))
            else:
                yield child.absolute()


def list_files(paths: Iterable[Path]) -> list[Path]:
    """The files :func:`list_inbox` would read."""
    return list_inbox(paths).files


def read_raw(path: Path) -> RawDocument:
    """The file's bytes, never through a symbolic link or from anything but a regular file (the inbox is the
    boundary, also when a link is swapped in after listing); the source is its path as printable text."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise IsADirectoryError(f"{printable(path)}: not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            content = handle.read()
    finally:
        os.close(fd)
    return RawDocument(content=content, source=printable(Path(path).resolve()))
