"""The plain baseline: prefer the sharper, better exposed photo.

Sharpness is the variance of the Laplacian of the grey image (higher is
sharper); exposure is penalised by the distance of the mean brightness from
mid-grey and by the share of clipped pixels. This is what simple culling
tools do; the PAU model is measured against it.
"""

from __future__ import annotations

import numpy as np
from PIL import Image


def quality_score(image: Image.Image) -> float:
    grey = np.asarray(image.convert("L"), dtype=np.float32) / 255.0
    lap = (-4 * grey[1:-1, 1:-1] + grey[:-2, 1:-1] + grey[2:, 1:-1] + grey[1:-1, :-2] + grey[1:-1, 2:])
    sharpness = float(np.log(lap.var() + 1e-6))
    mean = float(grey.mean())
    clipped = float(((grey < 0.02) | (grey > 0.98)).mean())
    return sharpness - 4.0 * abs(mean - 0.45) - 3.0 * clipped


def prefer(a: Image.Image, b: Image.Image) -> float:
    """1.0 when ``a`` scores higher, 0.0 when lower, 0.5 on a tie."""
    sa, sb = quality_score(a), quality_score(b)
    return 1.0 if sa > sb else 0.0 if sa < sb else 0.5
