"""photoorg train-video: train the video model (multitask transformer).

    photoorg train-video --photos DIR [--photos DIR ...]   segments filmed from your photos
    photoorg train-video --coview DIR                       CoVieW-style labelled videos

Segments are made from real photos (a slow pan, and shaken / dark / blurred /
still copies); targets come from the zero-shot teacher and the degradations
(engine/video/train.py). Prints the held-out figures and writes the weights to
--out (default: the catalog's model folder, which the video stage then uses).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ..errors import PhotoOrgError
from .common import Context


class NothingToTrainOn(PhotoOrgError):
    """No photos to make training segments from."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train-video", help="train the video model (scenes, actions, importance of segments)")
    p.add_argument("--photos", action="append", default=[], metavar="DIR",
                   help="a folder of photos to film training segments from (default: the catalog's photos)")
    p.add_argument("--limit", type=int, default=150, help="at most this many photos")
    p.add_argument("--frames", type=int, default=4, help="frames per training segment")
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--coview", metavar="DIR", default=None,
                   help="train on CoVieW 2019-style labels: <video>.csv (segment,scene,action,importance) beside each video")
    p.add_argument("--out", metavar="FILE", default=None, help="where to write the weights")
    p.set_defaults(func=run)


def _say(msg: str) -> None:
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def run(ctx: Context) -> int:
    from ..analysis.backbone_runner import BackboneRunner
    from ..video.model_store import user_weights_path
    from ..video.synthetic_clips import library_photos
    from ..video.train import save_model, synthetic_segments, train

    args = ctx.args
    report: dict = {}
    if args.coview:
        return _run_coview(ctx, args)
    photos: list[str] = []
    for folder in args.photos:
        photos += library_photos(folder, limit=args.limit)
    if not args.photos:
        with ctx.open(readonly=True) as catalog:
            rows = catalog.db.execute("SELECT path FROM photos WHERE status = 'ok' ORDER BY path").fetchall()
        photos = [r[0] for r in rows if Path(r[0]).suffix.lower() in (".jpg", ".jpeg", ".png")]
    photos = photos[: args.limit]
    if len(photos) < 5:
        raise NothingToTrainOn("train-video needs at least 5 photos (JPEG or PNG) to film segments from; "
                               "give a folder with --photos")
    runner = BackboneRunner(ctx.settings)
    started = time.monotonic()
    data = synthetic_segments(photos, runner, frames=args.frames, seed=args.seed,
                              progress=lambda i, n: _say(f"train-video: filmed {i}/{n} photos") if i % 20 == 0 else None)
    _say(f"train-video: {len(data.index)} segments from {len(photos)} photos in {time.monotonic() - started:.0f} s")
    model, metrics = train(data, epochs=args.epochs, seed=args.seed)
    out = Path(args.out) if args.out else user_weights_path(ctx.settings)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_model(model, metrics, out)
    report.update({"weights": str(out), "photos": len(photos), "segments": len(data.index), **metrics,
                   "seconds": round(time.monotonic() - started, 1)})
    held = metrics["held_out"]
    ctx.emit(report, f"held-out ({metrics['photos_held_out']} photos): scene {held['scene_top1']:.3f}, "
                     f"action {held['action_top1']:.3f} (agreement with the teacher), importance pair accuracy "
                     f"{held['importance_pair_accuracy']}; weights: {out}")
    return 0


def _run_coview(ctx: Context, args) -> int:
    from ..analysis.backbone_runner import BackboneRunner
    from ..video.model_store import user_weights_path
    from ..video.reader import IsolatedReader
    from ..video.train import coview_segments, save_model, train

    started = time.monotonic()
    try:
        with IsolatedReader() as reader:
            data, scenes, actions = coview_segments(
                args.coview, BackboneRunner(ctx.settings), reader,
                progress=lambda i, n: _say(f"train-video: read {i}/{n} CoVieW videos"))
    except ValueError as exc:
        raise NothingToTrainOn(f"{args.coview}: {exc}") from None
    model, metrics = train(data, epochs=args.epochs, seed=args.seed)
    out = Path(args.out) if args.out else user_weights_path(ctx.settings)
    out.parent.mkdir(parents=True, exist_ok=True)
    save_model(model, metrics, out, scenes, actions)
    held = metrics["held_out"]
    ctx.emit({"weights": str(out), "source": "coview", "segments": len(data.index), "scenes": scenes,
              "actions": actions, **metrics, "seconds": round(time.monotonic() - started, 1)},
             f"held-out videos: scene {held['scene_top1']:.3f}, action {held['action_top1']:.3f}; weights: {out}")
    return 0
