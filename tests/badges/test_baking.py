"""Baked badges: the PNG carries the compact JWS in one uncompressed ``openbadgecredential``
iTXt chunk (OB 3.0), read back here with Pillow, not with ``lms.badges``."""

from __future__ import annotations

import struct
import zlib
from io import BytesIO

import pytest
from PIL import Image, PngImagePlugin

from lms.badges import baking
from tests.badges.conftest import check, download, jwt_of, status_of, verify_independently


def itxt_chunks(png: bytes) -> list[bytes]:
    """The raw data of every iTXt chunk, walked by hand."""
    found, at = [], 8
    while at < len(png):
        (length,) = struct.unpack(">I", png[at : at + 4])
        kind = png[at + 4 : at + 8]
        if kind == b"iTXt":
            found.append(png[at + 8 : at + 8 + length])
        at += 12 + length
    return found


def test_the_baked_png_round_trip(app, holder, els_certificate):
    token = jwt_of(holder, els_certificate)
    response = download(holder, els_certificate, "png")
    assert response.mimetype == "image/png"
    assert f"badge-{els_certificate.display_code}.png" in response.headers["Content-Disposition"]
    png = response.data
    image = Image.open(BytesIO(png))
    image.load()  # every chunk's CRC and the image data are fine
    assert image.size == (256, 256)
    assert image.text["openbadgecredential"] == token  # Ed25519 signs deterministically
    (chunk,) = itxt_chunks(png)
    # keyword, NUL, compression flag 0 (OB 3.0: "Compression MUST NOT be used"), method 0.
    assert chunk.startswith(b"openbadgecredential\x00\x00\x00")
    verify_independently(app.test_client(), image.text["openbadgecredential"])
    html = check(app.test_client(), file=(png, "badge.png")).get_data(as_text=True)
    assert status_of(html) == "valid"


def test_baking_again_replaces_the_credential(holder, els_certificate):
    png = download(holder, els_certificate, "png").data
    again = baking.bake(png, "another.credential.text")
    assert len(itxt_chunks(again)) == 1
    assert Image.open(BytesIO(again)).text["openbadgecredential"] == "another.credential.text"
    assert baking.extract(again) == "another.credential.text"


def test_a_png_baked_by_another_tool_is_read():
    """Pillow bakes (as any other tool would); ``extract`` finds the text."""
    info = PngImagePlugin.PngInfo()
    info.add_itxt("openbadgecredential", "a.b.c", zip=False)
    out = BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG", pnginfo=info)
    assert baking.extract(out.getvalue()) == "a.b.c"
    compressed = PngImagePlugin.PngInfo()
    compressed.add_itxt("openbadgecredential", "a.b.c", zip=True)
    out = BytesIO()
    Image.new("RGB", (4, 4), "white").save(out, "PNG", pnginfo=compressed)
    with pytest.raises(baking.BakingError) as refused:
        baking.extract(out.getvalue())  # the spec forbids compression
    assert refused.value.reason == baking.BakingError.DAMAGED


def test_bad_pngs_are_refused_with_a_reason(holder, els_certificate):
    png = download(holder, els_certificate, "png").data
    cases = {
        b"GIF89a....": baking.BakingError.NOT_PNG,
        png[: len(png) // 2]: baking.BakingError.DAMAGED,  # truncated
        png[:40] + bytes([png[40] ^ 0xFF]) + png[41:]: baking.BakingError.DAMAGED,  # bad CRC
    }
    plain = BytesIO()
    Image.new("RGB", (4, 4), "white").save(plain, "PNG")
    cases[plain.getvalue()] = baking.BakingError.NO_CREDENTIAL
    # Two credential chunks (a spec violation) are refused, not silently picked from.
    iend = png.rindex(b"IEND") - 4
    data = b"openbadgecredential\x00\x00\x00\x00\x00x.y.z"
    extra = struct.pack(">I", len(data)) + b"iTXt" + data
    extra += struct.pack(">I", zlib.crc32(b"iTXt" + data))
    cases[png[:iend] + extra + png[iend:]] = baking.BakingError.TWO_CREDENTIALS
    for bad, reason in cases.items():
        with pytest.raises(baking.BakingError) as refused:
            baking.extract(bad)
        assert refused.value.reason == reason
