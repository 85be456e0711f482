"""``Image``: a picture stored as a PNG (or JPEG, BMP) file (``research/wandb-api.md`` 4.2).

Accepted data: a file path (copied as is), a PIL image, a numpy array (HW or HWC; extra
singleton dimensions are squeezed), a torch tensor (CHW, permuted to HWC; ``(1, H, W)`` gives
an ``"L"`` image), a matplotlib figure (rendered with ``savefig``) or another :class:`Image`.

Pixel values follow wandb 0.20-0.28 with ``normalize=True``: ``uint8`` data is kept; other data
entirely in [0, 1] is multiplied by 255, entirely in [-1, 1] is mapped by ``(x + 1) * 127.5``,
anything else is clipped to [0, 255] (with a warning when values were outside). With
``normalize=False`` the values are only cast. NaN becomes 0.

Masks and bounding boxes (:mod:`trackboard.media.overlays`) are validated when the image is
made and written beside it when it is logged.
"""

from __future__ import annotations

import io
import os
import warnings
from typing import Any, ClassVar

from trackboard.media.base import Media, Target, caption_text, read_path, store_bytes
from trackboard.media.overlays import Boxes, Mask, parse_boxes, parse_masks

MAX_ITEMS = 108
"""The most images one logged list keeps (wandb's limit); the rest are dropped with a warning."""
MAX_DIMENSION = 65500
FILE_TYPES = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg", "bmp": "bmp"}
_MODES = {1: "L", 3: "RGB", 4: "RGBA"}


class Image(Media):
    """An image to log; see the module docstring for what ``data_or_path`` may be."""

    _log_type: ClassVar[str] = "image-file"

    def __init__(
        self,
        data_or_path: Any,
        mode: str | None = None,
        caption: Any = None,
        grouping: int | None = None,
        classes: Any = None,
        boxes: Any = None,
        masks: Any = None,
        file_type: str | None = None,
        normalize: bool = True,
    ) -> None:
        self.caption = caption_text(caption)
        self.grouping = grouping
        self.classes = classes
        self._ext: str
        self._data: bytes
        self.format: str
        self.width: int
        self.height: int
        if isinstance(data_or_path, Image):
            self._copy_from(data_or_path)
        elif isinstance(data_or_path, str | os.PathLike):
            self._from_path(data_or_path)
        else:
            pil = _to_pil(data_or_path, mode, normalize)
            self._from_pil(pil, file_type)
        self.masks: dict[str, Mask] = parse_masks(masks, self.width, self.height)
        self.boxes: dict[str, Boxes] = parse_boxes(boxes)

    # ------------------------------------------------------------------- construction
    def _copy_from(self, other: Image) -> None:
        self._data, self._ext = other._data, other._ext
        self.format, self.width, self.height = other.format, other.width, other.height
        if self.caption is None:
            self.caption = other.caption

    def _from_path(self, path: str | os.PathLike[str]) -> None:
        from PIL import Image as PILImage

        self._data = read_path(path, "Image")
        try:
            with PILImage.open(io.BytesIO(self._data)) as pil:
                self.width, self.height = pil.size
                detected = (pil.format or "").lower()
        except OSError as exc:
            raise ValueError(
                f"Image: {os.fspath(path)!r} is not a readable image ({exc})"
            ) from None
        suffix = os.path.splitext(os.fspath(path))[1].lower().lstrip(".")
        self.format = suffix or detected or "png"
        self._ext = "." + self.format

    def _from_pil(self, pil: Any, file_type: str | None) -> None:
        name = (file_type or "png").lower()
        if name not in FILE_TYPES:
            raise ValueError(
                f"Image: file_type must be one of {', '.join(FILE_TYPES)}, got {file_type!r}"
            )
        if pil.width > MAX_DIMENSION or pil.height > MAX_DIMENSION:
            raise ValueError(
                f"Image: {pil.width}x{pil.height} pixels is larger than {MAX_DIMENSION} on a side"
            )
        if FILE_TYPES[name] == "jpeg" and pil.mode not in ("L", "RGB"):
            warnings.warn(
                f"Image: JPEG cannot store mode {pil.mode}; converted to RGB", stacklevel=4
            )
            pil = pil.convert("RGB")
        buffer = io.BytesIO()
        pil.save(buffer, format=FILE_TYPES[name])
        self._data = buffer.getvalue()
        self.format, self._ext = name, "." + name
        self.width, self.height = pil.size

    # ------------------------------------------------------------------------ binding
    def _store(self, target: Target, key: str) -> dict[str, Any]:
        stored = store_bytes(target, "images", key, self._data, self._ext)
        ref = stored.reference("image-file")
        ref.update(format=self.format, width=self.width, height=self.height)
        if self.caption is not None:
            ref["caption"] = self.caption
        if self.masks:
            ref["masks"] = {name: m.bind(target, key) for name, m in self.masks.items()}
        if self.boxes:
            ref["boxes"] = {name: b.bind(target, key) for name, b in self.boxes.items()}
        return ref

    @classmethod
    def group(cls, key: str, images: list[Image], target: Target) -> dict[str, Any]:
        """A list of images under one key: ``images/separated`` (at most :data:`MAX_ITEMS`)."""
        if len(images) > MAX_ITEMS:
            target.warn(
                f"Only {MAX_ITEMS} images will be uploaded for key {key!r}; "
                f"{len(images) - MAX_ITEMS} of the {len(images)} were dropped"
            )
            images = images[:MAX_ITEMS]
        refs = [image.bind(target, key) for image in images]
        first = images[0]
        if any((i.width, i.height) != (first.width, first.height) for i in images):
            target.warn(f"the images logged under key {key!r} have different sizes")
        out: dict[str, Any] = {
            "_type": "images/separated",
            "width": first.width,
            "height": first.height,
            "format": first.format,
            "count": len(images),
            "filenames": [ref["path"] for ref in refs],
        }
        if any(i.caption is not None for i in images):
            out["captions"] = [i.caption for i in images]
        if any(i.masks for i in images):
            out["all_masks"] = [ref.get("masks") for ref in refs]
        if any(i.boxes for i in images):
            out["all_boxes"] = [ref.get("boxes") for ref in refs]
        return out

    def __repr__(self) -> str:
        return f"<Image {self.width}x{self.height} {self.format}>"


# ------------------------------------------------------------------------ conversion
def _to_pil(data: Any, mode: str | None, normalize: bool) -> Any:
    from PIL import Image as PILImage

    if isinstance(data, PILImage.Image):
        return data.convert(mode) if mode is not None and mode != data.mode else data
    root = type(data).__module__.split(".", 1)[0]
    if root == "matplotlib" and hasattr(data, "savefig"):
        return _figure(data)
    return _array_image(_hwc_array(data), mode, normalize)


def _figure(figure: Any) -> Any:
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    buffer.seek(0)
    with PILImage.open(buffer) as pil:
        pil.load()
        return pil.copy()


def _hwc_array(data: Any) -> Any:
    """``data`` as a numpy array laid out HW or HWC; :class:`ValueError` for other shapes."""
    import numpy as np

    if hasattr(data, "detach") and hasattr(data, "permute"):  # a torch tensor: CHW
        tensor = data.detach().cpu()
        if tensor.ndim == 4 and tensor.shape[0] == 1:
            tensor = tensor[0]
        if tensor.ndim == 3:
            tensor = tensor.permute(1, 2, 0)
        if str(tensor.dtype) == "torch.bfloat16":
            tensor = tensor.float()
        array = tensor.numpy()
    else:
        try:
            array = np.asarray(data)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"Image: cannot read pixels from {type(data).__name__} ({exc})"
            ) from None
        if array.ndim > 2:
            array = _squeeze_extra(array)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"Image: pixel values must be numbers, got dtype {array.dtype}")
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim == 2 or (array.ndim == 3 and array.shape[-1] in _MODES):
        if 0 in array.shape:
            raise ValueError(f"Image: an image cannot be empty, got shape {list(array.shape)}")
        return array
    raise ValueError(
        f"Un-supported shape for image conversion {list(array.shape)}: expected HW or HWC with "
        "1, 3 or 4 channels (numpy arrays are HWC, torch tensors CHW)"
    )


def _squeeze_extra(array: Any) -> Any:
    """Drop singleton dimensions beyond the image's own, as wandb does for numpy input."""
    while array.ndim > 3 and array.shape[0] == 1:
        array = array[0]
    if array.ndim == 3 and array.shape[0] == 1:
        array = array[0]
    return array


def _array_image(array: Any, mode: str | None, normalize: bool) -> Any:
    from PIL import Image as PILImage

    pixels = to_uint8(array, normalize)
    channels = 1 if pixels.ndim == 2 else int(pixels.shape[-1])
    pil = PILImage.fromarray(pixels)
    assert pil.mode == _MODES[channels]
    if mode is not None and mode != pil.mode:
        pil = pil.convert(mode)
    return pil


def to_uint8(array: Any, normalize: bool = True) -> Any:
    """Pixel values as ``uint8`` by the 0.2x normalisation rule (see the module docstring)."""
    import numpy as np

    if array.dtype == np.uint8:
        return np.ascontiguousarray(array)
    if not normalize:
        return np.ascontiguousarray(array.astype(np.uint8))
    if array.dtype.kind == "b":
        return np.ascontiguousarray(array.astype(np.uint8) * 255)
    values = np.nan_to_num(array.astype(np.float64), nan=0.0)
    low, high = float(values.min()), float(values.max())
    if low >= 0 and high <= 1:
        values = values * 255
    elif low >= -1 and high <= 1:
        values = (values + 1) * 127.5
    elif low < 0 or high > 255:
        warnings.warn(
            f"Image: pixel values from {low:g} to {high:g} are outside [0, 255] and were clipped",
            stacklevel=5,
        )
    return np.ascontiguousarray(np.clip(values, 0, 255).astype(np.uint8))
