"""Shared helpers of the authoring tests."""

from __future__ import annotations

import re
import resource
import signal
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lms.authoring.validate import ValidationResult, validate_paths

FILES = Path(__file__).resolve().parent / "files"
VALID = FILES / "valid"
BROKEN = FILES / "broken"
CERTIFICATES = VALID / "certificates"


def validate(*paths: Path) -> ValidationResult:
    """Validate like ``lms validate FILE``: the valid banks resolve the tests' quizzes.

    Under a :func:`memory_cap`, since the broken files include a "billion laughs" document
    that a loader without limits would expand until the machine runs out of memory."""
    with memory_cap():
        return validate_paths(
            list(paths), certificates_dir=CERTIFICATES, reference_paths=[VALID / "quizzes"]
        )


def found(result: ValidationResult) -> list[tuple[str, str, int, int]]:
    """(code, file relative to the fixtures folder, line, col) of every diagnostic."""
    return [
        (d.code, Path(d.file).resolve().relative_to(FILES).as_posix(), d.line, d.col)
        for d in result.diagnostics
    ]


@contextmanager
def memory_cap(extra: int = 512 * 2**20) -> Iterator[None]:
    """Let the process grow by at most ``extra`` bytes of address space (Linux), so that a
    file that expands without bound fails the test with MemoryError instead of filling the
    machine."""
    status = Path("/proc/self/status")
    match = re.search(r"^VmSize:\s+(\d+) kB", status.read_text(), re.M) if status.exists() else None
    if match is None:
        yield
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = int(match.group(1)) * 1024 + extra
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@dataclass
class Measured:
    result: Any
    seconds: float
    peak_bytes: int


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise TimeoutError in the main thread after ``seconds``, so that a file that loads
    without end fails the test instead of hanging it."""

    def expired(_signum: int, _frame: Any) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def measured(action: Callable[[], Any], *, timeout: float = 10) -> Measured:
    """Run ``action`` under :func:`memory_cap` and a :func:`deadline`: its result, time and
    peak of traced memory."""
    with memory_cap(), deadline(timeout):
        tracemalloc.start()
        start = time.perf_counter()
        try:
            result = action()
        finally:
            seconds = time.perf_counter() - start
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    return Measured(result, seconds, peak)
