"""Cutting text to another service's length limit without breaking what a reader sees."""

import regex

_GRAPHEME = regex.compile(r"\X")


def text_cut(text: str, limit: int) -> str:
    """The longest start of `text` of at most `limit` code points that ends on a grapheme
    boundary: an emoji with its modifiers, a flag or a letter with its combining marks is kept
    whole or left out, never split into something the reader would not recognise."""
    if len(text) <= limit:
        return text
    end = 0
    for match in _GRAPHEME.finditer(text):
        if match.end() > limit:
            break
        end = match.end()
    return text[:end]
