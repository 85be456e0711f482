"""Run ids (8 random characters from ``[a-z0-9]``) and readable run names (``adjective-noun-N``)."""

from __future__ import annotations

import secrets
import string
from pathlib import Path

from trackboard.errors import InvalidInputError

ID_ALPHABET = string.ascii_lowercase + string.digits
ID_LENGTH = 8
FORBIDDEN_ID_CHARACTERS = "/\\#?%:"

ADJECTIVES = (
    "amber",
    "autumn",
    "bold",
    "brave",
    "breezy",
    "bright",
    "calm",
    "celestial",
    "cerulean",
    "clever",
    "cosmic",
    "crimson",
    "curious",
    "dainty",
    "dashing",
    "dazzling",
    "deep",
    "distinct",
    "divine",
    "dry",
    "dulcet",
    "eager",
    "earnest",
    "easy",
    "elated",
    "electric",
    "elegant",
    "ethereal",
    "fancy",
    "fearless",
    "fiery",
    "floral",
    "fluent",
    "fragrant",
    "fresh",
    "gallant",
    "gentle",
    "giddy",
    "glad",
    "glorious",
    "golden",
    "graceful",
    "grateful",
    "hardy",
    "hearty",
    "helpful",
    "hidden",
    "honest",
    "hopeful",
    "icy",
    "jolly",
    "jumping",
    "kind",
    "laced",
    "lively",
    "lucky",
    "lunar",
    "lush",
    "magic",
    "major",
    "misty",
    "morning",
    "noble",
    "northern",
    "olive",
    "pious",
    "playful",
    "polar",
    "proud",
    "quiet",
    "radiant",
    "rare",
    "resilient",
    "robust",
    "rosy",
    "royal",
    "rural",
    "scarlet",
    "serene",
    "sharp",
    "shining",
    "silent",
    "silver",
    "smart",
    "snowy",
    "solar",
    "solemn",
    "spring",
    "stellar",
    "still",
    "stoic",
    "sunny",
    "super",
    "sweet",
    "swift",
    "twilight",
    "upbeat",
    "vague",
    "valiant",
    "vibrant",
    "vital",
    "volcanic",
    "warm",
    "wandering",
    "whole",
    "wild",
    "winter",
    "wise",
    "wobbly",
    "woven",
    "young",
    "zany",
    "zesty",
)

NOUNS = (
    "bird",
    "blaze",
    "bloom",
    "breeze",
    "brook",
    "bush",
    "butterfly",
    "cherry",
    "cloud",
    "comet",
    "dawn",
    "darkness",
    "dew",
    "dream",
    "dust",
    "elevator",
    "energy",
    "feather",
    "field",
    "fire",
    "firefly",
    "flower",
    "fog",
    "forest",
    "frog",
    "frost",
    "galaxy",
    "glade",
    "glitter",
    "grass",
    "hill",
    "haze",
    "lake",
    "leaf",
    "meadow",
    "moon",
    "morning",
    "mountain",
    "music",
    "night",
    "ocean",
    "paper",
    "paradise",
    "pine",
    "planet",
    "plasma",
    "pond",
    "puddle",
    "rain",
    "resonance",
    "river",
    "salad",
    "sea",
    "shadow",
    "shape",
    "sky",
    "smoke",
    "snow",
    "snowflake",
    "sound",
    "spaceship",
    "spark",
    "star",
    "sun",
    "sunset",
    "surf",
    "terrain",
    "thunder",
    "tree",
    "universe",
    "valley",
    "violet",
    "voice",
    "water",
    "waterfall",
    "wave",
    "wildflower",
    "wind",
    "wood",
    "yogurt",
)


def new_run_id() -> str:
    """A fresh run id: 8 characters from ``[a-z0-9]``, cryptographically random."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


def check_run_id(run_id: str) -> str:
    """``run_id`` if it can name a run folder; else :class:`InvalidInputError` saying why."""
    return check_folder_name("run id", run_id)


def check_folder_name(what: str, value: str) -> str:
    """``value`` (a run id, project or entity) if it can name a folder; else InvalidInputError."""
    if not isinstance(value, str) or not value:
        raise InvalidInputError(f"{what} must be a non-empty string, got {value!r}")
    bad = sorted({c for c in value if c in FORBIDDEN_ID_CHARACTERS})
    if bad:
        raise InvalidInputError(
            f"{what} {value!r} contains {' '.join(bad)}; a {what} must not contain any of "
            f"{' '.join(FORBIDDEN_ID_CHARACTERS)}"
        )
    if value in (".", "..") or value.strip() != value or len(value) > 128 or "\0" in value:
        raise InvalidInputError(
            f"{what} {value!r} cannot name a folder (no surrounding spaces, not . or .., at "
            "most 128 characters)"
        )
    return value


def count_runs(project_dir: Path) -> int:
    """How many run folders a project folder holds (0 when it does not exist)."""
    try:
        return sum(1 for entry in project_dir.iterdir() if entry.is_dir())
    except OSError:
        return 0


def new_run_name(project_dir: Path) -> str:
    """``adjective-noun-N`` with N = the number of runs already in the project + 1."""
    adjective = secrets.choice(ADJECTIVES)
    noun = secrets.choice(NOUNS)
    return f"{adjective}-{noun}-{count_runs(project_dir) + 1}"
