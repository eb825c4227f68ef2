"""photoorg train-series: teach the series ranker your taste, or train it anew.

Without options: fine-tunes the ranking head on your own series picks (the
shots you kept instead of the suggested one), measures on picks held out
from that training, and keeps the new head only when it is no worse there.

``--photos DIR...`` trains a head from scratch on self-supervised pairs (each
real photo against copies of it with blur, noise, bad exposure, tilt, a bad
crop or JPEG damage), with the NA ablation and a sharpness/exposure
heuristic measured on the same held-out photos; ``--phototriage DIR`` adds
the pair labels of the Phototriage dataset. This is how the shipped head was
made; the result goes to ``--out``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..errors import PhotoOrgError
from .common import Context, ProgressPrinter


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("train-series", help="fine-tune the series ranker on your picks (or train one anew)")
    p.add_argument("--photos", nargs="+", metavar="DIR", help="train from scratch on these real photos")
    p.add_argument("--phototriage", metavar="DIR", help="also train on Phototriage pair labels in DIR")
    p.add_argument("--out", metavar="FILE", help="where to write a head trained with --photos")
    p.add_argument("--epochs", type=int, default=None, help="passes over the pairs (default 10; fine-tuning 30)")
    p.add_argument("--views", type=int, default=3, help="random views per training photo (default 3)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--report", metavar="FILE", help="also write the measurements as JSON to FILE")
    p.add_argument("--keep-worse", action="store_true",
                   help="keep the fine-tuned head even if it measures worse on your held-out picks")
    p.set_defaults(func=run)


def run(ctx: Context) -> int:
    from ..series import train_jobs

    args = ctx.args
    printer = ProgressPrinter()
    if args.photos or args.phototriage:
        if not args.out:
            raise PhotoOrgError("--out FILE is required when training from --photos or --phototriage")
        roots = [Path(p) for p in (args.photos or [])]
        for root in roots:
            if not root.is_dir():
                raise PhotoOrgError(f"no folder {root}")
        from ..series.realset import EXCLUDED
        import fnmatch

        exclude = lambda rel: any(fnmatch.fnmatch(rel, pat) for pat in EXCLUDED)  # noqa: E731
        report = train_jobs.train_from_photos(
            ctx.settings, roots, Path(args.out), epochs=args.epochs or 10, views=args.views, seed=args.seed,
            phototriage=Path(args.phototriage) if args.phototriage else None, exclude=exclude,
            progress=printer, cancel=ctx.cancel)
        held = report["held_out"]
        text = (f"trained on {report['trained_on']['train_pairs']} pairs; held-out accuracy on "
                f"{report['trained_on']['test_pairs']} pairs: PAU {held['pau']['accuracy']:.3f}, "
                f"NA {held['na']['accuracy']:.3f}, heuristic {held['heuristic']['accuracy']:.3f}; "
                f"head written to {report['head']}")
    else:
        with ctx.open() as catalog:
            report = train_jobs.finetune_on_decisions(catalog, ctx.settings, epochs=args.epochs or 30,
                                                      seed=args.seed, save_if_worse=args.keep_worse,
                                                      progress=printer, cancel=ctx.cancel)
        text = (f"fine-tuned on {report['train_pairs']} pairs from your picks; on {report['held_out_pairs']} "
                f"held-out pairs accuracy went {report['held_out_accuracy_before']:.3f} -> "
                f"{report['held_out_accuracy_after']:.3f} (gain {report['gain']:+.3f}); "
                + (f"saved to {report['saved']}" if report["saved"] else report.get("note", "")))
    printer.finish()
    if args.report:
        Path(args.report).write_text(json.dumps(report, indent=2))
    ctx.emit(report, text)
    return 0
