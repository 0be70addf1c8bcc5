"""Text normalisation at the boundary, and folding for search without diacritics."""

from __future__ import annotations

import unicodedata


def nfc(text: str) -> str:
    """NFC-normalise text coming from a keyboard, a scanner or a file."""
    return unicodedata.normalize("NFC", text)


def clean(text: str | None) -> str:
    """NFC, inner runs of whitespace collapsed to one space, stripped."""
    if text is None:
        return ""
    return " ".join(nfc(text).split())


def fold(text: str) -> str:
    """Lower-case ASCII-ish form for search: "Nguyễn Văn Đặng" -> "nguyen van dang".

    SQLite's unicode61 tokenizer does not fold đ/Đ, so every indexed name and every query is
    folded here the same way: NFD, đ -> d, combining marks dropped, lower-cased.
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.lower().split())
