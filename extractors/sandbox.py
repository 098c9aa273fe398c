"""Run a reader (or an OCR job) in a child process with a memory ceiling and a wall-clock limit.

Hostile PDFs (decompression bombs, recursive page trees, cyclic fonts) must cost one document, never
the run or the machine. A forked child sets RLIMIT_AS before parsing; the parent waits at most
``timeout_s`` and kills the child after that. Every outcome becomes an ExtractedDocument or a
ReadError with a reason code.
"""

from __future__ import annotations

import multiprocessing
import resource
import signal
import time
from contextlib import contextmanager
from dataclasses import dataclass

from kommune_etl.models import ExtractedDocument, ReadError, ReasonCode


@dataclass(frozen=True)
class Limits:
    timeout_s: float = 120.0
    memory_mb: int = 2048
    max_bytes: int = 200 * 1024 * 1024
    max_text_chars: int = 5_000_000  # text beyond this (~2 500 dense pages) is cut, with a warning: the later stages stay bounded


def read_isolated(content: bytes, media_type: str, limits: Limits, pdf_backend: str | None = None) -> ExtractedDocument:
    """Read ``content`` in a bounded child process; raise ReadError for every failure."""
    if len(content) > limits.max_bytes:
        raise ReadError(ReasonCode.TOO_LARGE, f"{len(content)} bytes is over the limit of {limits.max_bytes} bytes")
    from kommune_etl.extractors.readers import preload_libraries, read_document

    preload_libraries(media_type)  # once in the parent: forked children then start warm (copy-on-write)
    kwargs = {"pdf_backend": pdf_backend} if pdf_backend else {}
    return run_bounded(read_document, (content, media_type), kwargs, limits.timeout_s, limits.memory_mb, "reading")


def run_bounded(function, args: tuple, kwargs: dict, timeout_s: float, memory_mb: int, what: str = "work"):
    """Call ``function(*args, **kwargs)`` in a forked child with an address-space budget and a wall-clock
    limit. Its ReadErrors pass through; running out of time or memory becomes a ReadError too."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, function, args, kwargs, memory_mb), daemon=True)
    with _children_allowed():
        child.start()
    sender.close()
    peak = _PeakWatcher(child.pid)
    try:
        if not peak.wait(receiver, timeout_s):
            raise ReadError(ReasonCode.TIMEOUT, f"{what} took longer than {timeout_s:g} s and was stopped")
        try:
            outcome = receiver.recv()
        except EOFError:
            child.join(5)
            raise _death_reason(child.exitcode, memory_mb, what, peak.grown_mb) from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join(5)
    kind, payload = outcome
    if kind == "ok":
        return payload
    code, message = payload
    raise ReadError(ReasonCode(code), message)


@contextmanager
def _children_allowed():
    """Let a daemonic process (a Celery prefork worker's task) start our child: multiprocessing refuses that
    because a daemon's children could outlive it — ours cannot, run_bounded kills and joins it before returning."""
    config = multiprocessing.current_process()._config
    daemonic = config.get("daemon", False)
    config["daemon"] = False
    try:
        yield
    finally:
        config["daemon"] = daemonic


def _death_reason(exitcode: int | None, memory_mb: int, what: str = "work", grown_mb: float = 0.0) -> ReadError:
    """Why a child died without answering. PDFium aborts when an allocation fails under the ceiling; a C library
    that does not check a failed allocation dies of a segmentation fault instead, which counts as the ceiling when
    the child was seen to have used most of its budget."""
    if exitcode in (-signal.SIGABRT, -signal.SIGKILL, _OUT_OF_MEMORY_EXIT):
        return ReadError(ReasonCode.TOO_LARGE, f"{what} was stopped (exit {exitcode}), most likely on reaching "
                                               f"its {memory_mb} MB memory ceiling")
    if exitcode in (-signal.SIGSEGV, -signal.SIGBUS) and grown_mb >= _NEAR_CEILING * memory_mb:
        return ReadError(ReasonCode.TOO_LARGE, f"{what} died (exit {exitcode}) after growing by {grown_mb:.0f} MB of its "
                                               f"{memory_mb} MB memory ceiling: an allocation failed at the ceiling")
    return ReadError(ReasonCode.READER_CRASHED, f"{what} died without a result (exit {exitcode})")


#: Share of the budget a child must have been seen to use for its segmentation fault to count as the ceiling.
_NEAR_CEILING = 0.5
_SAMPLE_S = 0.02


class _PeakWatcher:
    """Waits for the child's answer while sampling how far its address space grew beyond what it started with."""

    def __init__(self, pid: int):
        self.pid = pid
        self.start = self._size()
        self.grown_mb = 0.0

    def _size(self) -> int | None:
        try:
            with open(f"/proc/{self.pid}/statm", encoding="ascii") as handle:
                return int(handle.read().split()[0]) * resource.getpagesize()
        except (OSError, ValueError, IndexError):
            return None

    def wait(self, receiver, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while True:
            size = self._size()
            if size is not None and self.start is not None:
                self.grown_mb = max(self.grown_mb, (size - self.start) / (1024 * 1024))
            left = deadline - time.monotonic()
            if left <= 0:
                return receiver.poll(0)
            if receiver.poll(min(_SAMPLE_S, left)):
                return True


def _address_space_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[0]) * resource.getpagesize()


#: The exit code of a child that ran out of memory even for reporting it (sending the reason needs memory too).
_OUT_OF_MEMORY_EXIT = 86


def _child(sender, function, args: tuple, kwargs: dict, memory_mb: int) -> None:
    import faulthandler
    import os

    faulthandler.disable()  # an abort under the memory ceiling is an expected outcome, not a crash report
    try:
        _run_in_child(sender, function, args, kwargs, memory_mb)
    except MemoryError:
        os._exit(_OUT_OF_MEMORY_EXIT)
    finally:
        sender.close()


def _run_in_child(sender, function, args: tuple, kwargs: dict, memory_mb: int) -> None:
    try:
        # A forked child inherits the parent's address space (DuckDB alone reserves gigabytes of it), so
        # the ceiling is what is mapped now plus the budget: the budget bounds what the work adds.
        limit = _address_space_bytes() + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        sender.send(("ok", function(*args, **kwargs)))
    except ReadError as exc:
        sender.send(("error", (exc.code.value, exc.message)))
    except MemoryError:
        sender.send(("error", (ReasonCode.TOO_LARGE.value, f"the work needed more than {memory_mb} MB of memory")))
    except RecursionError:
        sender.send(("error", (ReasonCode.CORRUPT.value, "the file's structure is recursive without end")))
    except BaseException as exc:  # a reader bug must still become a reason, not a lost document
        code = ReasonCode.TOO_LARGE if "memory" in str(exc).lower() or "map" in str(exc).lower() else ReasonCode.READER_CRASHED
        try:
            sender.send(("error", (code.value, f"{type(exc).__name__}: {exc}")))
        except MemoryError:
            raise
        except BaseException:
            pass
