"""Turning what users log into the plain values records carry.

Three conversions, one per destination, following wandb (``research/wandb-api.md`` 1.2, 2.4, 2.5):

* :func:`convert_row` for ``log()``: nested dicts become dotted keys, numpy and torch values
  become numbers, lists or (above 32 elements) a 32-bin histogram; anything unknown is a
  :class:`TypeError` naming the key.
* :func:`convert_summary_value` for explicit summary assignment: as ``log()``, but nested dicts
  stay nested and arrays above 32 elements become a statistics dict.
* :func:`config_value` for the config: never raises for plain objects (they become ``str``),
  only media objects are refused.

Media (``trackboard.Image`` and friends, lists of them, matplotlib figures, pandas DataFrames)
need a run to write their files into: ``log()`` passes a :data:`MediaBinder` that turns one into
its JSON reference. Without a binder only histograms (which are inline) can be converted.

numpy and torch are never imported here: a value can only be a numpy array if numpy is already
in ``sys.modules``, so the checks look there.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
import sys
from collections.abc import Callable, Mapping
from typing import Any

FAST_TYPES = frozenset({float, int, bool, str, type(None)})
"""Exact types a logged value may have to skip conversion (ints still need a range check)."""

FAST_NO_INT = frozenset({float, bool, str, type(None)})
"""Exact types that need no conversion and no check at all."""

RESERVED_KEYS = frozenset({"_step", "_runtime", "_timestamp"})
"""Top-level keys the SDK sets itself; a user's value for them is dropped."""

INT_MIN = -(2**63)
INT_MAX = 2**64 - 1
HISTOGRAM_MIN_SIZE = 33
"""Arrays with this many elements or more are logged as a histogram."""
HISTOGRAM_BINS = 32

_Paths = dict[str, tuple[str, ...]]

MediaBinder = Callable[[str, Any], Any]
"""``bind(key, value)``: a media value (or a list of them) as the JSON reference a row keeps."""


def ints_in_range(values: Any) -> bool:
    """True when every ``int`` in the iterable fits the run log's 64-bit integers."""
    for v in values:
        if type(v) is int and not INT_MIN <= v <= INT_MAX:
            break
    else:
        return True
    return False


def key_error(key: Any) -> TypeError:
    return TypeError(f"trackboard.log: key {key!r} is not a str; every key must be a str")


def convert_row(
    data: Mapping[Any, Any], bind: MediaBinder | None = None
) -> tuple[dict[str, Any], _Paths | None]:
    """A ``log()`` payload as a flat row plus, for keys that came from nested dicts, their paths.

    Raises :class:`TypeError` naming the key for a non-str key or a value that cannot be logged.
    The user's ``_step`` (and the other automatic keys) at the top level are dropped. Media
    values are handed to ``bind`` (see :data:`MediaBinder`).
    """
    out: dict[str, Any] = {}
    paths: _Paths = {}
    for key, value in data.items():
        if type(key) is not str:
            if not isinstance(key, str):
                raise key_error(key)
            key = str(key)
        if key in RESERVED_KEYS:
            continue
        kind = type(value)
        if kind in FAST_NO_INT:
            out[key] = value
        elif kind is dict or isinstance(value, Mapping):
            _flatten(out, paths, (key,), key + ".", value, bind)
        else:
            out[key] = convert_value(key, value, bind)
    return out, (paths or None)


def _flatten(
    out: dict[str, Any],
    paths: _Paths,
    prefix: tuple[str, ...],
    dotted_prefix: str,
    data: Mapping[Any, Any],
    bind: MediaBinder | None = None,
) -> None:
    for key, value in data.items():
        if type(key) is not str:
            if not isinstance(key, str):
                raise key_error(dotted_prefix + repr(key))
            key = str(key)
        dotted = dotted_prefix + key
        kind = type(value)
        if kind is dict or (kind not in FAST_TYPES and isinstance(value, Mapping)):
            _flatten(out, paths, (*prefix, key), dotted + ".", value, bind)
            continue
        out[dotted] = value if kind in FAST_NO_INT else convert_value(dotted, value, bind)
        paths[dotted] = (*prefix, key)


def convert_value(key: str, value: Any, bind: MediaBinder | None = None) -> Any:
    """One logged value as a plain value; :class:`TypeError` naming ``key`` if impossible."""
    kind = type(value)
    if kind in FAST_NO_INT:
        return value
    if kind is int:
        return value if INT_MIN <= value <= INT_MAX else float(value)
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, bool | int | float | str):
        return convert_value(key, _builtin(value))
    if is_loggable_media(value):
        return _bind_media(key, value, bind)
    array = _as_array(key, value)
    if array is not None:
        return _array_value(key, array)
    generic = _numpy_scalar(value)
    if generic is not _NOTHING:
        return convert_value(key, generic, bind)
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, list | tuple | set | frozenset):
        if isinstance(value, list | tuple) and value and is_loggable_media(value[0]):
            return _bind_media(key, list(value), bind)
        return [_element(key, v, bind) for v in value]
    raise _unloggable(key, value)


def _element(key: str, value: Any, bind: MediaBinder | None = None) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _element(key, v, bind) for k, v in value.items()}
    return convert_value(key, value, bind)


def is_loggable_media(value: Any) -> bool:
    """Whether ``log()`` stores ``value`` as media: a trackboard media object, a matplotlib
    figure or a pandas DataFrame (a table)."""
    kind = type(value)
    root = kind.__module__.split(".", 1)[0]
    if root == "trackboard":
        return hasattr(value, "to_json")
    if root == "matplotlib":
        return hasattr(value, "savefig")
    return root == "pandas" and kind.__name__ == "DataFrame"


def _bind_media(key: str, value: Any, bind: MediaBinder | None) -> Any:
    if bind is not None:
        return bind(key, value)
    if getattr(value, "_log_type", None) == "histogram":
        return value.to_json()
    kind = type(value[0] if isinstance(value, list) else value)
    raise TypeError(
        f"trackboard: the value of key {key!r} is media ({kind.__module__}.{kind.__qualname__}), "
        "which can only be stored through a run's log() or summary"
    )


def is_chart(value: Any) -> bool:
    """Whether ``value`` is a trackboard chart (``trackboard.plot``, ``plots``, ``sklearn``):
    ``log()`` stores it as a table plus a hidden config entry (its ``chart_entries``)."""
    root = type(value).__module__.split(".", 1)[0]
    return root == "trackboard" and callable(getattr(value, "chart_entries", None))


def is_media(value: Any) -> bool:
    """Whether ``value`` is a trackboard (or wandb) media object: it has ``to_json``."""
    root = type(value).__module__.split(".", 1)[0]
    return root in ("trackboard", "wandb") and hasattr(value, "to_json")


def _builtin(value: bool | int | float | str) -> Any:
    for base in (bool, int, float, str):
        if isinstance(value, base):
            return base(value)
    return value  # pragma: no cover


def _unloggable(key: str, value: Any) -> TypeError:
    kind = type(value)
    name = f"{kind.__module__}.{kind.__qualname__}"
    if is_media(value):
        return TypeError(
            f"trackboard.log: the value of key {key!r} is a media object ({name}) that "
            "trackboard cannot store; use trackboard's media types"
        )
    if is_chart(value):
        return TypeError(
            f"trackboard.log: the value of key {key!r} is a chart; log charts at the top level "
            "of log() (log({'name': chart}))"
        )
    return TypeError(
        f"trackboard.log: the value of key {key!r} has type {name}, which cannot be logged"
    )


class _Nothing:
    pass


_NOTHING: Any = _Nothing()


def _numpy_scalar(value: Any) -> Any:
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, np.generic):
        if isinstance(value, np.complexfloating):
            return _NOTHING
        return value.item()
    return _NOTHING


def _as_array(key: str, value: Any) -> Any:
    """``value`` as a numpy array when it is a numpy array or a tensor, else None."""
    np = sys.modules.get("numpy")
    if np is not None and isinstance(value, np.ndarray):
        return value
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        tensor = value.detach()
        if tensor.is_complex():
            raise _unloggable(key, value)
        if tensor.layout != torch.strided:
            tensor = tensor.to_dense()
        if tensor.dtype == torch.bfloat16:
            tensor = tensor.float()
        return tensor.cpu().numpy()
    module = type(value).__module__.split(".", 1)[0]
    if module in ("jax", "jaxlib", "tensorflow") and hasattr(value, "__array__"):
        import numpy

        return numpy.asarray(value)
    return None


def _array_value(key: str, array: Any) -> Any:
    if array.dtype.kind == "c":
        raise _unloggable(key, array)
    size = int(array.size)
    if size == 1:
        return convert_value(key, array.reshape(-1)[0].item())
    if size < HISTOGRAM_MIN_SIZE or array.dtype.kind not in "biuf":
        return _plain_list(key, array)
    return histogram(array)


def _plain_list(key: str, array: Any) -> Any:
    items = array.tolist()
    if array.dtype.kind in "biuf":
        return items
    return _element(key, items)


def histogram(array: Any) -> dict[str, Any]:
    """wandb's automatic histogram of a numeric array: 32 bins over its finite values."""
    import numpy as np

    flat = np.asarray(array).reshape(-1)
    if flat.dtype.kind == "b":
        flat = flat.astype(np.float64)
    finite = flat[np.isfinite(flat)]
    counts, edges = np.histogram(finite, bins=HISTOGRAM_BINS)
    return {"_type": "histogram", "values": counts.tolist(), "bins": edges.tolist()}


def array_stats(array: Any) -> dict[str, Any]:
    """What wandb stores in the summary for a large array assigned to it directly."""
    import numpy as np

    flat = np.asarray(array, dtype=np.float64).reshape(-1)
    p10, p25, p75, p90 = (float(x) for x in np.percentile(flat, [10, 25, 75, 90]))
    return {
        "_type": "numpy.ndarray",
        "var": float(np.var(flat)),
        "mean": float(np.mean(flat)),
        "min": float(np.min(flat)),
        "max": float(np.max(flat)),
        "10%": p10,
        "25%": p25,
        "75%": p75,
        "90%": p90,
        "size": int(flat.size),
    }


def convert_summary_value(key: str, value: Any, bind: MediaBinder | None = None) -> Any:
    """An explicitly assigned summary value: nested dicts stay nested, big arrays become stats.

    Media are handed to ``bind`` (their files named with the step ``summary``)."""
    if type(value) in FAST_NO_INT:
        return value
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError(f"trackboard summary: key {k!r} under {key!r} is not a str")
            out[str(k)] = convert_summary_value(f"{key}.{k}", v, bind)
        return out
    array = _as_array(key, value)
    if array is not None and array.size >= HISTOGRAM_MIN_SIZE and array.dtype.kind in "biuf":
        return array_stats(array)
    return convert_value(key, value, bind)


def config_value(value: Any) -> Any:
    """A config value made JSON-friendly (wandb-api.md 1.2); only media raise TypeError."""
    kind = type(value)
    if kind in FAST_NO_INT:
        return value
    if kind is int:
        return value if INT_MIN <= value <= INT_MAX else str(value)
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, bool | int | float | str):
        return config_value(_builtin(value))
    if isinstance(value, Mapping):
        return {str(k): config_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [config_value(v) for v in value]
    generic = _numpy_scalar(value)
    if generic is not _NOTHING:
        return config_value(generic)
    try:
        array = _as_array("config", value)
    except TypeError:
        array = None
    if array is not None:
        return config_value(array.tolist())
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: config_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, slice):
        return {
            "slice_start": config_value(value.start),
            "slice_step": config_value(value.step),
            "slice_stop": config_value(value.stop),
        }
    if is_media(value):
        raise TypeError(f"media objects cannot be stored in the config: {type(value).__name__}")
    if callable(value):
        module = getattr(value, "__module__", None) or ""
        qualname = getattr(value, "__qualname__", None) or type(value).__qualname__
        return f"{module}.{qualname}" if module else qualname
    return str(value)


def same_value(a: Any, b: Any) -> bool:
    """Equality for config values, where NaN equals NaN."""
    if a == b:
        return True
    return type(a) is float and type(b) is float and a != a and b != b
