"""Uploaded files of proposals: checked by their content (not their name), stored under the
instance folder (``instance/databank/``) with a random name, served with a fixed type."""

from __future__ import annotations

import io
import secrets
import zipfile
from pathlib import Path
from typing import IO

from lms.databank.services import StoredFile

#: What may be uploaded: extension -> (content type, how to recognise the content).
KINDS = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
}
_OOXML_PART = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}


class UploadRefused(ValueError):
    """``reason``: "type" (not an allowed kind, or content that does not match its name),
    "size" (over the limit) or "empty"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _content_is(extension: str, data: bytes) -> bool:
    if extension == "pdf":
        return data.startswith(b"%PDF-")
    if extension == "png":
        return data.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in ("jpg", "jpeg"):
        return data.startswith(b"\xff\xd8\xff")
    if not data.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
            if extension == "odt":
                first = archive.infolist()[0] if names else None
                return (
                    first is not None
                    and first.filename == "mimetype"
                    and first.file_size < 100  # never inflate a large member
                    and archive.read(first) == KINDS["odt"].encode()
                )
            part = _OOXML_PART[extension]
            return "[Content_Types].xml" in names and any(n.startswith(part) for n in names)
    except (zipfile.BadZipFile, KeyError, RuntimeError, ValueError):
        return False


def check_upload(filename: str, stream: IO[bytes], max_bytes: int) -> tuple[bytes, str, str]:
    """The file's bytes, its kind and a safe display name; UploadRefused otherwise."""
    name = Path(filename.replace("\\", "/")).name.strip() or "file"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in KINDS:
        raise UploadRefused("type")
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadRefused("size")
    if not data:
        raise UploadRefused("empty")
    if not _content_is(extension, data):
        raise UploadRefused("type")
    safe = "".join(c if c.isalnum() or c in "-_. " else "_" for c in name)[:200]
    return data, extension, safe


def store_upload(folder: Path, data: bytes, extension: str, name: str) -> StoredFile:
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{secrets.token_hex(16)}.{extension}"
    (folder / stored).write_bytes(data)
    return StoredFile(stored=stored, name=name, content_type=KINDS[extension], size=len(data))
