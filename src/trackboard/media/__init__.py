"""Media types: the values ``log()`` stores as files under the run (or inline, histograms).

Each type converts what a user hands it (numpy arrays, tensors, PIL images, paths, strings)
and, when logged, is *bound* to the run: its file is written under
``<run folder>/files/media/<subdir>/`` with a content-hashed, sanitised name, and the row keeps
a JSON reference to it (``research/wandb-api.md`` 4; :mod:`trackboard.media.base`). numpy and
Pillow are imported only when a media object is made.
"""

from __future__ import annotations

from trackboard.media.audio import Audio
from trackboard.media.histogram import Histogram
from trackboard.media.html import Html
from trackboard.media.image import Image
from trackboard.media.table import Table
from trackboard.media.video import Video

__all__ = ["Audio", "Histogram", "Html", "Image", "Table", "Video"]
