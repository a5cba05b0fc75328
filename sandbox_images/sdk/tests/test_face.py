"""edgeai.face on real photos (tests/data, see its README for sources and licences)."""
import dataclasses
import itertools
import pathlib

import cv2
import numpy as np
import pytest

from edgeai import face

DATA = pathlib.Path(__file__).parent / "data"
# Drawn by hand on astronaut.jpg and checked by eye: cheek to cheek, hairline to chin.
ASTRONAUT_BOX = (176, 58, 272, 178)
OBAMA = ["obama.jpg", "obama2.jpg", "obama3.jpg"]
OTHERS = ["astronaut.jpg", "biden.jpg"]
NONE_MSG = "image is None: check the path passed to cv2.imread"


def iou(a, b):
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    area = lambda r: (r[2] - r[0]) * (r[3] - r[1])  # noqa: E731
    return inter / (area(a) + area(b) - inter)


def load(name):
    img = cv2.imread(str(DATA / name))
    assert img is not None, name
    return img


@pytest.fixture(scope="module")
def astronaut():
    return load("astronaut.jpg")


@pytest.fixture(scope="module")
def embeddings():
    out = {}
    for name in OBAMA + OTHERS:
        img = load(name)
        faces = face.detect(img)
        assert faces, name
        out[name] = face.embed(face.align(img, faces[0]))
    return out


# ----------------------------------------------------------------------------- detect


def test_detect_astronaut(astronaut):
    faces = face.detect(astronaut)
    assert len(faces) == 1
    f = faces[0]
    assert isinstance(f, face.Face)
    assert all(isinstance(v, int) for v in f.box)
    assert iou(f.box, ASTRONAUT_BOX) > 0.5
    assert 0.9 < f.score <= 1.0
    assert len(f.landmarks) == 5
    x1, y1, x2, y2 = f.box
    for x, y in f.landmarks:
        assert x1 <= x <= x2 and y1 <= y <= y2
    le, re, nose, ml, mr = f.landmarks
    assert le[0] < re[0] and ml[0] < mr[0]          # left/right as seen in the image
    assert max(le[1], re[1]) < nose[1] < min(ml[1], mr[1])  # eyes, then nose, then mouth


def test_face_is_frozen(astronaut):
    f = face.detect(astronaut)[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.score = 0.0
    assert f.width == f.box[2] - f.box[0] and f.height == f.box[3] - f.box[1]


def test_detect_every_photo_one_main_face():
    for name in OBAMA + OTHERS:
        faces = face.detect(load(name))
        assert faces and faces[0].score > 0.9, name
        scores = [f.score for f in faces]
        assert scores == sorted(scores, reverse=True)  # best first


def test_detect_no_face():
    assert face.detect(np.zeros((200, 300, 3), np.uint8)) == []
    assert face.detect(np.full((8, 8, 3), 128, np.uint8)) == []


def test_detect_grey_and_bgra(astronaut):
    grey = cv2.cvtColor(astronaut, cv2.COLOR_BGR2GRAY)
    bgra = cv2.cvtColor(astronaut, cv2.COLOR_BGR2BGRA)
    for img in (grey, bgra):
        faces = face.detect(img)
        assert faces and iou(faces[0].box, ASTRONAUT_BOX) > 0.5


def test_detect_parameters(astronaut):
    assert face.detect(astronaut, min_size=200) == []   # the face is ~90 px wide
    assert face.detect(astronaut, threshold=0.99)
    with pytest.raises(ValueError, match="min_size"):
        face.detect(astronaut, min_size=5)
    with pytest.raises(ValueError, match="threshold"):
        face.detect(astronaut, threshold=1.5)


# ----------------------------------------------------------------------------- align


def test_align_shape_and_template(astronaut):
    f = face.detect(astronaut)[0]
    crop = face.align(astronaut, f)
    assert crop.shape == (150, 150, 3) and crop.dtype == np.uint8
    assert np.array_equal(crop, face.align(astronaut, f))  # deterministic
    assert face.align(astronaut, f, size=112).shape == (112, 112, 3)
    # landmarks found again on the aligned crop sit on the template
    big = cv2.copyMakeBorder(crop, 60, 60, 60, 60, cv2.BORDER_CONSTANT)
    again = face.detect(big)[0]
    pts = np.array(again.landmarks) - 60
    assert np.abs(pts - face.TEMPLATE_150).max() < 10


def test_align_accepts_landmark_array(astronaut):
    f = face.detect(astronaut)[0]
    crop = face.align(astronaut, np.array(f.landmarks))
    assert np.array_equal(crop, face.align(astronaut, f))
    with pytest.raises(ValueError, match="Face"):
        face.align(astronaut, f.box)
    with pytest.raises(ValueError, match="size"):
        face.align(astronaut, f, size=4)


# ----------------------------------------------------------------------------- embed / compare


def test_embed_shape(embeddings):
    for vec in embeddings.values():
        assert vec.shape == (128,) and vec.dtype == np.float32


def test_same_person_close(embeddings):
    for a, b in itertools.combinations(OBAMA, 2):
        d = face.compare(embeddings[a], embeddings[b])
        assert d < 0.6, (a, b, d)
        assert face.same_person(embeddings[a], embeddings[b])


def test_different_people_far(embeddings):
    names = OBAMA + OTHERS
    for a, b in itertools.combinations(names, 2):
        if a in OBAMA and b in OBAMA:
            continue
        d = face.compare(embeddings[a], embeddings[b])
        assert d > 0.6, (a, b, d)
        assert not face.same_person(embeddings[a], embeddings[b])


def test_embed_box_crop_also_works(embeddings):
    img = load("obama2.jpg")
    x1, y1, x2, y2 = face.detect(img)[0].box
    vec = face.embed(img[y1:y2, x1:x2])
    assert face.compare(vec, embeddings["obama.jpg"]) < 0.6
    assert face.compare(vec, embeddings["biden.jpg"]) > 0.6


def test_compare_basics(embeddings):
    v = embeddings["obama.jpg"]
    assert face.compare(v, v) == 0.0
    assert face.THRESHOLD == 0.6
    assert face.same_person(v, embeddings["obama2.jpg"], threshold=0.1) is False
    with pytest.raises(ValueError, match="128"):
        face.compare(v, v[:10])
    with pytest.raises(ValueError, match="None"):
        face.compare(v, None)


# ----------------------------------------------------------------------------- input errors


def test_none_image_message(astronaut):
    f = face.detect(astronaut)[0]
    missing = cv2.imread(str(DATA / "no_such_file.jpg"))
    assert missing is None
    with pytest.raises(ValueError) as e:
        face.detect(missing)
    assert str(e.value) == NONE_MSG
    with pytest.raises(ValueError) as e:
        face.align(None, f)
    assert str(e.value) == NONE_MSG
    with pytest.raises(ValueError) as e:
        face.embed(None)
    assert str(e.value) == NONE_MSG


def test_bad_image_messages(astronaut):
    with pytest.raises(TypeError, match="cv2.imread"):
        face.detect(str(DATA / "astronaut.jpg"))
    with pytest.raises(ValueError, match="dtype float32.*uint8"):
        face.detect(astronaut.astype(np.float32) / 255)
    with pytest.raises(ValueError, match=r"shape \(512, 512, 2\)"):
        face.detect(astronaut[:, :, :2])
    with pytest.raises(ValueError, match="empty"):
        face.detect(astronaut[:0])
    with pytest.raises(ValueError, match="too small"):
        face.embed(astronaut[:10, :10])


# ----------------------------------------------------------------------------- info


def test_info_matches_files():
    import onnxruntime as ort

    inf = face.info()
    det = inf["detector"]
    for name, path in det["files"].items():
        assert pathlib.Path(path).stat().st_size == det["bytes"][name]
    assert det["total_bytes"] == sum(det["bytes"].values())
    for net, size in (("rnet", [24, 24]), ("onet", [48, 48])):
        sess = ort.InferenceSession(det["files"][f"{net}.onnx"], providers=["CPUExecutionProvider"])
        assert sess.get_inputs()[0].shape[1:3] == size == det["input_sizes"][net]
    emb = inf["embedder"]
    assert emb["input_size"] == [150, 150] and emb["threshold"] == 0.6
    assert pathlib.Path(emb["file"]).stat().st_size == emb["bytes"] > 20_000_000
    assert inf["landmarks"]["bytes"] == pathlib.Path(inf["landmarks"]["file"]).stat().st_size
