"""Attentive multi-task transfer-learning model of visual interest (Ghosal &
Kolekar), on features of 4x4 sub-images from several frozen ImageNet backbones.

Input ``feats``: (B, M, N, D) = photos x backbones x 16 sub-images x feature
dim, and ``backbone_mask`` (B, M): 1 where that backbone's features exist.
The shipped configuration: M = 2 (EfficientNet-Lite0, MobileNetV2), N = 16
sub-images of 160 px, D = 1280 (each backbone's pooled feature); the model
itself takes any D.

- Primary attention (Sec. 3.2), shared by every dimension and every backbone:
  u_ij = tanh(W_p f_ij + b_p), alpha_ij = softmax_j(u_ij . v_p),
  f_i = sum_j alpha_ij f_ij.
- Secondary attention (Sec. 3.3), one per dimension k, over the backbones:
  u_i = tanh(W_k f_i + b_k), beta_ki = softmax_i(u_i . v_k), g_k = sum_i beta_ki f_i.
- One head per dimension (Sec. 3.4): D -> 256 -> 1 with dropout 0.5. The head
  returns the raw value; ``dimension_scores`` maps it the paper's way
  (0.5 * tanh, labels scaled to [-0.5, 0.5]). Dimensions in ``linear_heads``
  (by default "user") get a linear head instead: learned from one owner's
  few, noisy decisions, the 256-unit head overfitted in the simulation of
  tests/bench/bench_interest.py ("people" preference, 200 decisions:
  held-out AUC 0.88, and lower than after 50 decisions; the linear head,
  with the backbone attention learning only its context vector, 0.96).

Which dimensions exist is a constructor argument: the shipped model has
"quality" (trained here on real photos and degraded copies) and "user" (the
owner's own taste, learned from their decisions); a user who has the Visual
Interest data can train the paper's 12 affective dimensions.

Features are standardised per backbone with fixed statistics (buffers set at
training time), since raw pooled activations of the two backbones differ in
scale; the paper does not say how it scaled its inputs.
"""

from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from .registry import register_model

VISUAL_INTEREST_DIMENSIONS = (
    "complexity", "quality", "appeal", "naturalness", "pleasantness", "arousal", "familiarity",
    "coping_potential", "comprehensibility", "coherence", "excitingness", "general_interest",
)


class AdditiveAttention(nn.Module):
    """softmax over axis ``dim`` of tanh(W x + b) . v (Yang et al.'s attention)."""

    def __init__(self, in_dim: int, attn_dim: int) -> None:
        super().__init__()
        self.proj = nn.Linear(in_dim, attn_dim)
        self.context = nn.Parameter(torch.randn(attn_dim) * 0.05)

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Attends over the L axis of x (..., L, D); mask (..., L) is 1 where
        an item exists. Returns (attended (..., D), weights (..., L))."""
        scores = torch.tanh(self.proj(x)) @ self.context  # (..., L)
        if mask is not None:
            scores = scores.masked_fill(mask <= 0, -1e4)
        weights = torch.softmax(scores, dim=-1)
        return (weights.unsqueeze(-1) * x).sum(dim=-2), weights


class DimensionHead(nn.Module):
    """The paper's head (D -> hidden -> 1, dropout on the hidden layer), or a
    linear one (hidden = 0) for a dimension learned from very few labels."""

    def __init__(self, in_dim: int, hidden: int, dropout: float) -> None:
        super().__init__()
        self.fc = nn.Linear(in_dim, hidden) if hidden else None
        self.drop = nn.Dropout(dropout if hidden else 0.0)
        self.out = nn.Linear(hidden or in_dim, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.fc is not None:
            x = self.drop(torch.relu(self.fc(x)))
        return self.out(x).squeeze(-1)


@register_model("interest_attentive")
class AttentiveMultiTaskInterest(nn.Module):
    def __init__(self, dimensions: Sequence[str] = ("quality", "user"), num_backbones: int = 2,
                 num_tiles: int = 16, feature_dim: int = 1280, attn_dim: int = 128, hidden: int = 256,
                 dropout: float = 0.5, linear_heads: Sequence[str] = ("user",)) -> None:
        super().__init__()
        if not dimensions:
            raise ValueError("the model needs at least one dimension")
        self.dimensions = tuple(dimensions)
        self.num_backbones, self.num_tiles, self.feature_dim = num_backbones, num_tiles, feature_dim
        self.config = dict(dimensions=list(self.dimensions), num_backbones=num_backbones, num_tiles=num_tiles,
                           feature_dim=feature_dim, attn_dim=attn_dim, hidden=hidden, dropout=dropout,
                           linear_heads=[d for d in self.dimensions if d in linear_heads])
        self.register_buffer("feature_mean", torch.zeros(num_backbones, feature_dim))
        self.register_buffer("feature_std", torch.ones(num_backbones, feature_dim))
        self.primary = AdditiveAttention(feature_dim, attn_dim)
        self.secondary = nn.ModuleList(AdditiveAttention(feature_dim, attn_dim) for _ in self.dimensions)
        self.heads = nn.ModuleList(DimensionHead(feature_dim, 0 if d in linear_heads else hidden, dropout)
                                   for d in self.dimensions)

    def index(self, dimension: str) -> int:
        return self.dimensions.index(dimension)

    def forward_features(self, feats: torch.Tensor, backbone_mask: torch.Tensor | None = None):
        """-> (per-dimension features (B, K, D), primary weights (B, M, N),
        secondary weights (B, K, M))."""
        b, m = feats.shape[:2]
        if backbone_mask is None:
            backbone_mask = feats.new_ones(b, m)
        x = (feats - self.feature_mean[None, :, None, :]) / self.feature_std[None, :, None, :]
        x = x * backbone_mask[:, :, None, None]  # a missing backbone contributes nothing
        pooled, alpha = self.primary(x)  # over the N sub-images, shared
        per_dim, betas = [], []
        for attention in self.secondary:
            g, beta = attention(pooled, mask=backbone_mask)  # over the M backbones
            per_dim.append(g)
            betas.append(beta)
        return torch.stack(per_dim, 1), alpha, torch.stack(betas, 1)

    def forward_head(self, per_dim: torch.Tensor) -> torch.Tensor:
        """(B, K, D) -> raw scores (B, K)."""
        return torch.stack([head(per_dim[:, k]) for k, head in enumerate(self.heads)], 1)

    def forward(self, feats: torch.Tensor, backbone_mask: torch.Tensor | None = None):
        per_dim, alpha, beta = self.forward_features(feats, backbone_mask)
        return self.forward_head(per_dim), alpha, beta

    def example_inputs(self) -> tuple[torch.Tensor, ...]:
        feats = torch.rand(2, self.num_backbones, self.num_tiles, self.feature_dim)
        mask = torch.ones(2, self.num_backbones)
        mask[1, -1] = 0  # the second photo lacks its last backbone
        return feats, mask


def dimension_scores(raw: torch.Tensor) -> torch.Tensor:
    """The paper's output: tanh, on its [-0.5, 0.5] label scale."""
    return 0.5 * torch.tanh(raw)
