"""Baked badges: an Open Badges 3.0 credential carried inside a PNG image.

OB 3.0 ("Baked Badge", PNG): one uncompressed ``iTXt`` chunk with the keyword
``openbadgecredential`` whose text is the compact JWS (or the JSON credential). Only the
standard library is needed: a PNG is an 8-byte signature followed by chunks of
``length | type | data | CRC-32(type + data)``; the chunk goes just before ``IEND``.

Reading is strict, because it runs on uploads: a bad signature, a truncated chunk or a wrong
CRC raises ``BakingError`` with a reason the verify page can show.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
KEYWORD = b"openbadgecredential"
#: More chunks than this in an upload is not a badge but an attempt to keep us busy.
MAX_CHUNKS = 10_000


class BakingError(ValueError):
    """A PNG that cannot be baked or read; ``reason`` is one of the constants below."""

    NOT_PNG = "not-png"
    DAMAGED = "damaged"
    NO_CREDENTIAL = "no-credential"
    TWO_CREDENTIALS = "two-credentials"

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def is_png(data: bytes) -> bool:
    return data.startswith(PNG_SIGNATURE)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def chunks(png: bytes) -> Iterator[tuple[bytes, bytes, int, int]]:
    """(type, data, start, end) of every chunk, checked (length, CRC) up to ``IEND``."""
    if not is_png(png):
        raise BakingError(BakingError.NOT_PNG)
    at = len(PNG_SIGNATURE)
    for _ in range(MAX_CHUNKS):
        if at + 8 > len(png):
            raise BakingError(BakingError.DAMAGED, "truncated before IEND")
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind = png[at + 4 : at + 8]
        end = at + 12 + length
        if length > 2**31 - 1 or end > len(png):
            raise BakingError(BakingError.DAMAGED, "chunk runs past the end")
        data = png[at + 8 : at + 8 + length]
        (crc,) = struct.unpack(">I", png[end - 4 : end])
        if crc != zlib.crc32(kind + data):
            raise BakingError(BakingError.DAMAGED, f"bad CRC in {kind!r}")
        yield kind, data, at, end
        if kind == b"IEND":
            return
        at = end
    raise BakingError(BakingError.DAMAGED, "too many chunks")


def _itxt_text(data: bytes) -> tuple[bytes, str] | None:
    """(keyword, text) of an uncompressed iTXt chunk; None when compressed (not a badge's)."""
    keyword, sep, rest = data.partition(b"\x00")
    if not sep or len(rest) < 2:
        raise BakingError(BakingError.DAMAGED, "iTXt without its fields")
    compressed = rest[0]
    # Skip the compression method, then the language tag and the translated keyword.
    parts = rest[2:].split(b"\x00", 2)
    if len(parts) != 3:
        raise BakingError(BakingError.DAMAGED, "iTXt without its fields")
    if compressed:
        return None
    try:
        return keyword, parts[2].decode("utf-8")
    except UnicodeDecodeError:
        raise BakingError(BakingError.DAMAGED, "iTXt text is not UTF-8") from None


def bake(png: bytes, credential: str) -> bytes:
    """``png`` with ``credential`` in an ``openbadgecredential`` iTXt chunk (replacing one
    that was there: the spec allows a single one)."""
    kept = []
    for kind, data, start, end in chunks(png):
        if kind == b"iTXt" and data.split(b"\x00", 1)[0] == KEYWORD:
            continue
        if kind == b"IEND":
            # keyword, NUL, compression flag 0, method 0, empty language tag and translated
            # keyword (each NUL-terminated), then the text: uncompressed, as OB 3.0 requires.
            text = KEYWORD + b"\x00\x00\x00" + b"\x00\x00" + credential.encode("utf-8")
            kept.append(_chunk(b"iTXt", text))
        kept.append(png[start:end])
    return PNG_SIGNATURE + b"".join(kept)


def extract(png: bytes) -> str:
    """The credential text baked into ``png`` (raises ``BakingError`` when there is none)."""
    found = []
    for kind, data, _start, _end in chunks(png):
        if kind == b"iTXt" and data.split(b"\x00", 1)[0] == KEYWORD:
            item = _itxt_text(data)
            if item is None:
                raise BakingError(BakingError.DAMAGED, "compressed credential")
            found.append(item[1])
    if not found:
        raise BakingError(BakingError.NO_CREDENTIAL)
    if len(found) > 1:
        raise BakingError(BakingError.TWO_CREDENTIALS)
    return found[0]
