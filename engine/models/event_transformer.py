"""Album event recognition and photo importance: the multitask transformer of
Vo & Le (event-recognition-importance-transformer.txt).

An album is a sequence of per-photo vectors from a frozen backbone, in capture
order. They are projected to ``dim``, pass the ParNet-style attention module,
get a learnable positional encoding, a learnable CLS token is prepended, and
``depth`` pre-norm encoder layers (paper: 6 layers x 8 heads) mix them. Outputs:

- ``event_logits`` (B, C): multi-label event logits from the CLS token;
- ``token_event_logits`` (B, T, C): the same head on each photo token, the
  per-photo event confidence the importance recalibration uses;
- ``importance`` (B, T): the paper's importance MLP (two hidden FC layers and a
  dropout), a score in [0, 1];
- ``cls_attention`` (B, T): the last layer's CLS-to-photo attention, averaged
  over heads and renormalised over the valid photos (sums to one per album).

``mask`` (B, T, True = a real photo) lets one batch hold albums of any length;
positions are the photo's relative place in its album mapped onto the
``num_positions`` learnable slots, so a sampled album of S_A photos and a whole
album of 500 use the same table.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from .registry import register_model

NUM_EVENTS = 23  # the ML-CUFED classes, resources/events/labels.txt
# A photo token: the backbone's 1000 concept scores through the teacher's
# concept-to-event affinity (23) plus its top-1 probability and entropy
# (albums/synth.py, concept_features).
TOKEN_DIM = NUM_EVENTS + 2


class ParNetTokenAttention(nn.Module):
    """ParNet block (Goyal et al.) over the album's token sequence: a 1x1
    branch (per photo), a width-3 branch (a photo and its capture-order
    neighbours; the paper's 3x3 conv) and a skip-squeeze-excitation branch
    (global context over the album's valid photos), summed and passed through
    SiLU. LayerNorm replaces BatchNorm so that padded photos and batches of one
    album behave the same in training and inference."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.norm_point = nn.LayerNorm(dim)
        self.norm_local = nn.LayerNorm(dim)
        self.norm_skip = nn.LayerNorm(dim)
        self.point = nn.Linear(dim, dim)
        self.local = nn.Conv1d(dim, dim, kernel_size=3, padding=1)
        self.excite = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor, maskf: torch.Tensor) -> torch.Tensor:
        x = x * maskf  # padded photos contribute nothing to neighbours or the squeeze
        a = self.norm_point(self.point(x))
        b = self.norm_local(self.local(x.transpose(1, 2)).transpose(1, 2))
        s = self.norm_skip(x)
        squeezed = (s * maskf).sum(1) / maskf.sum(1).clamp(min=1.0)
        c = s * torch.sigmoid(self.excite(squeezed)).unsqueeze(1)
        return F.silu(a + b + c) * maskf


class SelfAttention(nn.Module):
    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        if dim % heads:
            raise ValueError(f"dim {dim} is not divisible by heads {heads}")
        self.heads = heads
        self.scale = 1.0 / math.sqrt(dim // heads)
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor, key_bias: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        b, t, d = x.shape
        qkv = self.qkv(x).reshape(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]  # (B, H, T, Dh)
        scores = torch.matmul(q, k.transpose(-2, -1)) * self.scale + key_bias[:, None, None, :]
        attn = torch.softmax(scores, dim=-1)
        out = torch.matmul(attn, v).transpose(1, 2).reshape(b, t, d)
        return self.proj(out), attn


class EncoderLayer(nn.Module):
    """Pre-norm transformer encoder layer: x + MSA(LN(x)), then x + MLP(LN(x))."""

    def __init__(self, dim: int, heads: int, mlp_ratio: float, dropout: float) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn = SelfAttention(dim, heads)
        self.norm2 = nn.LayerNorm(dim)
        hidden = int(dim * mlp_ratio)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Dropout(dropout),
                                 nn.Linear(hidden, dim), nn.Dropout(dropout))
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, key_bias: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h, attn = self.attn(self.norm1(x), key_bias)
        x = x + self.drop(h)
        x = x + self.mlp(self.norm2(x))
        return x, attn


class EventTransformer(nn.Module):
    def __init__(self, in_dim: int = TOKEN_DIM, num_events: int = NUM_EVENTS, dim: int = 64,
                 depth: int = 6, heads: int = 8, mlp_ratio: float = 4.0, num_positions: int = 32,
                 dropout: float = 0.1, importance_hidden: tuple[int, int] = (64, 32)) -> None:
        super().__init__()
        self.in_dim = in_dim
        self.num_events = num_events
        self.dim = dim
        self.num_positions = num_positions
        self.config = dict(in_dim=in_dim, num_events=num_events, dim=dim, depth=depth, heads=heads,
                           mlp_ratio=mlp_ratio, num_positions=num_positions, dropout=dropout,
                           importance_hidden=tuple(importance_hidden))
        # Zero-initialised: a concept never seen in training keeps a zero
        # weight and adds nothing, instead of a random direction that could
        # read as any event.
        self.embed = nn.Linear(in_dim, dim)
        nn.init.zeros_(self.embed.weight)
        self.attention = ParNetTokenAttention(dim)
        self.pos = nn.Parameter(torch.zeros(num_positions, dim))
        self.cls = nn.Parameter(torch.zeros(1, 1, dim))
        self.blocks = nn.ModuleList(EncoderLayer(dim, heads, mlp_ratio, dropout) for _ in range(depth))
        self.norm = nn.LayerNorm(dim)
        self.event_head = nn.Linear(dim, num_events)
        h1, h2 = importance_hidden
        self.importance_head = nn.Sequential(nn.Linear(dim, h1), nn.GELU(), nn.Dropout(dropout),
                                             nn.Linear(h1, h2), nn.GELU(), nn.Linear(h2, 1))
        nn.init.trunc_normal_(self.pos, std=0.02)
        nn.init.trunc_normal_(self.cls, std=0.02)

    # -- timm-style split ------------------------------------------------------
    def forward_features(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(CLS vector (B, D), photo tokens (B, T, D), last-layer attention
        (B, H, T+1, T+1))."""
        maskf = mask.to(x.dtype).unsqueeze(-1)  # (B, T, 1)
        h = self.attention(self.embed(x), maskf)
        # Relative place in the album -> one of num_positions learnable slots.
        count = maskf.sum(1).clamp(min=1.0)  # (B, 1)
        rank = torch.cumsum(maskf.squeeze(-1), dim=1) - 1.0
        slot = torch.floor(rank * self.num_positions / count).clamp(0, self.num_positions - 1).long()
        h = h + self.pos[slot]
        cls = self.cls.expand(x.shape[0], -1, -1)
        z = torch.cat([cls, h], dim=1)
        valid = torch.cat([torch.ones_like(mask[:, :1], dtype=torch.bool), mask.bool()], dim=1)
        key_bias = (~valid).to(x.dtype) * -1e4
        attn = None
        for block in self.blocks:
            z, attn = block(z, key_bias)
        z = self.norm(z)
        return z[:, 0], z[:, 1:], attn

    def forward_head(self, cls: torch.Tensor, tokens: torch.Tensor, attn: torch.Tensor,
                     mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        maskf = mask.to(tokens.dtype)
        event_logits = self.event_head(cls)
        token_event_logits = self.event_head(tokens)
        importance = torch.sigmoid(self.importance_head(tokens).squeeze(-1)) * maskf
        cls_to_photos = attn.mean(dim=1)[:, 0, 1:] * maskf  # drop CLS->CLS, padded photos
        cls_attention = cls_to_photos / cls_to_photos.sum(-1, keepdim=True).clamp(min=1e-12)
        return event_logits, token_event_logits, importance, cls_attention

    def forward(self, x: torch.Tensor, mask: torch.Tensor):
        cls, tokens, attn = self.forward_features(x, mask)
        return self.forward_head(cls, tokens, attn, mask)

    def example_inputs(self) -> tuple[torch.Tensor, torch.Tensor]:
        g = torch.Generator().manual_seed(0)
        x = torch.rand(2, self.num_positions, self.in_dim, generator=g)
        mask = torch.ones(2, self.num_positions, dtype=torch.bool)
        mask[1, self.num_positions // 2:] = False
        return x, mask


OUTPUT_NAMES = ("event_logits", "token_event_logits", "importance", "cls_attention")


def export_onnx(model: EventTransformer, path, opset: int = 17) -> None:
    """Write ``model`` as ONNX with dynamic batch and album length."""
    import warnings

    model = model.eval()
    x, mask = model.example_inputs()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the TorchScript exporter is the tested path
        torch.onnx.export(
            model, (x, mask), str(path), input_names=["features", "mask"], output_names=list(OUTPUT_NAMES),
            dynamic_axes={"features": {0: "batch", 1: "photos"}, "mask": {0: "batch", 1: "photos"},
                          **{n: {0: "batch", 1: "photos"} for n in OUTPUT_NAMES[1:]},
                          "event_logits": {0: "batch"}},
            opset_version=opset, dynamo=False,
        )


@register_model("event_transformer")
def event_transformer(**kwargs) -> EventTransformer:
    """The paper's configuration (6 layers, 8 heads, S_A = 32) over each
    photo's concept scores and teacher evidence; ``in_dim`` may name another
    per-photo feature (the 1280-d embedding for a benchmark run)."""
    return EventTransformer(**kwargs)


@register_model("event_transformer_tiny")
def event_transformer_tiny(**kwargs) -> EventTransformer:
    """A 2-layer variant for quick tests and ablations."""
    kwargs.setdefault("depth", 2)
    kwargs.setdefault("dim", 64)
    return EventTransformer(**kwargs)
