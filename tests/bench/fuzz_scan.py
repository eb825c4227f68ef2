"""Longer fuzzing for release checks (not in the default test run).

    nice -n 10 .venv/bin/python tests/bench/fuzz_scan.py [--examples 3000] [--corpus 2000] [--seed 0]

1. Hypothesis draws a seed file from ../shared/photos (every format the
   scanner reads) or an XMP sidecar, and a list of damaging edits (flipped
   bits, cut-offs, repeated and dropped blocks, extreme header values,
   splices, hostile sidecar values); each example goes through the scanner's
   per-file reader (``extract``) in a forked child with a time limit, which
   must return "added" or "skipped with a reason", never raise, never name an
   unexpected error, never crash, never take more than ``--seconds`` or
   ``--memory-mb``. A failing example is shrunk by hypothesis to its smallest
   form and printed.
2. A seeded corpus of ``--corpus`` mutated photos and sidecars is scanned like
   a user would (worker processes): every photo added or skipped with a
   reason, peak memory of the scanning process and of each worker under
   ``--memory-mb``.
"""

from __future__ import annotations

import argparse
import os
import pickle
import resource
import signal
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PHOTOS = REPO.parent / "shared" / "photos"
sys.path.insert(0, str(REPO / "tests"))

from fuzz_corpus import EXTREMES, SEEDS, SIDECAR_SEEDS, run_scan  # noqa: E402


def _limited_extract(path: str, sidecar, seconds: float, memory_mb: int) -> tuple[str, str]:
    """('added' | 'skipped' | 'raised' | 'crashed' | 'timeout', detail), the
    reader run in a forked child under a time and address-space limit."""
    from photoorg.engine.scan.extract import ExtractConfig, Extracted, FileTask, extract

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        try:
            resource.setrlimit(resource.RLIMIT_AS, (memory_mb << 20, memory_mb << 20))
            signal.alarm(int(seconds) + 1)
            st = os.stat(path)
            task = FileTask(path, st.st_size, st.st_mtime_ns, sidecar, os.stat(sidecar).st_mtime_ns if sidecar else None)
            result = extract(task, ExtractConfig(tempfile.gettempdir() + "/fuzz-thumbs", 384, 178.9))
            out = ("added", "") if isinstance(result, Extracted) else ("skipped", result.reason)
        except BaseException as exc:  # noqa: BLE001 - what we are looking for
            out = ("raised", f"{type(exc).__name__}: {exc}")
        os.write(write, pickle.dumps(out))
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        data = fh.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return ("timeout" if sig == signal.SIGALRM else "crashed", f"signal {sig}")
    return pickle.loads(data) if data else ("crashed", f"status {status}")


def hypothesis_phase(examples: int, seed: int, seconds: float, memory_mb: int) -> int:
    from hypothesis import HealthCheck, given, settings, strategies as st
    from photoorg.engine.imaging.decode import _register_plugins

    from fuzz_corpus import mutate_xmp

    _register_plugins()  # once, before the children fork
    photos = {n: (PHOTOS / n).read_bytes() for n in SEEDS if (PHOTOS / n).is_file()}
    sidecars = [(PHOTOS / n).read_text(errors="replace") for n in SIDECAR_SEEDS if (PHOTOS / n).is_file()]
    work = Path(tempfile.mkdtemp(prefix="fuzz-scan-"))
    edit = st.one_of(
        st.tuples(st.just("flip"), st.integers(0, 1 << 30), st.integers(0, 7)),
        st.tuples(st.just("cut"), st.integers(8, 1 << 30), st.just(0)),
        st.tuples(st.just("repeat"), st.integers(0, 1 << 30), st.integers(1, 4096)),
        st.tuples(st.just("drop"), st.integers(0, 1 << 30), st.integers(1, 4096)),
        st.tuples(st.just("extreme"), st.integers(0, 1023), st.integers(0, len(EXTREMES) - 1)),
        st.tuples(st.just("bytes"), st.integers(0, 1 << 30), st.integers(0, 255)),
    )
    failures: list[str] = []
    counts = {"added": 0, "skipped": 0}

    def apply(data: bytes, edits) -> bytes:
        out = bytearray(data)
        for op, at, arg in edits:
            if not out:
                break
            i = at % len(out)
            if op == "flip":
                out[i] ^= 1 << arg
            elif op == "cut":
                del out[max(8, i):]
            elif op == "repeat":
                out[i:i] = out[i:i + arg]
            elif op == "drop":
                del out[i:i + arg]
            elif op == "extreme":
                value = EXTREMES[arg]
                out[i:i + len(value)] = value
            else:
                out[i] = arg
        return bytes(out)

    @settings(max_examples=examples, deadline=None, derandomize=False, database=None,
              suppress_health_check=list(HealthCheck))
    @given(name=st.sampled_from(sorted(photos)), edits=st.lists(edit, min_size=1, max_size=6),
           side=st.one_of(st.none(), st.integers(0, 1 << 30)))
    def one(name, edits, side):
        path = work / f"x{Path(name).suffix}"
        path.write_bytes(apply(photos[name], edits))
        sidecar = None
        if side is not None and sidecars:
            import random
            sidecar = str(path) + ".xmp"
            Path(sidecar).write_bytes(mutate_xmp(sidecars[side % len(sidecars)], random.Random(side)))
        outcome, detail = _limited_extract(str(path), sidecar, seconds, memory_mb)
        if sidecar:
            os.unlink(sidecar)
        ok = outcome == "added" or (outcome == "skipped" and detail and not detail.startswith("unexpected error"))
        if not ok:
            failures.append(f"{name} {edits} sidecar={side}: {outcome}: {detail}")
        else:
            counts[outcome] += 1
        assert ok, f"{outcome}: {detail}"

    started = time.monotonic()
    try:
        one()
    except AssertionError as exc:
        print(f"FAILED (shrunk): {failures[-1] if failures else exc}")
        return 1
    print(f"hypothesis: {examples} examples in {time.monotonic() - started:.0f}s: {counts['added']} added, "
          f"{counts['skipped']} skipped with a reason; none raised, crashed, ran over {seconds:.0f}s or "
          f"needed more than {memory_mb} MB")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--examples", type=int, default=3000)
    ap.add_argument("--corpus", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--seconds", type=float, default=20.0, help="time limit per file")
    ap.add_argument("--memory-mb", type=int, default=1024, help="memory bound per file and per process")
    args = ap.parse_args()
    if not PHOTOS.is_dir():
        print(f"skipped: {PHOTOS} not found")
        return 0
    failed = hypothesis_phase(args.examples, args.seed, args.seconds, args.memory_mb) if args.examples else 0
    if args.corpus:
        with tempfile.TemporaryDirectory(prefix="fuzz-corpus-") as tmp:
            report = run_scan(PHOTOS, Path(tmp), args.corpus, args.seed)
        print(f"corpus scan: {report['photos']} photos ({', '.join(report['formats'])}) and {report['sidecars']} "
              f"sidecars in {report['seconds']}s: {report['added']} added, {report['skipped']} skipped entries; "
              f"peak memory {report['peak_mb']} MB (scanning process), {report['worker_peak_mb']} MB (largest "
              f"worker); bound {args.memory_mb} MB")
        if report["problems"] or max(report["peak_mb"], report["worker_peak_mb"]) >= args.memory_mb:
            print("FAILED:", report["problems"][:20])
            failed = 1
    print("OK" if not failed else "FAILED")
    return failed


if __name__ == "__main__":
    sys.exit(main())
