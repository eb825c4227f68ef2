"""The Multitask Transformer Network for untrimmed video (Seong, Hyun and Kim,
ICCV-W 2019; ../shared/papers/multitask-transformer-video.txt), on torch alone.

Per segment, two streams of spatio-temporal features X[t, h, w] (T sampled
frames x a small grid of positions):

- scene stream: the paper uses a Places365 CNN's conv5 maps. No Places
  weights exist offline, so the scene stream is the packaged ImageNet
  backbone's stage-4 maps (stride 16: textures and layout, less bound to
  objects than the last stage), pooled to a 3x3 grid;
- action stream: the ImageNet backbone's last stage (stage-5 maps, stride 32),
  as in the paper, pooled to the same grid.

Each stream: the attentional query processor (AQPr, eq. 1-2: a per-position
scalar map sigmoid(InstanceNorm(W x)) and the map-weighted mean of the
features) gives the first query; keys and values are linear projections of
the features (D = 128); a stack of pre-activation Multitask Transformer units
(attention, dropout 0.1, residual; a pre-activated FFN with ReLU after each
LayerNorm; LayerNorm and ReLU at the end) refines it; after every unit the
class conversion matrix (eq. 3) adds ReLU(W q_other + b) of the other task's
query, without gradient into the other task. Heads: scene and action classes;
importance from a 2-layer MLP (hidden D, dropout 0.1) on the concatenated
queries (detached, as the paper keeps the importance error out of the
transformer) and, our addition, summary statistics of measured per-frame cues
(sharpness, brightness, contrast, motion, stillness; engine/video/cues.py),
which is where shake, darkness and blur are seen directly. The final score is
recalibrated (eq. 4): sigmoid(importance) x max softmax(scene) x max softmax(action).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn
from torch.nn import functional as F

from .registry import register_model

CUE_STATS = 15  # mean, min, max of the 5 cues over a segment's frames


@dataclass
class VideoMTNConfig:
    scene_channels: int = 112
    action_channels: int = 320
    n_scenes: int = 13
    n_actions: int = 12
    dim: int = 128
    units: int = 2
    max_frames: int = 8
    grid: int = 9  # positions per frame (3x3)
    dropout: float = 0.1

    def to_json(self) -> dict:
        return asdict(self)


class AttentionalQueryProcessor(nn.Module):
    """Eq. (1)-(2): M = sigmoid(InstanceNorm(W X)); Y = sum(M X) / sum(M)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.score = nn.Linear(channels, 1)
        self.norm = nn.InstanceNorm1d(1, affine=True)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        # x: (B, N, C); mask: (B, N) 1 for real positions
        logits = self.score(x).transpose(1, 2)  # (B, 1, N)
        # Instance norm over the real positions only: padded ones get the mean.
        m = mask.unsqueeze(1)
        mean = (logits * m).sum(-1, keepdim=True) / m.sum(-1, keepdim=True).clamp(min=1)
        logits = torch.where(m > 0, logits, mean)
        att = torch.sigmoid(self.norm(logits)).squeeze(1) * mask  # (B, N)
        y = (att.unsqueeze(-1) * x).sum(1) / att.sum(1, keepdim=True).clamp(min=1e-6)
        return y, att


class MTxUnit(nn.Module):
    """The pre-activation Multitask Transformer unit (Fig. 2b)."""

    def __init__(self, dim: int, dropout: float) -> None:
        super().__init__()
        self.q = nn.Linear(dim, dim)
        self.drop = nn.Dropout(dropout)
        self.ln1 = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, dim)
        self.ln2 = nn.LayerNorm(dim)
        self.fc2 = nn.Linear(dim, dim)
        self.scale = dim ** -0.5

    def forward(self, query: torch.Tensor, k: torch.Tensor, v: torch.Tensor, key_bias: torch.Tensor):
        scores = torch.einsum("bd,bnd->bn", self.q(query), k) * self.scale + key_bias
        attn = torch.softmax(scores, dim=-1)
        query = query + self.drop(torch.einsum("bn,bnd->bd", attn, v))
        ffn = self.fc2(F.relu(self.ln2(self.fc1(F.relu(self.ln1(query))))))
        return query + self.drop(ffn), attn


class Branch(nn.Module):
    def __init__(self, channels: int, cfg: VideoMTNConfig) -> None:
        super().__init__()
        self.aqpr = AttentionalQueryProcessor(channels)
        self.query = nn.Linear(channels, cfg.dim)
        self.key = nn.Linear(channels, cfg.dim)
        self.value = nn.Linear(channels, cfg.dim)
        # Where and when: a learned embedding per (frame slot, grid position).
        self.pos = nn.Parameter(torch.zeros(cfg.max_frames * cfg.grid, cfg.dim))
        self.units = nn.ModuleList(MTxUnit(cfg.dim, cfg.dropout) for _ in range(cfg.units))
        self.out_norm = nn.LayerNorm(cfg.dim)


class VideoMTN(nn.Module):
    def __init__(self, cfg: VideoMTNConfig | None = None, **kwargs) -> None:
        super().__init__()
        self.cfg = cfg or VideoMTNConfig(**kwargs)
        c = self.cfg
        self.scene = Branch(c.scene_channels, c)
        self.action = Branch(c.action_channels, c)
        # Class conversion matrices, one per task and unit (eq. 3).
        self.ccm_scene = nn.ModuleList(nn.Linear(c.dim, c.dim) for _ in range(c.units))
        self.ccm_action = nn.ModuleList(nn.Linear(c.dim, c.dim) for _ in range(c.units))
        self.scene_head = nn.Linear(c.dim, c.n_scenes)
        self.action_head = nn.Linear(c.dim, c.n_actions)
        self.importance_head = nn.Sequential(
            nn.Linear(2 * c.dim + CUE_STATS, c.dim), nn.ReLU(), nn.Dropout(c.dropout), nn.Linear(c.dim, 1))

    def forward_features(self, scene_x: torch.Tensor, action_x: torch.Tensor, mask: torch.Tensor):
        """scene_x: (B, N, Cs), action_x: (B, N, Ca) with N = frames x grid;
        mask: (B, N). Returns the two final queries and the AQPr maps."""
        bias = torch.where(mask > 0, 0.0, -1e4)
        states = []
        for branch, x in ((self.scene, scene_x), (self.action, action_x)):
            y, att = branch.aqpr(x, mask)
            n = x.shape[1]
            states.append([branch.query(y), branch.key(x) + branch.pos[:n], branch.value(x) + branch.pos[:n], att])
        qs, qa = states[0][0], states[1][0]
        for i in range(self.cfg.units):
            qs, _ = self.scene.units[i](qs, states[0][1], states[0][2], bias)
            qa, _ = self.action.units[i](qa, states[1][1], states[1][2], bias)
            # CCM: each task takes the other's query without sending it gradient.
            qs, qa = (qs + F.relu(self.ccm_scene[i](qa.detach())),
                      qa + F.relu(self.ccm_action[i](qs.detach())))
        qs = F.relu(self.scene.out_norm(qs))
        qa = F.relu(self.action.out_norm(qa))
        return qs, qa, states[0][3], states[1][3]

    def forward_head(self, qs: torch.Tensor, qa: torch.Tensor, cue_stats: torch.Tensor) -> dict[str, torch.Tensor]:
        scene = self.scene_head(qs)
        action = self.action_head(qa)
        imp_logit = self.importance_head(torch.cat([qs.detach(), qa.detach(), cue_stats], dim=-1)).squeeze(-1)
        confidence = F.softmax(scene, -1).amax(-1) * F.softmax(action, -1).amax(-1)
        return {"scene": scene, "action": action, "importance_logit": imp_logit,
                "importance": torch.sigmoid(imp_logit) * confidence, "confidence": confidence}

    def forward(self, scene_x, action_x, mask, cue_stats) -> dict[str, torch.Tensor]:
        qs, qa, att_s, att_a = self.forward_features(scene_x, action_x, mask)
        out = self.forward_head(qs, qa, cue_stats)
        out["attention_scene"], out["attention_action"] = att_s, att_a
        return out

    def example_inputs(self, batch: int = 2):
        c = self.cfg
        n = c.max_frames * c.grid
        mask = torch.ones(batch, n)
        mask[-1, n // 2:] = 0
        return (torch.randn(batch, n, c.scene_channels), torch.randn(batch, n, c.action_channels), mask,
                torch.rand(batch, CUE_STATS))


@register_model("video_mtn")
def video_mtn(**kwargs) -> VideoMTN:
    return VideoMTN(**kwargs)


__all__ = ["CUE_STATS", "VideoMTN", "VideoMTNConfig", "video_mtn"]
