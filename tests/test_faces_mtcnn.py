"""MTCNN face detection (engine/faces/mtcnn.py) and the default detector
built on it: the cascade's parts, the faces of real group photos against
their sources' face counts, HOG's own box kept where HOG confirms a face,
and cut-off faces grown to the whole face."""

from __future__ import annotations

import numpy as np

from photoorg.engine.faces import mtcnn
from photoorg.engine.faces.detect import DetectorConfig, FaceAnalyzer
from photoorg.engine.faces.mtcnn_boxes import whole_face_box


def test_nms_keeps_the_best_of_overlapping_boxes():
    boxes = np.array([[0, 0, 99, 99], [5, 5, 104, 104], [200, 200, 259, 259], [210, 210, 229, 229]], np.float32)
    scores = np.array([0.8, 0.9, 0.7, 0.95], np.float32)
    assert sorted(mtcnn.nms(boxes, scores, 0.5).tolist()) == [1, 2, 3]  # the small box is inside, IoU 0.11
    assert sorted(mtcnn.nms(boxes, scores, 0.5, by_min=True).tolist()) == [1, 3]  # ... but wholly covered


def test_pyramid_starts_where_the_smallest_face_fills_the_window():
    scales = mtcnn._pyramid_scales(2000, 1500, 80)
    assert scales[0] == 12 / 80 and all(b / a == np.float64(mtcnn.STEP) or abs(b / a - mtcnn.STEP) < 1e-9
                                        for a, b in zip(scales, scales[1:]))
    assert min(1500 * scales[-1], 2000 * scales[-1]) >= 12 > 1500 * scales[-1] * mtcnn.STEP


def test_group_photos_against_their_face_counts(shared_photos, settings):
    """compreface's group photos carry their face count in the name; the
    default detector finds that many on the four largest groups (dlib's HOG
    alone misses one face of 000_5 and of 016_8)."""
    default, hog = FaceAnalyzer(settings=settings), FaceAnalyzer(DetectorConfig(detector="hog"), settings)
    counts = {}
    for name in ("000_5.jpg", "014_5.jpg", "015_6.jpg", "016_8.jpg"):
        image = default.load(str(shared_photos / "people" / "compreface" / "groups" / name))
        counts[name] = (len(default.analyze(image)), len(hog.analyze(image)))
    assert {k: v[0] for k, v in counts.items()} == {"000_5.jpg": 5, "014_5.jpg": 5, "015_6.jpg": 6, "016_8.jpg": 8}
    assert counts["000_5.jpg"][1] == 4 and counts["016_8.jpg"][1] == 7, counts
    # The networks were exported once into the catalog's model cache.
    assert {p.name.split("-")[0] for p in settings.models_dir.glob("mtcnn_*.onnx")} == {
        "mtcnn_pnet", "mtcnn_rnet", "mtcnn_onet"}


def test_hog_confirmed_faces_keep_hogs_box_and_embedding(shared_photos, settings):
    path = str(shared_photos / "faces" / "knn_examples" / "train" / "biden" / "biden.jpg")
    default, hog = FaceAnalyzer(settings=settings), FaceAnalyzer(DetectorConfig(detector="hog"), settings)
    image = default.load(path)
    (a,), (b,) = default.analyze(image, image.info["full_size"]), hog.analyze(image, image.info["full_size"])
    # HOG's look at a shrunk crop sits a few pixels off its whole-photo box;
    # the landmarks on the face (what the chip is cut by) stay put.
    assert np.allclose(a.box, b.box, atol=0.03)
    assert np.allclose(a.landmarks, b.landmarks, atol=0.005)
    assert np.linalg.norm(a.embedding - b.embedding) < 0.1  # dlib's same-person line is 0.6
    assert a.det_score > 0  # a HOG decision value, as stored before


def test_a_face_cut_by_the_border_is_grown_to_the_whole_face():
    points = np.array([[30, 50], [70, 50], [40, 75], [32, 95], [68, 95]], np.float32)
    inside = whole_face_box(np.array([10, 20, 90, 130]), points, 400, 300)
    assert inside.tolist() == [10, 20, 90, 130]  # away from the border: as it was
    # Cut through the left eye: the nose is near the border.
    cut_points = points - np.array([25, 0], np.float32)
    cut = whole_face_box(np.array([0, 20, 60, 130]), cut_points, 400, 300)
    assert cut[0] < 0 and cut[2] == 60  # moved out past the left border
    assert cut[2] - cut[0] <= 110 / 1.34 + 1e-3  # no wider than a whole face of that height
