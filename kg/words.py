"""Numbers of things in kg's messages, in words."""

from __future__ import annotations


def counted(count: int, one: str, many: str = "") -> str:
    """``count`` things: ``one`` for one of them, ``many`` (default ``one`` + "s") for any other number.

    >>> counted(1, "story", "stories"), counted(1200, "file"), counted(0, "row")
    ('1 story', '1,200 files', '0 rows')
    """
    return f"{count:,} {one if count == 1 else many or one + 's'}"
