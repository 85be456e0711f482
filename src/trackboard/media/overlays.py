"""Segmentation masks and bounding boxes drawn over an :class:`~trackboard.media.image.Image`.

``masks={"group": {"mask_data": <2-D int array>, "class_labels": {int: str}}}`` (or
``{"path": <png file>}``) is stored as ``media/images/mask/<key>_<step>_<hash>.mask.png`` and
referenced as ``{"_type": "mask", "path", "sha256", "size", "class_labels"?}``.

``boxes={"group": {"box_data": [box, ...], "class_labels": {int: str}}}`` is stored as
``media/metadata/boxes2D/<key>_<step>_<hash>.boxes2D.json`` and referenced as
``{"_type": "boxes2D", "path", "sha256", "size"}``. A box has ``position`` =
``{minX, maxX, minY, maxY}`` or ``{middle: [x, y], width, height}``, and optionally
``domain: "pixel"`` (else coordinates are relative, 0-1), ``class_id`` (int), ``box_caption``
(str) and ``scores`` ({str: number}). A malformed mask or box raises :class:`TypeError` or
:class:`ValueError` naming the problem when the image is made.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any

from trackboard.media.base import Media, Target, read_path, store_bytes

_CORNERS = ("minX", "maxX", "minY", "maxY")


def _class_labels(labels: Any, where: str) -> dict[str, str] | None:
    if labels is None:
        return None
    if not isinstance(labels, Mapping):
        raise TypeError(f"{where}: class_labels must be a dict of int to str")
    out: dict[str, str] = {}
    for k, v in labels.items():
        if isinstance(k, bool) or not isinstance(k, Integral) or not isinstance(v, str):
            raise TypeError(f"{where}: class_labels must map int to str, got {k!r}: {v!r}")
        out[str(int(k))] = v
    return out


class Mask(Media):
    """One group of a segmentation mask, as a PNG of class ids."""

    _log_type = "mask"

    def __init__(self, name: str, spec: Any, width: int, height: int) -> None:
        where = f"Image masks[{name!r}]"
        if not isinstance(spec, Mapping):
            raise TypeError(f"{where} must be a dict with 'mask_data' or 'path'")
        self.class_labels = _class_labels(spec.get("class_labels"), where)
        if "mask_data" in spec:
            self._png = _mask_png(spec["mask_data"], where, width, height)
        elif "path" in spec:
            self._png = read_path(spec["path"], where)
        else:
            raise TypeError(f"{where} needs 'mask_data' (a 2-D array of class ids) or 'path'")

    def _store(self, target: Target, key: str) -> dict[str, Any]:
        ref = store_bytes(target, "images/mask", key, self._png, ".mask.png").reference("mask")
        if self.class_labels is not None:
            ref["class_labels"] = self.class_labels
        return ref


def _mask_png(data: Any, where: str, width: int, height: int) -> bytes:
    import numpy as np
    from PIL import Image as PILImage

    array = np.asarray(data)
    if array.ndim != 2:
        raise ValueError(f"{where}: mask_data must be 2-D, got shape {list(array.shape)}")
    if array.dtype.kind not in "biu":
        raise TypeError(f"{where}: mask_data must hold integer class ids, got {array.dtype}")
    if array.size and (array.min() < 0 or array.max() > 255):
        raise ValueError(f"{where}: mask class ids must be in 0..255")
    if array.shape != (height, width):
        raise ValueError(
            f"{where}: mask_data has shape {list(array.shape)} but the image is "
            f"{height}x{width} (height x width)"
        )
    buffer = io.BytesIO()
    PILImage.fromarray(np.ascontiguousarray(array.astype(np.uint8))).save(buffer, format="png")
    return buffer.getvalue()


class Boxes(Media):
    """One group of bounding boxes, stored as JSON."""

    _log_type = "boxes2D"

    def __init__(self, name: str, spec: Any) -> None:
        where = f"Image boxes[{name!r}]"
        if not isinstance(spec, Mapping) or "box_data" not in spec:
            raise TypeError(f"{where} must be a dict with 'box_data' (a list of boxes)")
        boxes = spec["box_data"]
        if not isinstance(boxes, list | tuple):
            raise TypeError(f"{where}: box_data must be a list of boxes")
        self.box_data = [_box(box, f"{where} box {i}") for i, box in enumerate(boxes)]
        self.class_labels = _class_labels(spec.get("class_labels"), where)

    def _store(self, target: Target, key: str) -> dict[str, Any]:
        body = {"box_data": self.box_data, "class_labels": self.class_labels or {}}
        data = json.dumps(body, separators=(",", ":")).encode()
        return store_bytes(target, "metadata/boxes2D", key, data, ".boxes2D.json").reference(
            "boxes2D"
        )


def _number(value: Any, where: str) -> float | int:
    """A coordinate or score as a plain int or float; :class:`TypeError` if not a number."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{where} must be a number, got {value!r}")
    number: Any = value
    return number.item() if hasattr(number, "item") else number  # type: ignore[no-any-return]


def _box(box: Any, where: str) -> dict[str, Any]:
    if not isinstance(box, Mapping) or not isinstance(box.get("position"), Mapping):
        raise TypeError(f"{where} must be a dict with a 'position' dict")
    position = box["position"]
    if all(k in position for k in _CORNERS):
        pos: dict[str, Any] = {k: _number(position[k], f"{where} position.{k}") for k in _CORNERS}
    elif "middle" in position and "width" in position and "height" in position:
        middle = position["middle"]
        if not isinstance(middle, list | tuple) or len(middle) != 2:
            raise TypeError(f"{where} position.middle must be [x, y]")
        pos = {
            "middle": [_number(v, f"{where} position.middle") for v in middle],
            "width": _number(position["width"], f"{where} position.width"),
            "height": _number(position["height"], f"{where} position.height"),
        }
    else:
        raise TypeError(f"{where}: position needs minX, maxX, minY, maxY or middle, width, height")
    out: dict[str, Any] = {"position": pos}
    if "domain" in box and box["domain"] is not None:
        if box["domain"] != "pixel":
            raise TypeError(f"{where}: domain must be 'pixel' or left out, got {box['domain']!r}")
        out["domain"] = "pixel"
    if "class_id" in box:
        if isinstance(box["class_id"], bool) or not isinstance(box["class_id"], Integral):
            raise TypeError(f"{where}: class_id must be an int, got {box['class_id']!r}")
        out["class_id"] = int(box["class_id"])
    if "box_caption" in box:
        if not isinstance(box["box_caption"], str):
            raise TypeError(f"{where}: box_caption must be a str")
        out["box_caption"] = box["box_caption"]
    if "scores" in box:
        scores = box["scores"]
        if not isinstance(scores, Mapping) or not all(isinstance(k, str) for k in scores):
            raise TypeError(f"{where}: scores must be a dict of str to number")
        out["scores"] = {k: _number(v, f"{where} scores[{k!r}]") for k, v in scores.items()}
    return out


def parse_masks(masks: Any, width: int, height: int) -> dict[str, Mask]:
    """``Image(masks=...)`` validated; :class:`TypeError` when it is not a dict of groups."""
    if masks is None:
        return {}
    if not isinstance(masks, Mapping):
        raise TypeError("Image masks must be a dict of group name to mask")
    return {str(name): Mask(str(name), spec, width, height) for name, spec in masks.items()}


def parse_boxes(boxes: Any) -> dict[str, Boxes]:
    """``Image(boxes=...)`` validated; :class:`TypeError` when it is not a dict of groups."""
    if boxes is None:
        return {}
    if not isinstance(boxes, Mapping):
        raise TypeError("Image boxes must be a dict of group name to boxes")
    return {str(name): Boxes(str(name), spec) for name, spec in boxes.items()}


__all__ = ["Boxes", "Mask", "parse_boxes", "parse_masks"]
