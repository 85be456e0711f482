"""``Histogram``: binning, given histograms and their limits."""

from __future__ import annotations

import numpy as np
import pytest

from trackboard.media import Histogram


def test_sequence_uses_64_bins_by_default() -> None:
    value = Histogram(list(range(1000))).to_json()
    assert value["_type"] == "histogram"
    assert len(value["values"]) == 64
    assert len(value["bins"]) == 65
    assert sum(value["values"]) == 1000
    assert (value["bins"][0], value["bins"][-1]) == (0.0, 999.0)


def test_num_bins_is_used() -> None:
    value = Histogram(np.arange(10), num_bins=5).to_json()
    assert value["values"] == [2, 2, 2, 2, 2]
    assert len(value["bins"]) == 6


def test_non_finite_values_are_left_out() -> None:
    value = Histogram([1.0, 2.0, float("nan"), float("inf")], num_bins=2).to_json()
    assert sum(value["values"]) == 2


def test_np_histogram_is_kept_verbatim() -> None:
    counts, edges = np.histogram([1, 2, 2, 3], bins=3)
    value = Histogram(np_histogram=(counts, edges)).to_json()
    assert value == {"_type": "histogram", "values": counts.tolist(), "bins": edges.tolist()}


def test_torch_tensor_sequence() -> None:
    torch = pytest.importorskip("torch")
    assert sum(Histogram(torch.arange(100.0), num_bins=4).to_json()["values"]) == 100


def test_more_than_512_bins_is_refused() -> None:
    with pytest.raises(ValueError, match="513 bins is more than the maximum of 512"):
        Histogram(np_histogram=([0] * 513, list(range(514))))
    with pytest.raises(ValueError, match="num_bins 600"):
        Histogram([1, 2], num_bins=600)


def test_512_bins_is_allowed() -> None:
    assert len(Histogram(np.arange(2000), num_bins=512).to_json()["values"]) == 512


def test_edges_must_be_one_more_than_counts() -> None:
    with pytest.raises(ValueError, match="one more bin edge than counts; got 3 edges for 3"):
        Histogram(np_histogram=([1, 2, 3], [0, 1, 2]))


@pytest.mark.parametrize("bins", [0, -1, 2.5])
def test_bad_num_bins_is_refused(bins: object) -> None:
    with pytest.raises(ValueError, match="num_bins"):
        Histogram([1, 2], num_bins=bins)  # type: ignore[arg-type]


def test_neither_sequence_nor_histogram_is_refused() -> None:
    with pytest.raises(ValueError, match="needs a sequence or np_histogram"):
        Histogram()


def test_non_numeric_sequence_is_refused() -> None:
    with pytest.raises(ValueError, match="must hold numbers"):
        Histogram(["a", "b"])
