"""Binding logged values to a run: one media object, a list of them, or a foreign object.

``log()`` hands every media value it meets to :func:`bind` with the row's :class:`Target`.
A matplotlib figure becomes an :class:`Image` (rendered to PNG), a pandas DataFrame a
:class:`Table`. A list whose items all have one groupable type (images, audio, videos) becomes
one grouped reference (``images/separated``, ``audio``, ``videos``); any other list becomes a
list of references.
"""

from __future__ import annotations

from typing import Any

from trackboard.media.base import Media, Target
from trackboard.media.histogram import Histogram

PLAIN = (int, float, str, bool, type(None))


def bind(key: str, value: Any, target: Target) -> Any:
    """The JSON value a row keeps for a media ``value`` (or list) logged under ``key``."""
    if isinstance(value, list | tuple):
        return _bind_list(key, list(value), target)
    return bind_one(key, value, target)


def as_media(value: Any) -> Any:
    """``value`` as a trackboard media object when it is a figure or a DataFrame, else as is."""
    kind = type(value)
    root = kind.__module__.split(".", 1)[0]
    if root == "matplotlib" and hasattr(value, "savefig"):
        from trackboard.media.image import Image

        return Image(value)
    if root == "pandas" and kind.__name__ == "DataFrame":
        from trackboard.media.table import Table

        return Table(dataframe=value)
    return value


def bind_one(key: str, value: Any, target: Target) -> Any:
    """One media value's reference (a histogram's inline JSON)."""
    value = as_media(value)
    if isinstance(value, Histogram):
        return value.to_json()
    if isinstance(value, Media):
        return value.bind(target, key)
    if isinstance(value, PLAIN):
        return value
    kind = type(value)
    raise TypeError(
        f"trackboard.log: an item under key {key!r} has type "
        f"{kind.__module__}.{kind.__qualname__}, which cannot be logged beside media"
    )


def _bind_list(key: str, values: list[Any], target: Target) -> Any:
    items = [as_media(v) for v in values]
    kind = type(items[0])
    group = getattr(kind, "group", None)
    if group is not None and all(type(item) is kind for item in items):
        return group(key, items, target)
    return [bind_one(key, item, target) for item in items]
