"""One registry of model names, timm style.

A model module decorates its constructor with ``@register_model("name")``; the
class provides ``example_inputs()`` so that the smoke test can run every
registered model forward. Modules listed in ``MODEL_MODULES`` are imported on
first use (one that fails to import is an error).
"""

from __future__ import annotations

import importlib
from typing import Callable

MODEL_MODULES = [
    "photoorg.engine.models.backbone",
    "photoorg.engine.models.pau",
    "photoorg.engine.models.event_transformer",
    "photoorg.engine.models.interest",
    "photoorg.engine.models.mobilenet_v2",
    "photoorg.engine.models.video_mtn",
]

_REGISTRY: dict[str, Callable] = {}
_loaded = False


def register_model(name: str):
    def deco(fn: Callable) -> Callable:
        if name in _REGISTRY and _REGISTRY[name] is not fn:
            raise ValueError(f"model name {name!r} registered twice")
        _REGISTRY[name] = fn
        return fn
    return deco


def _load() -> None:
    global _loaded
    if _loaded:
        return
    for name in MODEL_MODULES:
        importlib.import_module(name)
    _loaded = True


def list_models() -> list[str]:
    _load()
    return sorted(_REGISTRY)


def create_model(name: str, **kwargs):
    _load()
    if name not in _REGISTRY:
        raise KeyError(f"unknown model {name!r}; known: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name](**kwargs)
