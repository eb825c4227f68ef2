"""MTCNN face detection (Zhang et al., "Joint Face Detection and Alignment
using Multi-task Cascaded Convolutional Networks", 2016): three small
networks in a cascade, written here from the paper.

1. **P-Net**, fully convolutional, slides a 12x12 window (stride 2) over an
   image pyramid and proposes boxes with a face probability and a box
   correction;
2. **R-Net** looks again at each proposal cropped to 24x24 and rejects most;
3. **O-Net** looks at the survivors at 48x48 and gives the final box, its
   probability and five points (eyes, nose, mouth corners).

The pyramid starts where the smallest wanted face (``min_face`` px) becomes
the 12 px window, so asking for faces from 80 px keeps the costly P-Net on a
small image: a 2000 px photo is scanned from 300 px down. That is why it is
much cheaper than dlib's HOG, which scans the full-size image.

Weights: the original networks' parameters as shipped in the
``facenet-pytorch`` wheel (MIT; installed without its dependencies, used for
its three weight files only). They were converted from a framework that
stores images transposed, hence the (width, height) flattening before the
dense layers of R-Net and O-Net.
"""

from __future__ import annotations

import importlib.util
import warnings
from pathlib import Path
from typing import Optional

import numpy as np
from PIL import Image

from ..runtime import OnnxModelSpec, get_session
from ..settings import Settings

STEP = 0.709  # pyramid scale factor (the paper's)
THRESHOLDS = (0.6, 0.7, 0.7)  # face probability kept after P-Net, R-Net, O-Net
NETS = ("pnet", "rnet", "onet")


def weights_dir() -> Path:
    spec = importlib.util.find_spec("facenet_pytorch")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the facenet-pytorch package (MTCNN face detector weights) is not installed")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def _module(name: str):
    """The network as a torch module with the shipped weights (export only)."""
    import torch
    from torch import nn

    class PNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1, self.prelu1 = nn.Conv2d(3, 10, 3), nn.PReLU(10)
            self.pool1 = nn.MaxPool2d(2, 2, ceil_mode=True)
            self.conv2, self.prelu2 = nn.Conv2d(10, 16, 3), nn.PReLU(16)
            self.conv3, self.prelu3 = nn.Conv2d(16, 32, 3), nn.PReLU(32)
            self.conv4_1, self.conv4_2 = nn.Conv2d(32, 2, 1), nn.Conv2d(32, 4, 1)

        def forward(self, x):
            x = self.pool1(self.prelu1(self.conv1(x)))
            x = self.prelu3(self.conv3(self.prelu2(self.conv2(x))))
            return torch.softmax(self.conv4_1(x), dim=1)[:, 1], self.conv4_2(x)

    class RNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1, self.prelu1 = nn.Conv2d(3, 28, 3), nn.PReLU(28)
            self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
            self.conv2, self.prelu2 = nn.Conv2d(28, 48, 3), nn.PReLU(48)
            self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
            self.conv3, self.prelu3 = nn.Conv2d(48, 64, 2), nn.PReLU(64)
            self.dense4, self.prelu4 = nn.Linear(576, 128), nn.PReLU(128)
            self.dense5_1, self.dense5_2 = nn.Linear(128, 2), nn.Linear(128, 4)

        def forward(self, x):
            x = self.pool1(self.prelu1(self.conv1(x)))
            x = self.pool2(self.prelu2(self.conv2(x)))
            x = self.prelu3(self.conv3(x))
            x = self.prelu4(self.dense4(x.permute(0, 3, 2, 1).flatten(1)))
            return torch.softmax(self.dense5_1(x), dim=1)[:, 1], self.dense5_2(x)

    class ONet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1, self.prelu1 = nn.Conv2d(3, 32, 3), nn.PReLU(32)
            self.pool1 = nn.MaxPool2d(3, 2, ceil_mode=True)
            self.conv2, self.prelu2 = nn.Conv2d(32, 64, 3), nn.PReLU(64)
            self.pool2 = nn.MaxPool2d(3, 2, ceil_mode=True)
            self.conv3, self.prelu3 = nn.Conv2d(64, 64, 3), nn.PReLU(64)
            self.pool3 = nn.MaxPool2d(2, 2, ceil_mode=True)
            self.conv4, self.prelu4 = nn.Conv2d(64, 128, 2), nn.PReLU(128)
            self.dense5, self.prelu5 = nn.Linear(1152, 256), nn.PReLU(256)
            self.dense6_1, self.dense6_2, self.dense6_3 = nn.Linear(256, 2), nn.Linear(256, 4), nn.Linear(256, 10)

        def forward(self, x):
            x = self.pool1(self.prelu1(self.conv1(x)))
            x = self.pool2(self.prelu2(self.conv2(x)))
            x = self.pool3(self.prelu3(self.conv3(x)))
            x = self.prelu4(self.conv4(x))
            x = self.prelu5(self.dense5(x.permute(0, 3, 2, 1).flatten(1)))
            return torch.softmax(self.dense6_1(x), dim=1)[:, 1], self.dense6_2(x), self.dense6_3(x)

    net = {"pnet": PNet, "rnet": RNet, "onet": ONet}[name]()
    state = torch.load(weights_dir() / f"{name}.pt", map_location="cpu", weights_only=True)
    net.load_state_dict(state)
    return net.eval()


def _export(name: str, path: Path) -> None:
    import torch

    net = _module(name)
    size = {"pnet": 24, "rnet": 24, "onet": 48}[name]
    outputs = ["prob", "box"] + (["points"] if name == "onet" else [])
    axes = {"image": {0: "n", 2: "h", 3: "w"} if name == "pnet" else {0: "n"}}
    axes.update({o: {0: "n"} for o in outputs})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the TorchScript exporter is the tested path
        torch.onnx.export(net, (torch.zeros(1, 3, size, size),), str(path), input_names=["image"],
                          output_names=outputs, dynamic_axes=axes, opset_version=17, dynamo=False)


def spec(name: str) -> OnnxModelSpec:
    return OnnxModelSpec(f"mtcnn_{name}", "1", build=lambda path: _export(name, path),
                         sources=lambda: [weights_dir() / f"{name}.pt"])


def _run(settings: Settings, name: str, batch: np.ndarray) -> list[np.ndarray]:
    out = get_session(spec(name), settings).run({"image": np.ascontiguousarray(batch)})
    return [out[k] for k in ("prob", "box", "points") if k in out]


def _normalize(rgb: np.ndarray) -> np.ndarray:
    """HWC uint8 -> CHW float32, as the networks were trained: (v - 127.5) / 128."""
    return ((rgb.astype(np.float32) - 127.5) * 0.0078125).transpose(2, 0, 1)


def nms(boxes: np.ndarray, scores: np.ndarray, overlap: float, by_min: bool = False) -> np.ndarray:
    """Indices kept by greedy non-maximum suppression (highest score first);
    ``by_min``: overlap over the smaller box instead of the union."""
    if not len(boxes):
        return np.zeros(0, np.int64)
    x0, y0, x1, y1 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    area = (x1 - x0 + 1) * (y1 - y0 + 1)
    order = np.argsort(scores)[::-1]
    keep = []
    while len(order):
        i, rest = order[0], order[1:]
        keep.append(i)
        w = np.maximum(0.0, np.minimum(x1[i], x1[rest]) - np.maximum(x0[i], x0[rest]) + 1)
        h = np.maximum(0.0, np.minimum(y1[i], y1[rest]) - np.maximum(y0[i], y0[rest]) + 1)
        inter = w * h
        denom = np.minimum(area[i], area[rest]) if by_min else area[i] + area[rest] - inter
        order = rest[inter / denom <= overlap]
    return np.asarray(keep, np.int64)


def _refine(boxes: np.ndarray, reg: np.ndarray) -> np.ndarray:
    """Apply the networks' box corrections (offsets relative to the box size)."""
    w = boxes[:, 2] - boxes[:, 0] + 1
    h = boxes[:, 3] - boxes[:, 1] + 1
    out = boxes.copy()
    out[:, 0] += reg[:, 0] * w
    out[:, 1] += reg[:, 1] * h
    out[:, 2] += reg[:, 2] * w
    out[:, 3] += reg[:, 3] * h
    return out


def _square(boxes: np.ndarray) -> np.ndarray:
    """Each box grown to a square around its centre (the networks' input is square)."""
    w = boxes[:, 2] - boxes[:, 0]
    h = boxes[:, 3] - boxes[:, 1]
    side = np.maximum(w, h)
    out = boxes.copy()
    out[:, 0] = boxes[:, 0] + w * 0.5 - side * 0.5
    out[:, 1] = boxes[:, 1] + h * 0.5 - side * 0.5
    out[:, 2] = out[:, 0] + side
    out[:, 3] = out[:, 1] + side
    return out


def _crops(image: Image.Image, boxes: np.ndarray, size: int) -> np.ndarray:
    """Each box cut from the image (zeros outside it) and resized to size x size."""
    out = np.empty((len(boxes), 3, size, size), np.float32)
    for k, (x0, y0, x1, y1) in enumerate(np.round(boxes[:, :4]).astype(int)):
        patch = image.crop((x0, y0, x1 + 1, y1 + 1))  # Pillow pads outside the image with black
        out[k] = _normalize(np.asarray(patch.resize((size, size), Image.Resampling.BOX)))
    return out


def _pyramid_scales(width: int, height: int, min_face: int) -> list[float]:
    scale = 12.0 / min_face
    scales = []
    while min(width, height) * scale >= 12:
        scales.append(scale)
        scale *= STEP
    return scales


def detect(rgb: np.ndarray, settings: Settings, min_face: int = 80,
           thresholds: tuple[float, float, float] = THRESHOLDS,
           max_proposals: Optional[int] = 2000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Faces of an upright RGB image (H, W, 3 uint8) from ``min_face`` px
    wide: boxes (n, 4) x0, y0, x1, y1 in pixels, probabilities (n,), five
    points (n, 5, 2) in pixels."""
    image = Image.fromarray(rgb)
    height, width = rgb.shape[:2]
    empty = (np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros((0, 5, 2), np.float32))
    # 1. P-Net over the pyramid. Each level is shrunk from the first, not
    # from the photo: the first level is already small (12 / min_face).
    found = []
    first = None
    for scale in _pyramid_scales(width, height, min_face):
        w, h = int(np.ceil(width * scale)), int(np.ceil(height * scale))
        if first is None:
            first = image.resize((w, h), Image.Resampling.BOX, reducing_gap=3.0)
            level = first
        else:
            level = first.resize((w, h), Image.Resampling.BOX)
        prob, reg = _run(settings, "pnet", _normalize(np.asarray(level))[None])
        prob, reg = prob[0], reg[0]
        ys, xs = np.nonzero(prob >= thresholds[0])
        if not len(ys):
            continue
        # A cell (y, x) of the output map is the 12x12 window at 2x, 2y of the level.
        boxes = np.stack([np.floor((2 * xs + 1) / scale), np.floor((2 * ys + 1) / scale),
                          np.floor((2 * xs + 12) / scale), np.floor((2 * ys + 12) / scale)], 1).astype(np.float32)
        scores = prob[ys, xs]
        regs = reg[:, ys, xs].T
        keep = nms(boxes, scores, 0.5)
        found.append((boxes[keep], scores[keep], regs[keep]))
    if not found:
        return empty
    boxes = np.concatenate([f[0] for f in found])
    scores = np.concatenate([f[1] for f in found])
    regs = np.concatenate([f[2] for f in found])
    keep = nms(boxes, scores, 0.7)
    if max_proposals is not None:
        keep = keep[:max_proposals]
    boxes = _square(_refine(boxes[keep], regs[keep]))
    # 2. R-Net on 24x24 crops.
    prob, reg = _run(settings, "rnet", _crops(image, boxes, 24))
    ok = prob >= thresholds[1]
    boxes, scores, reg = boxes[ok], prob[ok], reg[ok]
    if not len(boxes):
        return empty
    keep = nms(boxes, scores, 0.7)
    boxes = _square(_refine(boxes[keep], reg[keep]))
    # 3. O-Net on 48x48 crops: final boxes and the five points.
    prob, reg, points = _run(settings, "onet", _crops(image, boxes, 48))
    ok = prob >= thresholds[2]
    boxes, scores, reg, points = boxes[ok], prob[ok], reg[ok], points[ok]
    if not len(boxes):
        return empty
    w = boxes[:, 2] - boxes[:, 0] + 1
    h = boxes[:, 3] - boxes[:, 1] + 1
    px = boxes[:, 0:1] + w[:, None] * points[:, 0:5] - 1
    py = boxes[:, 1:2] + h[:, None] * points[:, 5:10] - 1
    boxes = _refine(boxes, reg)
    keep = nms(boxes, scores, 0.7, by_min=True)
    return (boxes[keep].astype(np.float32), scores[keep].astype(np.float32),
            np.stack([px[keep], py[keep]], 2).astype(np.float32))
