"""The series-ranking model of Huang et al., "Learning multi-scale attentive
features for series photo selection" (papers/series-photo-selection-pau.txt).

Two streams with tied weights (one module applied to both photos) take the
feature maps of the backbone's last three stages, recalibrate each with a
Parallel Attention Unit (PAU), concatenate the pooled results into one vector
per photo, and three fully connected layers turn the difference of the two
vectors into the probability that the first photo is preferred.

PAU (per stage, input l of C x H x W):
- pseudo-query l' from two 1x1 convolutions; compatibility c = l * l'
  (element-wise);
- SA-cell: average- and max-pooling of c over channels, summed, sigmoid ->
  spatial map a_s (H x W); f_s = l * a_s;
- CA-cell: average- and max-pooling of c over space, summed, then a
  C -> C/16 -> C bottleneck (ReLU) and a sigmoid -> a_c (C); f_c = l * a_c;
- both cells run in parallel on the same c.

Choices the paper leaves open, made here and why:
- backbone: EfficientNet-Lite0 (the packaged ImageNet weights) instead of
  ResNet-50, frozen: its stage maps (40x28x28, 112x14x14, 320x7x7, strides
  8/16/32 like ResNet's conv3-5) are computed once per photo on ONNX Runtime
  and only the PAUs and the head are trained, which fits a CPU;
- the two pseudo-query 1x1 convolutions go through C/4 channels (C -> C/4
  -> C; the paper gives no width): a quarter of the cost of C -> C -> C,
  which matters when training on a CPU;
- a per-stage BatchNorm without affine parameters standardises the frozen
  maps before the PAU (their scales differ by stage);
- aggregation: f_s and f_c are global-average-pooled and concatenated over
  the three stages (2 x (40 + 112 + 320) = 944 values per photo);
- distance: the signed difference r_i - r_j (an absolute distance would be
  symmetric and could not say which photo is better), and the head is made
  antisymmetric, logit(i, j) = (g(d) - g(-d)) / 2, so f(i, j) = 1 - f(j, i)
  holds exactly and the order of the pair never matters.

``attention="none"`` is the paper's NA ablation: the same streams and head
without any attention (pooled stage maps only).
"""

from __future__ import annotations

from typing import Literal, Sequence

import torch
from torch import nn

from .registry import register_model

STAGE_CHANNELS = (40, 112, 320)
STAGE_SIZES = (28, 14, 7)
Attention = Literal["pau", "none"]
# Bump when the architecture or the export changes (cached ONNX files are rebuilt).
EXPORT_VERSION = "pau-2"


class ParallelAttentionUnit(nn.Module):
    """Spatial and channel self-attention cells in parallel on one stage."""

    def __init__(self, channels: int, reduction: int = 16, query_reduction: int = 4) -> None:
        super().__init__()
        inner = max(8, channels // query_reduction)
        self.query = nn.Sequential(  # the pseudo-query: two 1x1 convolutions
            nn.Conv2d(channels, inner, kernel_size=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(inner, channels, kernel_size=1),
        )
        hidden = max(1, channels // reduction)
        self.channel_fc = nn.Sequential(
            nn.Linear(channels, hidden),
            nn.ReLU(inplace=True),
            nn.Linear(hidden, channels),
        )

    def attention_maps(self, l: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(a_s: N x 1 x H x W, a_c: N x C x 1 x 1), both in (0, 1)."""
        c = l * self.query(l)
        z_s = c.mean(dim=1, keepdim=True) + c.amax(dim=1, keepdim=True)
        a_s = torch.sigmoid(z_s)
        z_c = c.mean(dim=(2, 3)) + c.amax(dim=(2, 3))
        a_c = torch.sigmoid(self.channel_fc(z_c))[:, :, None, None]
        return a_s, a_c

    def forward(self, l: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        a_s, a_c = self.attention_maps(l)
        return l * a_s, l * a_c


class PhotoStream(nn.Module):
    """One stream of the Siamese network: stage maps -> one vector per photo."""

    def __init__(self, channels: Sequence[int] = STAGE_CHANNELS, attention: Attention = "pau",
                 reduction: int = 16, query_reduction: int = 4) -> None:
        super().__init__()
        self.attention = attention
        self.norms = nn.ModuleList(nn.BatchNorm2d(c, affine=False) for c in channels)
        self.units = nn.ModuleList(ParallelAttentionUnit(c, reduction, query_reduction) for c in channels) if attention == "pau" \
            else nn.ModuleList()
        self.dim = sum(channels) * (2 if attention == "pau" else 1)

    def forward(self, *stages: torch.Tensor) -> torch.Tensor:
        parts = []
        for i, l in enumerate(stages):
            l = self.norms[i](l)
            if self.attention == "pau":
                f_s, f_c = self.units[i](l)
                parts += [f_s.mean(dim=(2, 3)), f_c.mean(dim=(2, 3))]
            else:
                parts.append(l.mean(dim=(2, 3)))
        return torch.cat(parts, dim=1)


class PreferenceHead(nn.Module):
    """Three fully connected layers on the signed distance; antisymmetric."""

    def __init__(self, dim: int, hidden: Sequence[int] = (256, 64), dropout: float = 0.2) -> None:
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Dropout(dropout),
            nn.Linear(dim, hidden[0]), nn.ReLU(inplace=True), nn.Dropout(dropout),
            nn.Linear(hidden[0], hidden[1]), nn.ReLU(inplace=True),
            nn.Linear(hidden[1], 1),
        )

    def forward(self, r_i: torch.Tensor, r_j: torch.Tensor) -> torch.Tensor:
        d = r_i - r_j
        return 0.5 * (self.mlp(d) - self.mlp(-d)).squeeze(1)  # logit of "i preferred over j"


class SeriesRanker(nn.Module):
    """PAU series-photo selection network (or its NA ablation)."""

    def __init__(self, attention: Attention = "pau", channels: Sequence[int] = STAGE_CHANNELS,
                 reduction: int = 16, hidden: Sequence[int] = (256, 64), dropout: float = 0.2,
                 query_reduction: int = 4) -> None:
        super().__init__()
        self.config = {"attention": attention, "channels": list(channels), "reduction": reduction,
                       "hidden": list(hidden), "dropout": dropout, "query_reduction": query_reduction}
        self.stream = PhotoStream(channels, attention, reduction, query_reduction)  # one module: tied weights
        self.head = PreferenceHead(self.stream.dim, hidden, dropout)

    def forward_features(self, s3: torch.Tensor, s4: torch.Tensor, s5: torch.Tensor) -> torch.Tensor:
        """Stage maps of photos -> their representation vectors."""
        return self.stream(s3, s4, s5)

    def forward_head(self, r_i: torch.Tensor, r_j: torch.Tensor) -> torch.Tensor:
        """Representations of two photos -> logit that the first is preferred."""
        return self.head(r_i, r_j)

    def forward(self, a3, a4, a5, b3, b4, b5) -> torch.Tensor:
        """Probability that photo a is preferred over photo b."""
        return torch.sigmoid(self.forward_head(self.forward_features(a3, a4, a5), self.forward_features(b3, b4, b5)))

    def attention_maps(self, s3: torch.Tensor, s4: torch.Tensor, s5: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
        if self.stream.attention != "pau":
            return []
        return [unit.attention_maps(norm(x)) for unit, norm, x in zip(self.stream.units, self.stream.norms, (s3, s4, s5))]

    @staticmethod
    def example_inputs(batch: int = 2) -> tuple[torch.Tensor, ...]:
        maps = tuple(torch.rand(batch, c, s, s) * 6 for c, s in zip(STAGE_CHANNELS, STAGE_SIZES))
        other = tuple(torch.rand(batch, c, s, s) * 6 for c, s in zip(STAGE_CHANNELS, STAGE_SIZES))
        return maps + other


@register_model("pau_ranker")
def pau_ranker(**kwargs) -> SeriesRanker:
    return SeriesRanker(attention="pau", **kwargs)


@register_model("pau_ranker_na")
def pau_ranker_na(**kwargs) -> SeriesRanker:
    return SeriesRanker(attention="none", **kwargs)


class _Encoder(nn.Module):
    def __init__(self, model: SeriesRanker) -> None:
        super().__init__()
        self.model = model

    def forward(self, s3, s4, s5):
        return self.model.forward_features(s3, s4, s5)


class _Comparator(nn.Module):
    def __init__(self, model: SeriesRanker) -> None:
        super().__init__()
        self.model = model

    def forward(self, r_i, r_j):
        return torch.sigmoid(self.model.forward_head(r_i, r_j))


def export_onnx(model: SeriesRanker, encoder_path, comparator_path) -> None:
    """Two ONNX graphs: the stream (stage maps -> vector, once per photo) and
    the head (two vectors -> preference), so a series of n photos costs n
    stream passes and n^2 tiny head passes."""
    import warnings

    model = model.eval()
    maps = SeriesRanker.example_inputs(2)[:3]
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(_Encoder(model).eval(), maps, str(encoder_path), input_names=["stage3", "stage4", "stage5"],
                          output_names=["vector"], opset_version=17, dynamo=False,
                          dynamic_axes={n: {0: "batch"} for n in ("stage3", "stage4", "stage5", "vector")})
        r = model.forward_features(*maps)
        torch.onnx.export(_Comparator(model).eval(), (r, r.flip(0)), str(comparator_path), input_names=["a", "b"],
                          output_names=["p"], opset_version=17, dynamo=False,
                          dynamic_axes={n: {0: "batch"} for n in ("a", "b", "p")})
