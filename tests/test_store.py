"""grader.store: immutable content-addressed storage."""
from __future__ import annotations

import hashlib
import json
import os
import stat
import zipfile

import pytest

from grader.errors import SubmissionRejected
from grader.store import CHUNK, KEEP_FACTOR, Store, StoredBlob


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_put_bytes_layout_and_sidecar(store):
    blob = store.put_bytes(b"print(1)\n", "blur.py")
    assert isinstance(blob, StoredBlob)
    assert blob.sha256 == sha(b"print(1)\n")
    assert blob.path == store.root / "blobs" / blob.sha256[:2] / blob.sha256
    assert blob.path.read_bytes() == b"print(1)\n"
    meta = json.loads(blob.path.with_suffix(".json").read_text(encoding="utf-8"))
    assert meta["filename"] == "blur.py" and meta["size"] == 9 and meta["first_seen"]
    assert meta["truncated"] is False
    assert store.path_of(blob.sha256) == blob.path


def test_blob_and_sidecar_are_read_only(store):
    blob = store.put_bytes(b"x = 1\n", "a.py")
    assert stat.S_IMODE(blob.path.stat().st_mode) == 0o444
    assert stat.S_IMODE(blob.path.with_suffix(".json").stat().st_mode) == 0o444
    with pytest.raises(AttributeError):
        blob.sha256 = "0" * 64   # frozen dataclass


def test_storing_twice_is_idempotent(store, tmp_path):
    first = store.put_bytes(b"same", "one.py")
    meta_before = store.meta(first.sha256)
    src = tmp_path / "two.py"
    src.write_bytes(b"same")
    second = store.put_file(src)
    assert second.sha256 == first.sha256 and second.path == first.path
    assert store.meta(first.sha256) == meta_before          # first name and time kept
    assert len(list((store.root / "blobs").rglob("*"))) == 3  # one dir, blob, sidecar
    assert list(store.tmp.iterdir()) == []


def test_put_file_streams_in_chunks(store, tmp_path):
    data = os.urandom(3 * 1024 * 1024 + 17)
    src = tmp_path / "big.bin"
    src.write_bytes(data)
    blob = store.put_file(src)
    assert blob.sha256 == sha(data) and blob.size == len(data)


def test_path_of_refuses_non_digests(store):
    with pytest.raises(ValueError):
        store.path_of("../../etc/passwd")


def test_too_large_is_kept_whole_under_ten_times_the_limit(store):
    data = b"a" * 5000
    with pytest.raises(SubmissionRejected) as ei:
        store.put_bytes(data, "big.py", max_bytes=1000)
    assert ei.value.code == "too_large"
    assert ei.value.blob.sha256 == sha(data)
    assert store.path_of(sha(data)).read_bytes() == data
    assert store.meta(sha(data))["truncated"] is False


@pytest.mark.parametrize("limit", [1000, CHUNK + 5])   # prefix ends inside the first / a later chunk
def test_too_large_beyond_ten_times_keeps_a_flagged_prefix(limit, store, tmp_path):
    data = os.urandom(limit * KEEP_FACTOR + 1)
    src = tmp_path / "huge.py"
    src.write_bytes(data)
    with pytest.raises(SubmissionRejected) as ei:
        store.put_file(src, max_bytes=limit)
    blob = ei.value.blob
    assert blob.truncated and blob.size == limit and blob.sha256 == sha(data[:limit])
    assert blob.path.read_bytes() == data[:limit]
    meta = store.meta(blob.sha256)
    assert meta["truncated"] is True and meta["original_size"] == len(data)
    assert "MB" in ei.value.show("en") and ei.value.show("zh")


def test_record_appends_json_lines(store):
    blob = store.put_bytes(b"1", "a.py")
    store.record(blob.sha256, "rejected", "bad_notebook")
    store.record(blob.sha256, "accepted", None, filename="renamed.py")
    lines = store.log.read_text(encoding="utf-8").splitlines()
    first, second = (json.loads(l) for l in lines)
    assert first["sha256"] == blob.sha256 and first["status"] == "rejected"
    assert first["reason"] == "bad_notebook" and first["filename"] == "a.py" and first["time"]
    assert second["status"] == "accepted" and second["reason"] is None
    assert second["filename"] == "renamed.py"
    with pytest.raises(ValueError):
        store.record(blob.sha256, "maybe", None)


def _make_tree(root):
    (root / "sub").mkdir(parents=True)
    (root / "b.py").write_text("b = 2\n")
    (root / "a.py").write_text("a = 1\n")
    (root / "sub" / "data.csv").write_text("x,y\n1,2\n")
    (root / "empty").mkdir()


def test_put_folder_is_deterministic(tmp_path):
    one, two = tmp_path / "one" / "proj", tmp_path / "two" / "proj"
    _make_tree(one)
    _make_tree(two)
    os.utime(two / "a.py", (1_000_000, 1_000_000))       # different mtimes, same zip
    b1 = Store(tmp_path / "s1").put_folder(one)
    b2 = Store(tmp_path / "s2").put_folder(two)
    assert b1.sha256 == b2.sha256 and b1.filename == "proj"
    with zipfile.ZipFile(b1.path) as zf:
        names = zf.namelist()
        assert names == ["a.py", "b.py", "empty/", "sub/", "sub/data.csv"]
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in zf.infolist())
        assert zf.read("sub/data.csv") == b"x,y\n1,2\n"


def test_put_folder_does_not_follow_links(store, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("secret")
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "link.txt").symlink_to(outside)
    blob = store.put_folder(proj)
    with zipfile.ZipFile(blob.path) as zf:
        info = zf.getinfo("link.txt")
        assert stat.S_ISLNK(info.external_attr >> 16)
        assert zf.read(info) == str(outside).encode()   # the link, not the secret


def test_put_folder_truncates_past_ten_times_the_limits(store, tmp_path):
    proj = tmp_path / "proj"
    proj.mkdir()
    for i in range(25):
        (proj / f"f{i:02}.txt").write_text("x")
    blob = store.put_folder(proj, max_files=2)
    assert blob.truncated and store.meta(blob.sha256)["truncated"] is True
    with zipfile.ZipFile(blob.path) as zf:
        assert len(zf.namelist()) == 2 * KEEP_FACTOR
