"""photoorg train-interest: learn what this owner cares about (or train a base).

    photoorg train-interest [--seed N] [--holdout F]
        Retrain the "user" dimension on the catalog's decisions (keep/trash,
        ratings incl. XMP/EXIF stars, flags, series picks, opens, exports);
        reports agreement on held-out decisions, then rescoring happens on the
        next 'photoorg analyze' (or now with --rescore).
    photoorg train-interest --quality FOLDER... [--out FILE | --install]
        Train the base model (primary attention + quality dimension) from
        real photos and degraded copies; reports held-out pair accuracy.
    photoorg train-interest --visual-interest DIR [--labels mean|median] [--out FILE | --install]
        Train the paper's affective dimensions on the Visual Interest
        dataset's labels; reports five-fold R-squared, Pearson and RMSE.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import PhotoOrgError
from .common import Context, ProgressPrinter


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train-interest", help="learn the owner's taste from their decisions (or train a base model)")
    p.add_argument("--seed", type=int, default=0, help="random seed (same seed and data: same weights)")
    p.add_argument("--holdout", type=float, default=0.2, help="share of labelled photos held out to measure agreement")
    p.add_argument("--rescore", action="store_true", help="rescore every photo now with the new weights")
    p.add_argument("--quality", nargs="+", metavar="FOLDER", help="train the base model on these photos and degraded copies")
    p.add_argument("--visual-interest", metavar="DIR", help="train on the Visual Interest dataset (photos + CSV labels)")
    p.add_argument("--labels", choices=["mean", "median"], default="mean", help="how annotators' ratings are combined")
    p.add_argument("--folds", type=int, default=5, help="cross-validation folds for the reported figures")
    p.add_argument("--epochs", type=int, default=None, help="training epochs (base models)")
    p.add_argument("--out", metavar="FILE", help="where to write the trained base model (.npz)")
    p.add_argument("--install", action="store_true",
                   help="use the trained base model for this catalog (replaces the shipped default)")
    p.set_defaults(func=run)


def _base_out(ctx: Context) -> Path:
    from ..interest.model_store import BASE_FILE

    if ctx.args.out:
        return Path(ctx.args.out)
    if ctx.args.install:
        return ctx.settings.models_dir / BASE_FILE
    raise PhotoOrgError("say where the trained base model goes: --out FILE, or --install to use it for this catalog")


def _train_quality(ctx: Context, printer: ProgressPrinter) -> dict:
    from ..interest.backbones import make_backbones
    from ..interest.dataset import build_quality_dataset, find_images
    from ..interest.base_training import train_base_from_dataset

    out = _base_out(ctx)
    paths = find_images(ctx.args.quality)
    if not paths:
        raise PhotoOrgError("no photos found in the given folders")
    ds = build_quality_dataset(paths, make_backbones(ctx.settings), seed=ctx.args.seed, progress=printer,
                               cancel=ctx.cancel)
    return train_base_from_dataset(ds, out, seed=ctx.args.seed, folds=ctx.args.folds, epochs=ctx.args.epochs)


def _train_visual_interest(ctx: Context, printer: ProgressPrinter) -> dict:
    from ..interest.backbones import make_backbones
    from ..interest.model_store import save_weights
    from ..interest.visual_interest import cross_validate, featurize, quality_reference, read_labels, train_regression

    out = _base_out(ctx)
    paths, dims, labels = read_labels(Path(ctx.args.visual_interest), ctx.args.labels)
    feats, mask, kept = featurize(paths, make_backbones(ctx.settings), printer, ctx.cancel)
    labels = labels[kept]
    epochs = ctx.args.epochs or 60
    report = cross_validate(feats, mask, labels, dims, ctx.args.folds, ctx.args.seed, epochs)
    model = train_regression(feats, mask, labels, dims, ctx.args.seed, epochs)
    meta = {"trained_on": f"Visual Interest labels ({ctx.args.labels}) of {len(kept)} photos",
            "quality_reference": quality_reference(model, feats, mask), "cross_validation": report}
    save_weights(model, out, meta)
    return {**report, "weights": str(out)}


def _text(result: dict) -> str:
    if "dimensions" in result:
        lines = [f"{result['folds']}-fold cross-validation on {result['photos']} photos:",
                 f"{'dimension':<20} {'R2':>6} {'Pearson':>8} {'RMSE':>6}"]
        lines += [f"{d:<20} {m['r2']:>6.2f} {m['pearson']:>8.2f} {m['rmse']:>6.3f}" for d, m in result["dimensions"].items()]
        return "\n".join(lines + [f"weights: {result['weights']}"])
    if "accuracy" in result and "held_out_pairs" in result:
        return (f"quality: {result['accuracy']:.1%} of {result['held_out_pairs']} held-out pairs ordered correctly "
                f"({result['folds']}-fold)\nweights: {result['weights']}")
    held = result.get("held_out")
    lines = [f"trained on {result['labelled_photos']} labelled photos ({result['pairs']} series picks), seed {result['seed']}"]
    if held:
        m, p = held["model"], held["prior_only"]
        lines.append(f"held-out agreement on {m['photos']} photos: accuracy {m['accuracy']}, AUC {m['auc']} "
                     f"(prior alone: accuracy {p['accuracy']}, AUC {p['auc']})")
    elif result.get("note"):
        lines.append(result["note"])
    return "\n".join(lines + [f"weights: {result['weights']}"])


def run(ctx: Context) -> int:
    printer = ProgressPrinter()
    try:
        if ctx.args.quality:
            result = _train_quality(ctx, printer)
        elif ctx.args.visual_interest:
            result = _train_visual_interest(ctx, printer)
        else:
            from ..interest.preference import retrain

            with ctx.open() as catalog:
                result = retrain(catalog, ctx.settings, seed=ctx.args.seed, holdout=ctx.args.holdout)
                if ctx.args.rescore:
                    from ..interest.stage import score

                    result["rescored"] = score(catalog, ctx.settings, printer, ctx.cancel)
    finally:
        printer.finish()
    ctx.emit(result, _text(result))
    return 0
