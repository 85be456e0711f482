"""``Audio``: a sound clip stored as a WAV file (``research/wandb-api.md`` 4.5).

From numpy: a 1-D array of samples (or 2-D, samples x channels) with ``sample_rate``, written
as 16-bit PCM WAV with the standard library's :mod:`wave`. Floats are taken to lie in [-1, 1]
(clipped); ``int16`` samples are kept. From a path: the file is copied as is (the duration and
sample rate are read from WAV files only). The row keeps ``{"_type": "audio-file", "path",
"sha256", "size", "sample_rate", "duration", "caption"?}``; a list of clips under one key keeps
``{"_type": "audio", "count", "audio": [refs], "sampleRates", "durations", "captions"}``.
"""

from __future__ import annotations

import io
import os
import wave
from typing import Any, ClassVar

from trackboard.media.base import Media, Target, caption_text, read_path, store_bytes


class Audio(Media):
    """An audio clip; ``sample_rate`` is required for numpy data."""

    _log_type: ClassVar[str] = "audio-file"

    def __init__(
        self, data_or_path: Any, sample_rate: int | None = None, caption: Any = None
    ) -> None:
        self.caption = caption_text(caption)
        if isinstance(data_or_path, str | os.PathLike):
            self._data = read_path(data_or_path, "Audio")
            self._ext = os.path.splitext(os.fspath(data_or_path))[1].lower() or ".wav"
            self.sample_rate, self.duration = (
                _wav_info(self._data)
                if self._ext == ".wav"
                else (
                    sample_rate,
                    None,
                )
            )
        else:
            if sample_rate is None:
                raise ValueError("Audio: sample_rate is required for numpy data")
            if (
                isinstance(sample_rate, bool)
                or not isinstance(sample_rate, int)
                or sample_rate <= 0
            ):
                raise ValueError(f"Audio: sample_rate must be a positive int, got {sample_rate!r}")
            self._data, frames = _wav_bytes(data_or_path, sample_rate)
            self._ext = ".wav"
            self.sample_rate = sample_rate
            self.duration = frames / sample_rate

    def _store(self, target: Target, key: str) -> dict[str, Any]:
        ref = store_bytes(target, "audio", key, self._data, self._ext).reference("audio-file")
        ref.update(sample_rate=self.sample_rate, duration=self.duration)
        if self.caption is not None:
            ref["caption"] = self.caption
        return ref

    @classmethod
    def group(cls, key: str, clips: list[Audio], target: Target) -> dict[str, Any]:
        """A list of clips under one key: ``{"_type": "audio", ...}``."""
        return {
            "_type": "audio",
            "count": len(clips),
            "audio": [clip.bind(target, key) for clip in clips],
            "sampleRates": [clip.sample_rate for clip in clips],
            "durations": [clip.duration for clip in clips],
            "captions": [clip.caption for clip in clips],
        }

    def __repr__(self) -> str:
        return f"<Audio {self.duration} s at {self.sample_rate} Hz>"


def _wav_bytes(data: Any, sample_rate: int) -> tuple[bytes, int]:
    import numpy as np

    if hasattr(data, "detach"):
        data = data.detach().cpu().numpy()
    samples = np.asarray(data)
    if samples.ndim not in (1, 2) or samples.size == 0:
        raise ValueError(
            f"Audio: samples must be a non-empty 1-D array (or 2-D samples x channels), got "
            f"shape {list(samples.shape)}"
        )
    if samples.dtype.kind not in "iuf":
        raise ValueError(f"Audio: samples must be numbers, got dtype {samples.dtype}")
    if samples.dtype != np.int16:
        floats = np.nan_to_num(samples.astype(np.float64), nan=0.0)
        if samples.dtype.kind in "iu":
            floats = floats / float(np.iinfo(samples.dtype).max)
        samples = (np.clip(floats, -1.0, 1.0) * 32767).astype(np.int16)
    channels = 1 if samples.ndim == 1 else int(samples.shape[1])
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(np.ascontiguousarray(samples).astype("<i2").tobytes())
    return buffer.getvalue(), int(samples.shape[0])


def _wav_info(data: bytes) -> tuple[int | None, float | None]:
    try:
        with wave.open(io.BytesIO(data), "rb") as source:
            rate = source.getframerate()
            return rate, source.getnframes() / rate
    except (wave.Error, EOFError):
        return None, None
