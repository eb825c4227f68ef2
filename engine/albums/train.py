"""Training the event transformer (torch; training only).

Three sources of supervision, combined by ``photoorg train-events``:

- synthetic albums assembled in concept space (synth.py) from the teacher's
  concept-to-event knowledge and real photos' concept vectors: the default;
- a real benchmark in the ML-CUFED / PEC layout when the user has one
  (cufed.py): album labels and per-photo importance scores;
- the user's own corrections of album events (decisions of kind "event"),
  mixed into the synthetic batches.

Loss: multi-label BCE on the album events (CLS head), BCE on each photo's own
events (the token head, where known) and on the photo's importance target.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, Optional, Sequence

import numpy as np

from .metrics import calibration, event_map, importance_table
from .synth import FEATURE_DIM, SyntheticAlbums, concept_features

log = logging.getLogger(__name__)


@dataclass
class TrainConfig:
    steps: int = 3000
    batch: int = 32
    lr: float = 5e-4
    weight_decay: float = 0.05
    warmup: int = 150
    tokens: int = 32            # S_A: the paper's sampled photos per album
    whole_album_share: float = 0.25  # batches of whole albums (masked), not sampled
    max_len: int = 48
    token_loss: float = 0.5
    importance_loss: float = 0.5
    concept_dropout: float = 0.1
    seed: int = 0
    model: dict = field(default_factory=dict)  # EventTransformer kwargs
    threads: int = 1  # more threads thrash when the cores are shared


@dataclass
class RealAlbum:
    """A labelled album of real photos (benchmark or user correction)."""

    concepts: np.ndarray               # (N, 1000)
    labels: np.ndarray                 # (C,)
    importance: Optional[np.ndarray] = None  # (N,) ground-truth scores when known
    name: str = ""


def _pad(albums: Sequence[tuple], num_events: int):
    t = max(len(a[0]) for a in albums)
    b = len(albums)
    feats = np.zeros((b, t, FEATURE_DIM), np.float32)
    mask = np.zeros((b, t), bool)
    pev = np.zeros((b, t, num_events), np.float32)
    pev_known = np.zeros((b, t), bool)
    imp = np.zeros((b, t), np.float32)
    imp_known = np.zeros((b, t), bool)
    labels = np.zeros((b, num_events), np.float32)
    for i, (c, l, pe, im) in enumerate(albums):
        k = len(c)
        feats[i, :k] = concept_features(c)
        mask[i, :k] = True
        labels[i] = l
        if pe is not None:
            pev[i, :k] = pe
            pev_known[i, :k] = True
        if im is not None:
            imp[i, :k] = im
            imp_known[i, :k] = True
    return feats, mask, labels, pev, pev_known, imp, imp_known


def sample_real(album: RealAlbum, rng: np.random.Generator, tokens: int) -> tuple:
    """The paper's sampling of a real album: S_A photos (duplicated when fewer)."""
    n = len(album.concepts)
    pick = np.sort(rng.choice(n, tokens, replace=n < tokens))
    imp = None
    if album.importance is not None:
        g = album.importance.astype(np.float32)
        span = float(g.max() - g.min())
        imp = ((g - g.min()) / span if span > 0 else np.full_like(g, 0.5))[pick]
    return album.concepts[pick], album.labels, None, imp


def batches(synth: Optional[SyntheticAlbums], real: Sequence[RealAlbum], cfg: TrainConfig,
            real_share: float) -> Iterator[tuple]:
    rng = np.random.default_rng(cfg.seed + 1)
    num_events = synth.num_events if synth is not None else len(real[0].labels)
    while True:
        whole = synth is not None and rng.random() < cfg.whole_album_share
        items = []
        for _ in range(cfg.batch):
            if real and (synth is None or rng.random() < real_share):
                items.append(sample_real(real[rng.integers(len(real))], rng, cfg.tokens))
            else:
                c, l, pe, im, _n = synth.album(None if whole else cfg.tokens)
                if whole:
                    c, pe, im = c[:cfg.max_len], pe[:cfg.max_len], im[:cfg.max_len]
                items.append((c, l, pe, im))
        batch = _pad(items, num_events)
        if cfg.concept_dropout:  # a photo's concepts are seen partly: no single one decides
            batch[0][rng.random(batch[0].shape) < cfg.concept_dropout] = 0.0
        yield batch


def train(cfg: TrainConfig, synth: Optional[SyntheticAlbums] = None, real: Sequence[RealAlbum] = (),
          real_share: float = 0.0, init_state: Optional[dict] = None,
          progress: Optional[Callable[[int, int, float], None]] = None, cancel=None):
    """Train a new EventTransformer (or fine-tune from ``init_state``)."""
    import torch
    from torch.nn import functional as F

    from ..models.event_transformer import EventTransformer

    torch.manual_seed(cfg.seed)
    torch.set_num_threads(cfg.threads)
    model = EventTransformer(**cfg.model)
    if init_state is not None:
        model.load_state_dict({k: v.float() for k, v in init_state.items()})
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)

    def lr_at(step: int) -> float:
        if step < cfg.warmup:
            return cfg.lr * (step + 1) / cfg.warmup
        frac = (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup)
        return cfg.lr * 0.5 * (1 + math.cos(math.pi * min(1.0, frac)))

    model.train()
    started = time.monotonic()
    running = None
    it = batches(synth, real, cfg, real_share)
    for step in range(cfg.steps):
        if cancel is not None:
            cancel.raise_if_cancelled()
        feats, mask, labels, pev, pev_known, imp, imp_known = (torch.from_numpy(a) for a in next(it))
        for group in opt.param_groups:
            group["lr"] = lr_at(step)
        event_logits, token_logits, importance, _attn = model(feats, mask)
        loss = F.binary_cross_entropy_with_logits(event_logits, labels)
        tok = (mask & pev_known).float()
        if tok.sum() > 0:
            per = F.binary_cross_entropy_with_logits(token_logits, pev, reduction="none").mean(-1)
            loss = loss + cfg.token_loss * (per * tok).sum() / tok.sum()
        known = (mask & imp_known).float()
        if known.sum() > 0:
            per = F.binary_cross_entropy(importance.clamp(1e-6, 1 - 1e-6), imp, reduction="none")
            loss = loss + cfg.importance_loss * (per * known).sum() / known.sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        value = loss.item()
        running = value if running is None else 0.98 * running + 0.02 * value
        if progress is not None and (step % 50 == 0 or step == cfg.steps - 1):
            progress(step + 1, cfg.steps, running)
    log.info("trained %d steps in %.0f s, loss %.4f", cfg.steps, time.monotonic() - started, running or 0)
    return model.eval()


def evaluate(predict: Callable[[list[np.ndarray]], list], albums: Sequence[RealAlbum]) -> dict:
    """Event mAP / top-1 and, where ground-truth importance exists, MAP@t% and P@t%."""
    if not albums:
        return {}
    preds = predict([a.concepts for a in albums])
    probs = np.stack([p.event_probs for p in preds])
    labels = np.stack([a.labels for a in albums])
    out = event_map(probs, labels)
    out.pop("per_class_ap", None)
    out["calibration"] = calibration(probs, labels)
    pairs = [(p.importance_head * 0.5 + 0.5 * p.attention / max(p.attention.max(), 1e-12), a.importance)
             for p, a in zip(preds, albums) if a.importance is not None]
    if pairs:
        out["importance"] = importance_table(pairs)
    return out


def synthetic_eval_set(synth: SyntheticAlbums, count: int) -> list[RealAlbum]:
    """Held-out synthetic albums (whole albums, with their importance targets;
    a negative album has no importance truth: nothing in it shows an event)."""
    out = []
    for i in range(count):
        c, l, _pe, im, _n = synth.album(None)
        truth = im + 1e-3 * synth.rng.random(len(im)) if im.any() else None
        out.append(RealAlbum(c, (l >= 0.5).astype(np.float32), truth, name=f"synthetic-{i}"))
    return out
