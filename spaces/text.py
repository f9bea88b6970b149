"""The one rule for characters that break a line of text. Pure: no flask, no database.

Control characters (Unicode Cc) and the line and paragraph separators (Zl, Zp): in a name they
break mail headers (\\r, \\x0b, \\x85, \\u2028 all end a header line) and every one-line display.
The forms refuse them at input (``spaces.forms``); mail headers fold them away for text stored
before (``spaces.mail.header_text``).
"""

from __future__ import annotations

import unicodedata

BREAKING_CATEGORIES = frozenset({"Cc", "Zl", "Zp"})
_MULTILINE_ALLOWED = frozenset({"\n", "\r", "\t"})


def is_breaking(character: str) -> bool:
    return unicodedata.category(character) in BREAKING_CATEGORIES


def control_characters(text: str, multiline: bool = False) -> list[str]:
    """The control characters in ``text`` (line breaks and tabs allowed when ``multiline``)."""
    return [c for c in text if is_breaking(c) and not (multiline and c in _MULTILINE_ALLOWED)]
