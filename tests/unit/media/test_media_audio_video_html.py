"""``Audio`` (WAV), ``Video`` (GIF) and ``Html`` files and references."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import numpy as np
import pytest
from media_helpers import Bound
from PIL import Image as PILImage

from trackboard.media import Audio, Html, Video
from trackboard.media.binding import bind


def test_audio_from_numpy_is_a_16_bit_wav_with_its_duration(bound: Bound) -> None:
    samples = np.sin(np.linspace(0, 100, 4000))
    ref = Audio(samples, sample_rate=8000, caption="tone").bind(bound.target, "sound")
    assert ref["_type"] == "audio-file"
    assert str(ref["path"]).startswith("media/audio/sound_3_")
    assert str(ref["path"]).endswith(".wav")
    assert (ref["sample_rate"], ref["duration"], ref["caption"]) == (8000, 0.5, "tone")
    with wave.open(str(bound.file(ref)), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 8000)
        assert wav.getnframes() == 4000
        frames = np.frombuffer(wav.readframes(4000), dtype="<i2")
    assert abs(int(frames.max()) - 32767) < 40


def test_audio_with_two_channels(bound: Bound) -> None:
    ref = Audio(np.zeros((100, 2), dtype=np.int16), sample_rate=100).bind(bound.target, "k")
    with wave.open(str(bound.file(ref)), "rb") as wav:
        assert wav.getnchannels() == 2
    assert ref["duration"] == 1.0


def test_audio_needs_a_sample_rate_and_1d_or_2d_samples() -> None:
    with pytest.raises(ValueError, match="sample_rate is required"):
        Audio(np.zeros(10))
    with pytest.raises(ValueError, match="positive int"):
        Audio(np.zeros(10), sample_rate=0)
    with pytest.raises(ValueError, match="shape"):
        Audio(np.zeros((2, 2, 2)), sample_rate=10)


def test_audio_wav_path_is_copied_with_its_rate_and_duration(bound: Bound, tmp_path: Path) -> None:
    source = tmp_path / "clip.wav"
    with wave.open(str(source), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(1000)
        wav.writeframes(b"\x00\x00" * 250)
    ref = Audio(str(source)).bind(bound.target, "k")
    assert bound.file(ref).read_bytes() == source.read_bytes()
    assert (ref["sample_rate"], ref["duration"]) == (1000, 0.25)


def test_a_list_of_audio_is_grouped(bound: Bound) -> None:
    clips = [Audio(np.zeros(100), sample_rate=100, caption="a"), Audio(np.ones(50), sample_rate=50)]
    ref = bind("clips", clips, bound.target)
    assert ref["_type"] == "audio"
    assert ref["count"] == 2
    assert [r["_type"] for r in ref["audio"]] == ["audio-file", "audio-file"]
    assert (ref["sampleRates"], ref["durations"], ref["captions"]) == (
        [100, 50],
        [1.0, 1.0],
        ["a", None],
    )


def gif_frames(data: bytes) -> list[np.ndarray]:
    with PILImage.open(io.BytesIO(data)) as gif:
        frames = []
        for index in range(gif.n_frames):
            gif.seek(index)
            frames.append(np.asarray(gif.convert("RGB")))
    return frames


def test_video_from_tchw_numpy_is_a_gif_with_every_frame(bound: Bound) -> None:
    clip = np.zeros((5, 3, 8, 10), dtype=np.uint8)
    for t in range(5):
        clip[t, 0] = 50 * t  # a red level per frame
    ref = Video(clip, fps=5, caption="v").bind(bound.target, "movie")
    assert ref["_type"] == "video-file"
    assert str(ref["path"]).startswith("media/videos/movie_3_")
    assert (ref["format"], ref["width"], ref["height"], ref["caption"]) == ("gif", 10, 8, "v")
    frames = gif_frames(bound.file(ref).read_bytes())
    assert len(frames) == 5
    assert [int(f[0, 0, 0]) for f in frames] == [0, 50, 100, 150, 200]


def test_video_batch_is_tiled_into_a_power_of_two_grid(bound: Bound) -> None:
    ref = Video(np.zeros((3, 2, 1, 4, 6), dtype=np.uint8)).bind(bound.target, "k")
    assert (ref["width"], ref["height"]) == (12, 8)  # 3 clips padded to 4: a 2 x 2 grid


def test_video_bad_shapes_and_formats_are_refused() -> None:
    with pytest.raises(ValueError, match="shape"):
        Video(np.zeros((4, 8, 8)))
    with pytest.raises(ValueError, match="shape"):
        Video(np.zeros((4, 2, 8, 8)))
    with pytest.raises(ValueError, match="only 'gif'"):
        Video(np.zeros((4, 3, 8, 8)), format="mp4")


def test_video_file_is_copied_as_is(bound: Bound, tmp_path: Path) -> None:
    source = tmp_path / "clip.mp4"
    source.write_bytes(b"\x00\x00\x00\x18ftypmp42")
    ref = Video(str(source)).bind(bound.target, "k")
    assert bound.file(ref).read_bytes() == source.read_bytes()
    assert ref["format"] == "mp4"
    with pytest.raises(ValueError, match="must be one of"):
        Video(str(tmp_path / "clip.avi"))


def test_a_list_of_videos_is_grouped(bound: Bound) -> None:
    clip = np.zeros((2, 3, 4, 4), dtype=np.uint8)
    ref = bind("vids", [Video(clip), Video(clip + 1)], bound.target)
    assert ref["_type"] == "videos"
    assert ref["count"] == 2
    assert ref["videos"][0]["_type"] == "video-file"


def test_html_text_is_stored_verbatim(bound: Bound) -> None:
    page = "<h1>hi</h1><script>alert(1)</script>"
    ref = Html(page).bind(bound.target, "page")
    assert ref["_type"] == "html-file"
    assert str(ref["path"]).startswith("media/html/page_3_")
    assert str(ref["path"]).endswith(".html")
    assert bound.file(ref).read_text() == page


def test_html_from_a_path_and_a_file(bound: Bound, tmp_path: Path) -> None:
    source = tmp_path / "report.html"
    source.write_text("<p>report</p>")
    assert bound.file(Html(str(source)).bind(bound.target, "a")).read_text() == "<p>report</p>"
    with source.open() as handle:
        assert bound.file(Html(handle).bind(bound.target, "b")).read_text() == "<p>report</p>"
    kept = Html(str(source), data_is_not_path=True).bind(bound.target, "c")
    assert bound.file(kept).read_text() == str(source)
    with pytest.raises(TypeError, match="HTML text"):
        Html(42)


def test_a_mixed_list_is_a_list_of_references(bound: Bound) -> None:
    ref = bind("mix", [Html("<p>a</p>"), Audio(np.zeros(4), sample_rate=4)], bound.target)
    assert [r["_type"] for r in ref] == ["html-file", "audio-file"]
