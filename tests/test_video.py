"""Videos: probing, sampled frames, cuts, bad files, the model, the stage and
``photoorg videos --json`` on clips made here from the real test photos."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from photoorg.engine.story.ffmpeg import ffmpeg_exe
from photoorg.engine.video.frames import read_frames, sample_times
from photoorg.engine.video.probe import VideoUnreadable, parse_container_time, parse_iso6709, probe
from photoorg.engine.video.segments import find_cuts, match_cuts
from photoorg.engine.video.synthetic_clips import Shot, library_photos, make_clip, standard_shots


@pytest.fixture(scope="module")
def photos(request) -> list[str]:
    from conftest import SHARED_PHOTOS

    if not SHARED_PHOTOS.is_dir():
        pytest.skip(f"real test photos not found at {SHARED_PHOTOS}")
    return library_photos(SHARED_PHOTOS, limit=60)


@pytest.fixture(scope="module")
def clips(photos, tmp_path_factory) -> dict:
    d = tmp_path_factory.mktemp("clips")
    out = {}
    out["main"] = make_clip(standard_shots(photos, seed=3, n_shots=7), d / "main.mp4",
                            creation_time="2019-05-03T12:22:33Z", location="+48.8584+002.2945/")
    out["rotated"] = make_clip([Shot(photos[0], 2.0), Shot(photos[1], 2.0)], d / "rotated.mp4", rotate=90)
    return out


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-loglevel", "error", "-y", *args],
                   check=True, capture_output=True)


def test_container_metadata_parsers():
    assert parse_iso6709("+48.8584+002.2945+035.000/") == (48.8584, 2.2945)
    assert parse_iso6709("+00.0000+000.0000/") is None
    ct = parse_container_time("2019-05-03T16:22:33+0200")
    assert ct.tz == "+02:00" and ct.local.hour == 16
    assert parse_container_time("1904-01-01T00:00:00.000000Z") is None  # MP4's "unset"
    assert parse_container_time("1970-01-01T00:00:00Z") is None


def test_probe_reads_time_place_and_rotation(clips):
    info = probe(clips["main"].path)
    assert info.codec == "h264" and abs(info.duration_s - clips["main"].duration_s) < 0.2
    assert info.capture_source == "container:creation_time" and info.capture_time.startswith("2019-05-03")
    assert (info.lat, info.lon) == (48.8584, 2.2945)
    rot = probe(clips["rotated"].path)
    assert rot.rotation == 90 and rot.width > rot.height  # stored 360x640, shown 640x360
    sampled = read_frames(clips["rotated"].path, [0.5, 1.5], rotation=rot.rotation)
    assert sampled.frames[0].shape[1] > sampled.frames[0].shape[0]


def test_cuts_found_against_known_cuts(clips):
    truth = clips["main"]
    from photoorg.engine.video.reader import read_job

    got = read_job(truth.path, None, 0.5, 30.0)
    # Keyframes only (one a second, as phones write them), then one GOP per cut:
    # far fewer frames decoded than the clip holds.
    assert got["sampling"] == "keyframes" and got["decoded"] < 0.3 * truth.duration_s * truth.fps
    found = got["cuts"]
    tp, fp, fn = match_cuts(found, truth.cuts, tolerance=0.1)  # to the frame (1/15 s)
    assert tp / max(1, tp + fp) >= 0.8 and tp / max(1, tp + fn) >= 0.8, (found, truth.cuts)


def test_bad_files_are_catalogued_or_skipped_with_a_reason(clips, tmp_path):
    from photoorg.engine.scan.skip_kinds import kind_of
    from photoorg.engine.video.reader import read_job

    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    liar = tmp_path / "liar.mp4"
    liar.write_text("this is not a video at all\n" * 50)
    truncated = tmp_path / "truncated.mp4"
    data = Path(clips["main"].path).read_bytes()
    # A non-faststart copy would lose its index; this one (faststart) keeps it
    # and loses the second half of the pictures.
    truncated.write_bytes(data[: len(data) // 2])
    audio = tmp_path / "audio.m4a"
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-c:a", "aac", str(audio))
    for path, kind in ((empty, "empty"), (liar, "unreadable")):
        got = read_job(str(path), None, 0.5, 10.0)
        assert "skip" in got and kind_of(got["skip"]) == kind, got
    got = read_job(str(audio), None, 0.5, 10.0)
    assert got["info"]["codec"] is None and got["info"]["audio_codec"] == "aac"
    assert kind_of(got["problems"][0]) == "no-video"
    one = tmp_path / "one-frame.mp4"  # a 0.04-second video
    _ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x90:rate=25", "-frames:v", "1", "-c:v", "libx264", str(one))
    got = read_job(str(one), None, 0.5, 10.0)
    assert got["frames"].shape[0] == 1 and got["info"]["duration_s"] < 0.1
    zero = tmp_path / "zero.mp4"  # a container with no picture at all
    _ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x90:rate=25", "-frames:v", "0", "-c:v", "libx264", str(zero))
    got = read_job(str(zero), None, 0.5, 10.0)
    assert got["frames"] is None and got["problems"] and kind_of(got["problems"][0]) in ("no-video", "corrupted")
    got = read_job(str(truncated), None, 0.5, 10.0)
    assert got["frames"] is not None and 0 < len(got["times"]) < len(sample_times(clips["main"].duration_s))
    assert got["times"][-1] < clips["main"].duration_s * 0.75


def test_ten_bit_variable_rate_and_long_files(photos, tmp_path):
    from photoorg.engine.video.reader import read_job

    ten = make_clip([Shot(photos[2], 1.5)], tmp_path / "ten.mp4", pix_fmt="yuv420p10le")
    got = read_job(ten.path, None, 0.5, 10.0)
    assert got["info"]["bit_depth"] == 10 and got["frames"] is not None and not got["info"]["hdr"]
    hdr = tmp_path / "hdr.mp4"  # 10-bit PQ (HDR10-like), as phones record HDR
    _ffmpeg("-i", ten.path, "-c", "copy", "-bsf:v",
            "h264_metadata=transfer_characteristics=16:colour_primaries=9:matrix_coefficients=9", str(hdr))
    got = read_job(str(hdr), None, 0.5, 10.0)
    assert got["info"]["hdr"] and got["frames"] is not None
    vfr = tmp_path / "vfr.mp4"  # frames at irregular times
    _ffmpeg("-f", "lavfi", "-i", "testsrc=size=160x90:rate=30:duration=4", "-vf", "setpts='PTS+0.2*random(0)/TB'",
            "-fps_mode", "vfr", "-c:v", "libx264", "-preset", "ultrafast", str(vfr))
    got = read_job(str(vfr), None, 0.5, 10.0)
    assert got["frames"] is not None and len(got["times"]) >= 5
    long_ = tmp_path / "long.mp4"  # an hour at one frame per second: sampled sparsely, quickly
    _ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x36:rate=1:duration=3600", "-c:v", "libx264", "-preset",
            "ultrafast", "-g", "10", str(long_))
    got = read_job(str(long_), None, 0.5, 20.0)
    assert abs(got["info"]["duration_s"] - 3600) < 2
    assert len(got["times"]) <= 360 and got["times"][-1] > 3000


def test_time_limit_stops_reading_and_isolation(clips):
    from photoorg.engine.video.reader import IsolatedReader

    with IsolatedReader(time_limit_s=0.0) as reader:
        got = reader.read(clips["main"].path)
    # Either the child stopped sampling at once, or the parent gave up: never a hang.
    assert "skip" in got or any("time limit" in p for p in got["problems"])


def test_model_recalibrates_importance_by_confidence():
    import torch

    from photoorg.engine.models.video_mtn import VideoMTN

    torch.manual_seed(0)
    model = VideoMTN(n_scenes=4, n_actions=3).eval()
    out = model(*model.example_inputs(3))
    conf = torch.softmax(out["scene"], -1).amax(-1) * torch.softmax(out["action"], -1).amax(-1)
    assert torch.allclose(out["importance"], torch.sigmoid(out["importance_logit"]) * conf)
    assert out["attention_scene"].shape == out["attention_action"].shape
    # Padded positions get no attention from the query processor.
    assert float(out["attention_scene"][-1, -1].detach()) == 0.0


def test_small_seeded_training_is_repeatable(photos, settings):
    from photoorg.engine.analysis.backbone_runner import BackboneRunner
    from photoorg.engine.video.train import synthetic_segments, train

    data = synthetic_segments(photos[:6], BackboneRunner(settings), frames=2, size=(160, 90), seed=1)
    assert len(data.index) == 6 * 5 and data.scene.shape[0] == 30
    _, m1 = train(data, epochs=2, seed=4)
    _, m2 = train(data, epochs=2, seed=4)
    assert m1 == m2 and m1["photos_held_out"] >= 1


def test_stage_and_videos_json(clips, photos, tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    shutil.copy(clips["main"].path, lib / "main.mp4")
    shutil.copy(clips["main"].path, lib / "copy.mp4")
    _ffmpeg("-ss", "4", "-i", clips["main"].path, "-t", "10", "-c:v", "libx264", "-preset", "ultrafast",
            str(lib / "trimmed.mp4"))
    (lib / "broken.mp4").write_text("not a video")
    cat = tmp_path / "cat.sqlite"
    run = lambda *a: subprocess.run([sys.executable, "-m", "photoorg.engine.cli", "--catalog", str(cat), *a],
                                    capture_output=True, text=True, timeout=600)
    scanned = run("scan", str(lib), "--json")
    assert scanned.returncode == 0
    # An unreadable video is in the scan's skip list (tests/test_video_scan.py), not catalogued.
    assert [(Path(s["path"]).name, s["kind"]) for s in json.loads(scanned.stdout)["skipped"]] == \
        [("broken.mp4", "unreadable")]
    res = run("videos", "--analyse", "--json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    by_name = {Path(v["path"]).name: v for v in data["videos"]}
    main = by_name["main.mp4"]
    assert main["status"] == "ok" and abs(main["duration"] - clips["main"].duration_s) < 0.2
    seg = main["segments"][0]
    assert {"start", "end", "scene", "action", "importance"} <= set(seg)
    assert 1 <= len(main["highlights"]) <= 3 and main["highlights"][0]["highlight"] == 1
    assert Path(main["poster_path"]).is_file()
    assert "broken.mp4" not in by_name
    dups = {n: v["duplicate_of"] for n, v in by_name.items() if v["duplicate_of"]}
    assert dups.get("trimmed.mp4", {}).get("kind") == "trimmed copy"
    assert any(d["kind"] == "same clip" for d in dups.values())
    # The poster is not a black frame.
    from PIL import Image

    assert np.asarray(Image.open(main["poster_path"]).convert("L")).mean() > 20


def test_coview_style_labels_train_a_model_with_their_classes(photos, settings, tmp_path):
    from photoorg.engine.analysis.backbone_runner import BackboneRunner
    from photoorg.engine.video.train import coview_segments, train

    folder = tmp_path / "coview"
    folder.mkdir()
    for k in range(2):  # two videos of two 5-second segments, labelled by what they show
        make_clip([Shot(photos[10 + k], 5.0), Shot(photos[40 + k], 5.0, "dark")], folder / f"v{k}.mp4",
                  size=(160, 90))
        (folder / f"v{k}.csv").write_text("segment,scene,action,importance\n0,garden,walking,1.8\n"
                                          "1,night,sitting,0.2\n")
    data, scenes, actions = coview_segments(folder, BackboneRunner(settings))
    assert scenes == ["garden", "night"] and actions == ["sitting", "walking"]
    assert len(data.index) == 4 and np.allclose(sorted(data.importance), [0.1, 0.1, 0.9, 0.9])
    model, metrics = train(data, epochs=2, seed=0, held_out=0.5)
    assert model.cfg.n_scenes == 2 and metrics["held_out"]["segments"] == 2


def test_importance_lower_on_degraded_stretches(tmp_path, settings):
    """The shipped model on a clip of photos it was not trained on (it saw the
    first 120 of library order): clean segments above degraded ones."""
    from conftest import SHARED_PHOTOS

    from photoorg.engine.analysis.backbone_runner import BackboneRunner
    from photoorg.engine.video.analyze import analyze_file
    from photoorg.engine.video.model_store import load_video_model

    if not SHARED_PHOTOS.is_dir():
        pytest.skip(f"real test photos not found at {SHARED_PHOTOS}")
    unseen = library_photos(SHARED_PHOTOS, limit=400)[120:]
    shots = [Shot(unseen[i], 5.0, effect) for i, effect in
             enumerate(("clean", "dark", "clean", "shake", "clean", "blur", "static"))]
    clip = make_clip(shots, tmp_path / "clip.mp4")
    res = analyze_file(clip.path, BackboneRunner(settings), load_video_model(settings))
    effect = {round(s["start"]): s["effect"] for s in clip.shots}
    by = {}
    for seg in res.segments:
        by.setdefault(effect.get(round(seg.start), "?"), []).append(seg.importance)
    clean = by.pop("clean")
    pairs = [(c, d) for c in clean for ds in by.values() for d in ds]
    assert len(pairs) >= 10
    assert np.mean([c > d for c, d in pairs]) >= 0.75, by
