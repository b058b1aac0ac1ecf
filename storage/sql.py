"""Small pieces of SQL text shared by the repositories."""

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")


def placeholders(count: int) -> str:
    """`?, ?, ?` for `count` bound values: the inside of an IN (...) or a VALUES row."""
    return ", ".join("?" * count)


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """`items` in slices of at most `size`: one statement each, within SQLite's limit on
    bound values."""
    for start in range(0, len(items), size):
        yield items[start:start + size]
