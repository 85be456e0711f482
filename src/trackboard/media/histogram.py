"""``Histogram``: a distribution logged inline in the row (``research/wandb-api.md`` 4.3).

``Histogram(sequence)`` bins the values with ``numpy.histogram`` into ``num_bins`` equal-width
bins over their finite range; ``Histogram(np_histogram=(counts, edges))`` keeps a histogram
computed elsewhere verbatim. Either way at most :data:`MAX_LENGTH` bins are allowed and there is
one more edge than counts, else :class:`ValueError`. No file is written: the row holds
``{"_type": "histogram", "values": [...], "bins": [...]}``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

MAX_LENGTH = 512
"""The most bins a histogram may have."""
DEFAULT_BINS = 64


class Histogram:
    """A histogram of ``sequence`` in ``num_bins`` bins, or the given ``np_histogram``."""

    _log_type = "histogram"

    def __init__(
        self,
        sequence: Sequence[Any] | Any | None = None,
        np_histogram: tuple[Any, Any] | None = None,
        num_bins: int = DEFAULT_BINS,
    ) -> None:
        if np_histogram is not None:
            if len(np_histogram) != 2:
                raise ValueError(
                    "Histogram: np_histogram must be a pair (counts, bin edges) as "
                    "numpy.histogram returns"
                )
            values, bins = (_as_list(part) for part in np_histogram)
        elif sequence is not None:
            values, bins = _bin(sequence, num_bins)
        else:
            raise ValueError("Histogram needs a sequence or np_histogram")
        if len(values) > MAX_LENGTH:
            raise ValueError(
                f"Histogram: {len(values)} bins is more than the maximum of {MAX_LENGTH}"
            )
        if len(bins) != len(values) + 1:
            raise ValueError(
                f"Histogram: there must be one more bin edge than counts; got {len(bins)} "
                f"edges for {len(values)} counts"
            )
        self.histogram: list[Any] = values
        self.bins: list[Any] = bins

    def to_json(self, run: Any = None) -> dict[str, Any]:
        """The inline value stored in the row."""
        return {"_type": "histogram", "values": list(self.histogram), "bins": list(self.bins)}

    def __repr__(self) -> str:
        return f"<Histogram of {len(self.histogram)} bins>"


def _as_list(part: Any) -> list[Any]:
    if hasattr(part, "tolist"):
        listed = part.tolist()
        return listed if isinstance(listed, list) else [listed]
    return list(part)


def _bin(sequence: Any, num_bins: int) -> tuple[list[Any], list[Any]]:
    import numpy as np

    if type(num_bins) is not int or num_bins < 1:
        raise ValueError(f"Histogram: num_bins must be a positive int, got {num_bins!r}")
    if num_bins > MAX_LENGTH:
        raise ValueError(f"Histogram: num_bins {num_bins} is more than the maximum of {MAX_LENGTH}")
    array = _numeric(np, sequence)
    finite = array[np.isfinite(array)]
    counts, edges = np.histogram(finite, bins=num_bins)
    return counts.tolist(), edges.tolist()


def _numeric(np: Any, sequence: Any) -> Any:
    if hasattr(sequence, "detach"):  # a torch tensor
        sequence = sequence.detach().cpu().float().numpy()
    try:
        array = np.asarray(sequence, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"Histogram: the sequence must hold numbers ({exc})") from None
    return array
