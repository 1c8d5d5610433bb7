"""Verification codes: twelve characters that are easy to read aloud and to type.

The alphabet leaves out the characters people mix up on paper and on the phone (0 and O;
1, I and L) and U (read as V, and the source of accidental words). Thirty symbols, twelve of
them: about 59 bits, drawn from ``secrets``, so that guessing a code is hopeless (and the
public page is rate-limited besides). People may type a code in lower case, with or without
the hyphens and spaces.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 12
GROUP = 4

#: Spaces, hyphens and dashes (typed, or pasted from a PDF or a word processor).
_SEPARATORS = re.compile(r"[\s\-_.\u2010\u2011\u2012\u2013\u2014]+")


def new_code() -> str:
    """A fresh random code, without hyphens (as stored)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def format_code(code: str) -> str:
    """``K7QM2XRD9TPA`` -> ``K7QM-2XRD-9TPA``."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise_code(text: str | None) -> str | None:
    """The stored form of what someone typed, or None when it cannot be a code."""
    if not text:
        return None
    code = _SEPARATORS.sub("", text).upper()
    if len(code) != LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code
