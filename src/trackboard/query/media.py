"""Media references of a history key, as the dashboard's media panels page through them.

A media key holds, per step, a JSON reference written by ``trackboard.media`` (``_type``
``image-file``, ``images/separated``, ``audio-file``, ``audio``, ``video-file``, ``videos``,
``html-file``, ``table-file``; ``histogram`` values are inline and read by
:mod:`trackboard.query.histograms`). :func:`media_type` names the kind of a value;
:func:`media_at_step` answers "what did each run log under this key at (or just before) step
N, and which steps hold a value at all", so a step slider can page through hundreds of steps
while loading one step's references at a time. :func:`media_items` flattens any reference into
a list of plain items ``{"kind", "path", "caption"?, "width"?, "height"?, "format"?}`` so the
dashboard needs no knowledge of the reference shapes; an image item also carries its overlays,
``"masks": [{"group", "path", "class_labels"}]`` and ``"boxes": [{"group", "path"}]``, when it
has any (see :func:`overlay_fields`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from trackboard.errors import InvalidInputError
from trackboard.store.base import KeyInfo, RunRow, Store

SINGLE_KINDS = {
    "image-file": "image",
    "audio-file": "audio",
    "video-file": "video",
    "html-file": "html",
    "table-file": "table",
}
"""References to one file, by ``_type``, and the item kind they become."""

LIST_KINDS = {
    "audio": ("audio", "audio"),
    "videos": ("videos", "video"),
}
"""References to a list of files: ``_type`` to (the list's field, the item kind)."""

ITEM_FIELDS = ("width", "height", "format", "ncols", "nrows", "sha256", "size")


def media_type(value: Any) -> str | None:
    """The ``_type`` of a logged reference (``"image-file"``, ``"histogram"``...); None for
    plain values."""
    if isinstance(value, Mapping):
        kind = value.get("_type")
        if isinstance(kind, str):
            return kind
    return None


def key_media_type(
    store: Store, run: RunRow, info: KeyInfo, read_stored: bool = True
) -> str | None:
    """The ``_type`` of what ``run`` logged under a key: its summary value (the last logged
    reference) when that is one, else (with ``read_stored``) the key's last stored value."""
    kind = media_type(_summary_value(run.summary, info.name))
    if kind is not None or info.kind == "scalar" or not read_stored:
        return kind
    values = store.history_values(run.pk, [info.name], info.last_step, info.last_step)
    return media_type(values[-1][2]) if values else None


def _summary_value(summary: Mapping[str, Any], key: str) -> Any:
    """The summary's value for a history key: the key itself, else its dotted path (nested
    dicts are dotted in history and nested in the summary)."""
    if key in summary:
        return summary[key]
    node: Any = summary
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def media_items(value: Any) -> list[dict[str, Any]]:
    """The files one reference points at, each ``{"kind", "path", "caption"?, ...}``.

    Unknown or malformed references give an empty list (nothing to show), never an error."""
    kind = media_type(value)
    if kind is None:
        return []
    assert isinstance(value, Mapping)
    if kind in SINGLE_KINDS:
        if not isinstance(value.get("path"), str):
            return []
        single = _item(SINGLE_KINDS[kind], value)
        if kind == "image-file":
            single.update(overlay_fields(value.get("masks"), value.get("boxes")))
        return [single]
    if kind == "images/separated":
        names = value.get("filenames")
        captions = value.get("captions")
        all_masks, all_boxes = value.get("all_masks"), value.get("all_boxes")
        if not isinstance(names, list):
            return []
        out = []
        for i, name in enumerate(names):
            if not isinstance(name, str):
                continue
            item: dict[str, Any] = {"kind": "image", "path": name}
            for f in ("width", "height", "format"):
                if f in value:
                    item[f] = value[f]
            if isinstance(captions, list) and i < len(captions) and captions[i] is not None:
                item["caption"] = str(captions[i])
            item.update(overlay_fields(_nth(all_masks, i), _nth(all_boxes, i)))
            out.append(item)
        return out
    if kind in LIST_KINDS:
        list_field, item_kind = LIST_KINDS[kind]
        refs = value.get(list_field)
        captions = value.get("captions")
        if not isinstance(refs, list):
            return []
        out = []
        for i, ref in enumerate(refs):
            if not isinstance(ref, Mapping) or not isinstance(ref.get("path"), str):
                continue
            item = _item(item_kind, ref)
            caption = captions[i] if isinstance(captions, list) and i < len(captions) else None
            if "caption" not in item and caption is not None:
                item["caption"] = str(caption)
            out.append(item)
        return out
    return []


def _nth(values: Any, i: int) -> Any:
    """``values[i]`` when ``values`` is a list long enough, else None."""
    return values[i] if isinstance(values, list) and i < len(values) else None


def overlay_fields(masks: Any, boxes: Any) -> dict[str, Any]:
    """An image's overlays as item fields: ``{"masks": [{"group", "path", "class_labels"}],
    "boxes": [{"group", "path"}]}``, each list in the reference's group order and present only
    when it has a group.

    ``masks`` and ``boxes`` are the reference's ``{group: {"_type": "mask" | "boxes2D",
    "path", ...}}`` dicts; a group that is not such a reference is skipped. ``class_labels``
    maps class ids (as strings) to names, ``{}`` when the mask has none; box labels live in
    the boxes JSON file itself."""
    out: dict[str, Any] = {}
    mask_list = [
        {"group": group, "path": ref["path"], "class_labels": _labels(ref.get("class_labels"))}
        for group, ref in _overlay_refs(masks, "mask")
    ]
    box_list = [
        {"group": group, "path": ref["path"]} for group, ref in _overlay_refs(boxes, "boxes2D")
    ]
    if mask_list:
        out["masks"] = mask_list
    if box_list:
        out["boxes"] = box_list
    return out


def _overlay_refs(groups: Any, kind: str) -> list[tuple[str, Mapping[str, Any]]]:
    """The ``(group, reference)`` pairs of an overlay dict whose references are of ``kind``."""
    if not isinstance(groups, Mapping):
        return []
    return [
        (str(group), ref)
        for group, ref in groups.items()
        if media_type(ref) == kind and isinstance(ref.get("path"), str)
    ]


def _labels(labels: Any) -> dict[str, str]:
    """Class labels as ``{str(id): name}``; ``{}`` when the reference holds no dict of them."""
    if not isinstance(labels, Mapping):
        return {}
    return {str(k): str(v) for k, v in labels.items()}


def _item(kind: str, ref: Mapping[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"kind": kind, "path": ref["path"]}
    for f in ITEM_FIELDS:
        if f in ref:
            item[f] = ref[f]
    caption = ref.get("caption")
    if caption is not None:
        item["caption"] = str(caption)
    return item


@dataclass(slots=True)
class RunMedia:
    """One run's answer: the steps holding a value, and the one shown."""

    id: str
    steps: list[int]
    step: int | None = None
    type: str | None = None
    items: list[dict[str, Any]] = field(default_factory=list)


def media_at_step(
    store: Store, runs: Sequence[RunRow], key: str, step: int | None = None
) -> dict[str, Any]:
    """Per run, the reference logged under ``key`` at ``step`` or the nearest step before it
    (the last one when ``step`` is None), flattened into items, with every step holding a
    value; ``steps`` is the union of those steps over the runs, ascending.

    A run with no value at or before ``step`` has ``step`` None and no items."""
    if step is not None and step < 0:
        raise InvalidInputError(f"step must be >= 0, got {step}")
    answers: list[RunMedia] = []
    for run in runs:
        values = [(s, v) for s, _, v in store.history_values(run.pk, [key]) if media_type(v)]
        entry = RunMedia(id=run.run_id, steps=[s for s, _ in values])
        chosen = None
        for s, v in values:
            if step is not None and s > step:
                break
            chosen = (s, v)
        if chosen is not None:
            entry.step = chosen[0]
            entry.type = media_type(chosen[1])
            entry.items = media_items(chosen[1])
        answers.append(entry)
    union = sorted({s for a in answers for s in a.steps})
    return {
        "key": key,
        "step": step,
        "steps": union,
        "runs": [
            {"id": a.id, "steps": a.steps, "step": a.step, "type": a.type, "items": a.items}
            for a in answers
        ],
    }
