"""The raw archive: every input's original bytes, stored by sha256 before any parsing.

Content addressing makes storing idempotent and lets a quarantined document be re-processed from
exactly the bytes that arrived. Files are written to a temporary name and renamed, so a crash never
leaves a half-written object under a valid hash.
"""

from __future__ import annotations

import os
from pathlib import Path

from kommune_etl.atomic import write_atomically


class RawArchive:
    def __init__(self, root: Path):
        self.root = Path(root)
        self._key: bytes | None = None

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def store(self, sha256: str, content: bytes) -> Path:
        target = self.path_for(sha256)
        if not target.exists():
            write_atomically(target, lambda handle: handle.write(content))
        return target

    def load(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()

    def source_name(self, name: str) -> str:
        """A file name or URL as the warehouse stores it: personal data in it pseudonymised with this archive's
        key (`transforms.pii.pseudonymise`), so the same name is the same source every run."""
        from kommune_etl.transforms.pii import pseudonymise

        if self._key is None:
            self._key = self.name_key()
        return pseudonymise(name, self._key)

    def name_key(self) -> bytes:
        """This warehouse's secret for pseudonymising personal data in file names and URLs (made on first use,
        readable by its owner only). It lives here because the raw archive is the one place allowed to hold what
        the pseudonyms hide."""
        path = self.root / ".name-key"
        if not path.exists():  # never replaces a key another process made first
            write_atomically(path, lambda handle: handle.write(os.urandom(32)), replace=False)
        return path.read_bytes()
