"""photoorg train-events: (re)train the album event transformer.

    photoorg train-events                      fine-tune on your event corrections
    photoorg train-events --synthetic          train from scratch on synthetic albums
    photoorg train-events --benchmark DIR      train / evaluate on ML-CUFED or PEC
    photoorg train-events --benchmark DIR --eval-only

Every run reports the effect on held-out albums (before -> after) and writes
the weights to the catalog's model folder (the albums stage then uses them),
or to --out.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from ..errors import PhotoOrgError
from .common import Context


class NothingToTrain(PhotoOrgError):
    """No corrections, no benchmark, no photos with concepts."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train-events", help="retrain the album event model (corrections, synthetic, benchmark)")
    p.add_argument("--synthetic", action="store_true", help="train from scratch on synthetic albums")
    p.add_argument("--benchmark", metavar="DIR", default=None, help="an ML-CUFED or PEC folder")
    p.add_argument("--eval-only", action="store_true", help="only evaluate the current model on --benchmark")
    p.add_argument("--steps", type=int, default=None, help="training steps (default: 3000 synthetic, 400 fine-tune)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--exclude", action="append", default=[], metavar="TEXT",
                   help="leave photos whose path contains TEXT out of the synthetic backgrounds (held-out sets)")
    p.add_argument("--out", metavar="FILE", default=None, help="where to write the weights")
    p.set_defaults(func=run)


def _say(msg: str) -> None:
    sys.stderr.write(msg + "\n")
    sys.stderr.flush()


def _progress(prefix: str):
    started = time.monotonic()

    def show(step: int, total: int, loss: float) -> None:
        _say(f"{prefix}: step {step}/{total} loss {loss:.4f} ({time.monotonic() - started:.0f} s)")

    return show


def _rounded(d):
    if isinstance(d, dict):
        return {k: _rounded(v) for k, v in d.items()}
    return round(d, 4) if isinstance(d, float) else d


def run(ctx: Context) -> int:
    from ..albums import events as ev
    from ..albums.synth import SyntheticAlbums
    from ..albums.train import RealAlbum, TrainConfig, evaluate, synthetic_eval_set, train

    args = ctx.args
    with ctx.open() as catalog:
        settings = ctx.settings
        current = ev.weights_path(settings)
        blob, predict_before = None, None
        if current.exists():
            try:
                model, blob = ev.load_torch_model(current)
                predict_before = ev.EventModel(settings, run=ev.torch_runner(model)).predict
            except (RuntimeError, KeyError) as exc:  # weights of an older model layout
                if not args.synthetic:
                    raise NothingToTrain(f"the event model at {current} does not fit this version ({exc}); "
                                         "train a new one with --synthetic") from None
        elif not args.synthetic:
            raise NothingToTrain(f"no event model at {current} to start from; train one with --synthetic")
        photos = [p for p in catalog.photos() if not any(x in p.path for x in args.exclude)]
        concepts, has = catalog.feature_matrix(ev.FEATURE_MODEL, ev.FEATURE_KIND, [p.content_hash for p in photos])
        pool = concepts[has] if concepts.shape[1] else concepts[:0]

        # Held-out and training albums.
        train_real: list[RealAlbum] = []
        heldout: list[RealAlbum] = []
        source = "corrections"
        if args.benchmark:
            from ..albums.cufed import load_benchmark

            source = "benchmark"
            albums = load_benchmark(Path(args.benchmark), settings, cancel=ctx.cancel,
                                    progress=lambda d, t: _say(f"benchmark features: {d}/{t}"))
            rng = np.random.default_rng(args.seed)
            order = rng.permutation(len(albums))
            cut = len(albums) // 5  # the paper's 4:1 split
            heldout = [albums[i] for i in order[:cut]] if not args.eval_only else albums
            train_real = [albums[i] for i in order[cut:]]
        else:
            from ..albums.teacher import event_labels

            labels = list(event_labels())
            for album_id, label in catalog.event_corrections():
                members = catalog.album_photos(album_id)
                hashes = [p.content_hash for p in catalog.photos(ids=[m.photo_id for m in members])]
                c, ok = catalog.feature_matrix(ev.FEATURE_MODEL, ev.FEATURE_KIND, hashes)
                if not ok.any():
                    continue
                y = np.zeros(len(labels), np.float32)
                y[labels.index(label)] = 1.0
                train_real.append(RealAlbum(c[ok], y, None, f"album {album_id}"))
            # Every 4th correction is held out to measure the effect (at least one when there are two).
            held = set(range(0, len(train_real), 4)) if len(train_real) >= 2 else set()
            heldout = [a for i, a in enumerate(train_real) if i in held]
            train_real = [a for i, a in enumerate(train_real) if i not in held]

        report: dict = {"source": "synthetic" if args.synthetic else source, "weights_before": str(current)}
        if args.eval_only:
            if not heldout:
                raise NothingToTrain("--eval-only needs --benchmark DIR")
            if predict_before is None:
                raise NothingToTrain(f"no event model at {current} to evaluate")
            report["evaluation"] = _rounded(evaluate(predict_before, heldout))
            ctx.emit(report, json.dumps(report, indent=2))
            return 0
        if not args.synthetic and not train_real:
            raise NothingToTrain("no event corrections to learn from yet (correct an album with "
                                 "'photoorg albums --set-event ALBUM LABEL'), no --benchmark, no --synthetic")
        if len(pool) < 8:
            raise NothingToTrain("too few analysed photos for synthetic albums; run 'photoorg analyze' first")

        synth = SyntheticAlbums(pool, seed=args.seed)
        syn_val = synthetic_eval_set(SyntheticAlbums(pool, seed=args.seed + 1000), 200)
        before = {"heldout": _rounded(evaluate(predict_before, heldout)) if heldout and predict_before else None,
                  "synthetic": _rounded(evaluate(predict_before, syn_val)) if predict_before else None}
        fine_tune = not args.synthetic
        steps = args.steps or (400 if fine_tune else 3000)
        cfg = TrainConfig(steps=steps, seed=args.seed, model=dict(blob["config"]) if fine_tune else {},
                          lr=1.5e-4 if fine_tune else 5e-4, warmup=20 if fine_tune else 150)
        real_share = 0.0
        if train_real:
            real_share = 0.5 if source == "benchmark" else min(0.3, 0.05 * len(train_real) + 0.05)
        started = time.monotonic()
        new = train(cfg, synth, train_real, real_share, init_state=blob["state"] if fine_tune else None,
                    progress=_progress("train-events"), cancel=ctx.cancel)
        predict_after = ev.EventModel(settings, run=ev.torch_runner(new)).predict
        after = {"heldout": _rounded(evaluate(predict_after, heldout)) if heldout else None,
                 "synthetic": _rounded(evaluate(predict_after, syn_val))}
        out = Path(args.out) if args.out else ev.user_weights_path(settings)
        info = {"trained_at": time.strftime("%Y-%m-%d %H:%M:%S"), "steps": steps, "seed": args.seed,
                "source": report["source"], "real_albums": len(train_real), "heldout_albums": len(heldout),
                "background_photos": int(len(pool)), "seconds": round(time.monotonic() - started, 1),
                "before": before, "after": after}
        ev.save_torch_model(new, out, info=info)
        out.with_suffix(".json").write_text(json.dumps(info, indent=2) + "\n")
        report.update({"weights": str(out), **info})
    lines = [f"trained {steps} steps on {report['source']} ({len(train_real)} real albums) in {info['seconds']} s",
             f"weights: {out}"]
    for name in ("heldout", "synthetic"):
        b, a = before.get(name), after.get(name)
        if b and a:
            lines.append(f"{name}: mAP {b['mAP']:.3f} -> {a['mAP']:.3f}, top-1 {b['top1']:.3f} -> {a['top1']:.3f}"
                         f" ({a['albums']} albums)")
    ctx.emit(report, "\n".join(lines))
    return 0
