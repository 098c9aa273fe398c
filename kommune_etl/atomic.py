"""Files written whole or not at all: a temporary file beside the target, fsynced, then moved into place, so a
crash never leaves a half-written file under the target's name. Used for the raw archive, its name key, the OCR
cache and the published snapshot."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_atomically(target: Path, write: Callable[[BinaryIO], object], *, replace: bool = True) -> bool:
    """Write ``target`` through ``write(handle)``. With ``replace=False`` a target that another process made
    first is kept as it is (a hard link never overwrites) and False is returned."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".incoming")
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, target)
            return True
        try:
            os.link(tmp, target)
        except FileExistsError:
            return False
        return True
    finally:
        Path(tmp).unlink(missing_ok=True)
