"""A certificate as a PDF: ``certificates/<template>.html`` + its CSS, through WeasyPrint.

- The template is Jinja (sandboxed, autoescaped) and gets one variable, ``certificate``
  (see ``CertificateView``); it holds its own wording in nl, fr, de and en.
- Fonts: the renderer adds ``@font-face`` rules for the families ``Certificate Sans`` and
  ``Certificate Serif`` (regular and bold), pointing at DejaVu Sans and DejaVu Serif files
  (Debian's fonts-dejavu-core: Latin with every European diacritic, Greek and Cyrillic),
  found with ``fc-match`` or named in ``LMS_CERTIFICATE_FONTS``. WeasyPrint embeds the glyphs
  used. A missing font file is an error: a certificate with holes in a name is worse than none.
- The QR code (segno) is an SVG data URI of the public verification URL.
- The PDF (tagged, A4 landscape from the template's ``@page``) carries the signed document
  as an attached file ``certificate.json``, so a downloaded copy can be checked offline
  (``extract_document`` finds it again, ``lms certificates verify FILE`` uses it).
- Templates may only load files from the certificates folder and the font files; nothing is
  fetched from the network.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import segno
from jinja2 import FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.sandbox import SandboxedEnvironment

from lms.certification.signing import DOCUMENT_FORMAT, canonical_json

ATTACHMENT_NAME = "certificate.json"

#: Font roles -> (fontconfig pattern, Debian's path when fontconfig is not there).
FONT_ROLES = {
    "sans": ("DejaVu Sans:style=Book", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    "sans-bold": ("DejaVu Sans:style=Bold", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    "serif": ("DejaVu Serif:style=Book", "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"),
    "serif-bold": (
        "DejaVu Serif:style=Bold",
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    ),
}
_FACES = (
    ("Certificate Sans", "normal", "sans"),
    ("Certificate Sans", "bold", "sans-bold"),
    ("Certificate Serif", "normal", "serif"),
    ("Certificate Serif", "bold", "serif-bold"),
)


class RenderError(RuntimeError):
    """The certificate cannot be rendered (missing template or font)."""


@dataclass(frozen=True)
class TestResult:
    __test__ = False  # not a pytest class
    title: str
    #: Whole percent, or None when no score was recorded.
    percent: int | None


@dataclass(frozen=True)
class CertificateView:
    """What a template may show: texts ready to print, in ``language``."""

    language: str
    holder_name: str
    course_title: str
    completed_on: str
    issued_on: str
    valid_until: str | None
    code: str
    verify_url: str
    #: The verification page's address without the code (printed under the QR code).
    verify_page: str
    qr_code: str
    issuer: str
    course_version: int
    edition: int
    modules_completed: int
    modules_total: int
    tests: tuple[TestResult, ...] = field(default_factory=tuple)
    #: ISO 8601 date-time of issue (PDF metadata).
    issued_iso: str = ""


# Fonts ---------------------------------------------------------------------------------------


@cache
def _fc_match(pattern: str) -> str | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        result = subprocess.run(
            ["fc-match", "--format=%{file}", pattern],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


def font_files(overrides: Mapping[str, str] | None = None) -> dict[str, Path]:
    """The font file of each role; raises ``RenderError`` when one is missing."""
    found = {}
    for role, (pattern, fallback) in FONT_ROLES.items():
        chosen = (overrides or {}).get(role)
        if chosen:
            if not Path(chosen).is_file():
                raise RenderError(f"LMS_CERTIFICATE_FONTS[{role!r}]: no such file {chosen}")
            found[role] = Path(chosen)
            continue
        path = next(
            (Path(c) for c in (fallback, _fc_match(pattern)) if c and Path(c).is_file()), None
        )
        # fc-match falls back to any font; insist on the family we asked for.
        if path is None or "dejavu" not in path.name.lower():
            raise RenderError(
                f"no font file for {role!r} ({pattern}): install Debian's fonts-dejavu-core "
                "or set LMS_CERTIFICATE_FONTS"
            )
        found[role] = path
    return found


def font_stylesheet(files: Mapping[str, Path]) -> str:
    rules = []
    for family, weight, role in _FACES:
        rules.append(
            f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
            f'src: url("{files[role].resolve().as_uri()}"); }}'
        )
    return "\n".join(rules)


# QR code -------------------------------------------------------------------------------------


def qr_data_uri(url: str) -> str:
    """The QR code of ``url`` as an SVG data URI (medium error correction, no quiet zone:
    the template leaves white space around it)."""
    return segno.make(url, error="m", micro=False).svg_data_uri(scale=4, border=0, dark="#111")


# Templates -----------------------------------------------------------------------------------


@cache
def _environment(folder: str) -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        auto_reload=True,
    )


def render_html(folder: Path, template: str, view: CertificateView) -> str:
    path = folder / f"{template}.html"
    if not path.is_file():
        raise RenderError(f"no certificate template {path}")
    return (
        _environment(str(folder.resolve()))
        .get_template(f"{template}.html")
        .render(certificate=view)
    )


def _fetcher(allowed_folder: Path, allowed_files: Sequence[Path]):
    """A WeasyPrint URL fetcher that reads only the certificates folder, the fonts and
    data: URIs."""
    from weasyprint import URLFetcher

    folder = allowed_folder.resolve()
    files = {f.resolve() for f in allowed_files}

    class CertificateFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            scheme = urlsplit(url).scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file":
                path = Path(unquote(urlsplit(url).path)).resolve()
                if path in files or path.is_relative_to(folder):
                    return super().fetch(url, headers)
            raise ValueError(f"certificate templates may not load {url}")

    return CertificateFetcher(allowed_protocols=("file", "data"), timeout=5)


def render_pdf(
    folder: Path,
    template: str,
    view: CertificateView,
    document: Mapping[str, str],
    *,
    fonts: Mapping[str, str] | None = None,
    created: datetime | None = None,
) -> bytes:
    """The certificate as PDF bytes, with the signed ``document`` attached."""
    from weasyprint import CSS, HTML, Attachment
    from weasyprint.text.fonts import FontConfiguration

    html = render_html(folder, template, view)
    files = font_files(fonts)
    fetcher = _fetcher(folder, list(files.values()))
    font_config = FontConfiguration()
    stylesheet = CSS(string=font_stylesheet(files), font_config=font_config, url_fetcher=fetcher)
    attachment = Attachment(
        string=canonical_json(dict(document)),
        name=ATTACHMENT_NAME,
        description="Signed certificate data (Ed25519); check it with the issuer's public keys",
        created=created,
        modified=created,
        relationship="Data",
    )
    return HTML(
        string=html, base_url=folder.resolve().as_uri() + "/", url_fetcher=fetcher
    ).write_pdf(
        stylesheets=[stylesheet],
        attachments=[attachment],
        font_config=font_config,
        # Tagged (structure for screen readers). Not PDF/A: WeasyPrint 70 leaves the sRGB
        # profile file of PDF/A's output intent open (a ResourceWarning on every render).
        pdf_tags=True,
    )


# Reading a PDF back --------------------------------------------------------------------------

_MARKER = DOCUMENT_FORMAT.encode("ascii")


def _stream_contents(pdf: bytes):
    """Every stream of a PDF, inflated when it is Flate-compressed (raw otherwise).

    A deliberately small reader: it does not parse the object structure, it inflates from
    each ``stream`` keyword until zlib reports the end of the data. Enough to find our own
    attachment, whatever PDF writer version produced the file.
    """
    position = 0
    while True:
        start = pdf.find(b"stream", position)
        if start < 0:
            return
        position = start + 6
        if pdf[start - 3 : start] == b"end":
            continue
        body = position + (2 if pdf[position : position + 2] == b"\r\n" else 1)
        inflater = zlib.decompressobj()
        try:
            yield inflater.decompress(pdf[body:], 2_000_000)
        except zlib.error:
            end = pdf.find(b"endstream", body)
            yield pdf[body : end if end > 0 else len(pdf)]


def extract_document(pdf: bytes) -> dict[str, Any] | None:
    """The signed document attached to a certificate PDF, or None."""
    for content in _stream_contents(pdf):
        if _MARKER not in content:
            continue
        text = content.strip()
        try:
            data = json.loads(text.decode("utf-8"))
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("format") == DOCUMENT_FORMAT:
            return data
    return None


def format_day(day: date, language: str) -> str:
    from babel.dates import format_date

    return format_date(day, format="long", locale=language)
