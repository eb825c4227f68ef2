"""Where the video model's weights live and how it runs: the user's own
(trained by ``photoorg train-video`` into the catalog's model folder) first,
else the default weights shipped in resources/models/video_mtn.pt."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import numpy as np

from ..errors import PhotoOrgError

WEIGHTS_NAME = "video_mtn.pt"
_lock = threading.Lock()
_cache: dict[str, "VideoModel"] = {}


class VideoModelMissing(PhotoOrgError):
    """No weights for the video model."""


def shipped_weights_path() -> Path:
    from .teacher import _resources

    return _resources() / "models" / WEIGHTS_NAME


def user_weights_path(settings) -> Path:
    return Path(settings.models_dir) / WEIGHTS_NAME


@dataclass
class VideoModel:
    model: object
    scenes: list[str]
    actions: list[str]
    path: str
    metrics: dict

    def predict(self, scene: np.ndarray, action: np.ndarray, mask: np.ndarray, stats: np.ndarray) -> dict[str, np.ndarray]:
        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # small batches: one thread is faster on a busy machine
        try:
            with torch.no_grad():
                out = self.model(torch.from_numpy(scene), torch.from_numpy(action), torch.from_numpy(mask),
                                 torch.from_numpy(stats))
        finally:
            torch.set_num_threads(threads)
        return {"scene": torch.softmax(out["scene"], -1).numpy(), "action": torch.softmax(out["action"], -1).numpy(),
                "importance": out["importance"].numpy(),
                "raw_importance": torch.sigmoid(out["importance_logit"]).numpy()}


def weights_path(settings=None) -> Path:
    """The user's weights when trained, else the shipped ones."""
    user = user_weights_path(settings) if settings is not None else None
    return user if user is not None and user.exists() else shipped_weights_path()


def load_video_model(settings=None, path: Optional[Path] = None) -> VideoModel:
    import torch

    from ..models.video_mtn import VideoMTN, VideoMTNConfig

    path = Path(path) if path is not None else weights_path(settings)
    key = f"{path}:{path.stat().st_mtime_ns if path.exists() else 0}"
    with _lock:
        if key in _cache:
            return _cache[key]
        if not path.exists():
            raise VideoModelMissing(f"the video model's weights are missing ({path}); run photoorg train-video")
        blob = torch.load(path, map_location="cpu", weights_only=False)
        model = VideoMTN(VideoMTNConfig(**blob["config"]))
        model.load_state_dict(blob["state_dict"])
        model.eval()
        vm = VideoModel(model, list(blob["scenes"]), list(blob["actions"]), str(path), blob.get("metrics", {}))
        _cache[key] = vm
        return vm


__all__ = ["VideoModel", "VideoModelMissing", "load_video_model", "shipped_weights_path", "user_weights_path",
           "weights_path"]
