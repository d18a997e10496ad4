"""Reading and writing source files without losing anything: encoding (PEP 263 cookies and
BOM), newline style and file mode are kept, and writes are atomic."""

from __future__ import annotations

import bisect
import contextlib
import io
import os
import re
import signal
import stat
import tempfile
import threading
import tokenize
from dataclasses import dataclass
from typing import Iterator, Optional

_NEWLINE = re.compile(r"\r\n|\r|\n")


class SourceError(Exception):
    """The file cannot be read or decoded; the message is for the user."""


@dataclass(frozen=True)
class SourceText:
    text: str
    encoding: str  # as detected: "utf-8", "utf-8-sig" (BOM), "latin-1", ...

    def encode(self, text: str) -> bytes:
        return text.encode(self.encoding)


def decode_source(data: bytes) -> SourceText:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        raise SourceError(f"invalid encoding declaration: {exc}") from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceError(
            f"cannot decode as {encoding}: invalid byte 0x{data[exc.start]:02x} at line {line}, column {column} "
            f"(offset {exc.start}; declare the encoding with a '# -*- coding: ... -*-' line)"
        ) from None
    except LookupError:
        raise SourceError(f"unknown encoding {encoding!r}") from None
    return SourceText(text, encoding)


def read_source(path: str) -> SourceText:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except IsADirectoryError:
        raise SourceError("is a directory") from None
    except OSError as exc:
        raise SourceError(exc.strerror or str(exc)) from None
    return decode_source(data)


class ChangedMeanwhile(OSError):
    """The file is not what was read: someone edited (or removed) it during the run."""


def write_atomically(path: str, data: bytes, expected: Optional[bytes] = None) -> None:
    """Replace ``path`` with ``data`` via a temporary file in the same folder, keeping the
    file's mode; a reader never sees a half-written file. With ``expected``, the file must
    still hold those bytes (what the fix was computed from), else ChangedMeanwhile: an edit
    made during the run is never overwritten."""
    real = os.path.realpath(path)
    folder = os.path.dirname(real) or "."
    with _termination_held():
        try:
            status = os.stat(real)
            if expected is not None:
                with open(real, "rb") as handle:
                    if handle.read() != expected:
                        raise ChangedMeanwhile("the file changed during the run; it was not touched, run again")
        except FileNotFoundError:
            raise ChangedMeanwhile("the file was removed during the run") from None
        _write_replacing(real, folder, status, data)


@contextlib.contextmanager
def _termination_held() -> Iterator[None]:
    """SIGTERM (a worker stopped on Ctrl-C) waits until the file is replaced: it is never
    left half-done, nor a temporary file behind. Only where signals can be blocked."""
    block = getattr(signal, "pthread_sigmask", None)
    if block is None or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = block(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        yield
    finally:
        block(signal.SIG_SETMASK, previous)


def _write_replacing(real: str, folder: str, status: os.stat_result, data: bytes) -> None:
    fd, temporary = tempfile.mkstemp(prefix=".timeoutlint-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, stat.S_IMODE(status.st_mode))
        _keep_owner(temporary, status)
        os.replace(temporary, real)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _keep_owner(path: str, original: os.stat_result) -> None:
    """The new file belongs to whoever runs the fix; give it back to the original owner
    when allowed (root fixing a user's checkout, as in a container's pre-commit run)."""
    chown = getattr(os, "chown", None)
    if chown is None:  # Windows
        return
    current = os.stat(path)
    if (current.st_uid, current.st_gid) == (original.st_uid, original.st_gid):
        return
    try:
        chown(path, original.st_uid, original.st_gid)
    except OSError:
        pass  # not allowed: the content matters more than the owner


class LineIndex:
    """Convert between string offsets and 1-based (line, column) positions, splitting lines
    exactly where Python's tokenizer does (``\\r\\n``, ``\\r``, ``\\n``)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [match.end() for match in _NEWLINE.finditer(text)]

    def offset(self, line: int, column: int) -> int:
        """Offset of a 1-based line and 1-based column."""
        if line > len(self.starts):
            return len(self.text)
        return self.starts[line - 1] + column - 1

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def line_end(self, line: int) -> int:
        """Offset just past the newline that ends 1-based ``line`` (or the end of text)."""
        return self.starts[line] if line < len(self.starts) else len(self.text)

    def line_text(self, line: int) -> str:
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")


def newline_of(text: str) -> str:
    match = _NEWLINE.search(text)
    return match.group(0) if match else "\n"
