"""The messages between the harness and the candidate's process (grader/harness/wire.py).

Real pipes and a real spill folder; what the candidate's side sends is decoded
into plain values or refused, never unpickled.
"""
from __future__ import annotations

import os
import struct
import threading
from pathlib import Path

import numpy as np
import pytest

from grader.harness import wire


def _cross(header, parts, spill=None):
    r, w = os.pipe()
    try:
        sender = threading.Thread(target=wire.send, args=(w, header, parts, spill))
        sender.start()
        got = wire.receive(r, spill)
        sender.join()
        return got
    finally:
        os.close(r)
        os.close(w)


def _round_trip(value, spill=None):
    parts: list = []
    encoded = wire.encode(value, parts, lambda obj: 7)
    header, got = _cross({"value": encoded}, parts, spill)
    return wire.decode(header["value"], got, lambda h, kind: ("handle", h, kind))


def test_values_keep_their_types(tmp_path):
    value = {"a": [1, 2.5, float("inf")], (1, 2): frozenset({3}), "b": b"\x00\xff", "p": Path("/x/y"),
             "n": np.float32(1.5), "flag": np.bool_(True), "none": None, 3: "three"}
    got = _round_trip(value)
    assert got == {"a": [1, 2.5, float("inf")], (1, 2): {3}, "b": b"\x00\xff", "p": Path("/x/y"),
                   "n": 1.5, "flag": True, "none": None, 3: "three"}
    assert isinstance(got[(1, 2)], set) and np.isnan(_round_trip(float("nan")))


@pytest.mark.parametrize("spilled", [False, True])
def test_arrays_cross_whole_and_writable(tmp_path, spilled):
    spill = wire.Spill(str(tmp_path), "h") if spilled else None
    image = np.arange(480 * 640 * 3, dtype=np.uint8).reshape(480, 640, 3)[:, ::2]   # not contiguous
    got = _round_trip([image, np.zeros((0, 3)), np.float64(2.0)], spill)
    assert got[0].dtype == np.uint8 and np.array_equal(got[0], image)
    got[0][0, 0, 0] = 1                       # a test may change what it got
    assert got[1].shape == (0, 3) and got[2] == 2.0
    assert bool(list(tmp_path.iterdir())) is spilled


def test_a_long_list_of_floats_stays_a_list_of_floats():
    values = [i / 7 for i in range(1000)] + [float("nan")]
    got = _round_trip([values, [1.5] * 3 + [2]])
    assert type(got[0]) is list and got[0][:-1] == values[:-1] and got[0][-1] != got[0][-1]
    assert got[1] == [1.5, 1.5, 1.5, 2] and type(got[1][3]) is int


def test_what_cannot_cross_becomes_a_handle():
    assert _round_trip(len) == ("handle", 7, "builtin_function_or_method")
    with pytest.raises(TypeError):
        wire.encode(object(), [])             # the harness's side never makes handles


def test_object_arrays_are_refused_not_unpickled():
    import pickle
    with pytest.raises(wire.ProtocolError):
        wire.decode({"A": [0, "|O", [1]]}, [bytearray(pickle.dumps(["x"]))], None)
    with pytest.raises(wire.ProtocolError):
        wire.decode({"A": [0, "<f8", [3]]}, [bytearray(8)], None)     # sizes disagree


@pytest.mark.parametrize("data", [{"X": 1}, {"L": 5}, {"D": [[1]]}, [1, 2], {"B": 3}, {"H": "1"}])
def test_malformed_values_are_refused(data):
    with pytest.raises(wire.ProtocolError):
        wire.decode(data, [], lambda h, kind: h)


def test_malformed_frames_are_refused():
    for raw in (struct.pack("<I", 0), struct.pack("<I", 1) + struct.pack("<QB", 10 ** 12, 0),
                struct.pack("<I", 1) + struct.pack("<QB", 2, 0) + b"[]"):
        r, w = os.pipe()
        os.write(w, raw)
        os.close(w)
        with pytest.raises(wire.ProtocolError):
            wire.receive(r)
        os.close(r)


def test_a_spilled_part_must_be_a_file_in_the_folder(tmp_path):
    spill = wire.Spill(str(tmp_path), "c")
    (tmp_path / "elsewhere").write_bytes(b"x" * 100)
    (tmp_path / "c1").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(wire.ProtocolError):
        spill.take(b"c1", 100)
    with pytest.raises(wire.ProtocolError):
        spill.take(b"../elsewhere", 100)


def test_a_closed_pipe_is_named():
    r, w = os.pipe()
    os.close(w)
    with pytest.raises(wire.Closed):
        wire.receive(r)
    os.close(r)
