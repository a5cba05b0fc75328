"""Messages between the harness and the candidate's process: JSON and raw array bytes.

A message is a JSON header plus binary parts (the bytes of numpy arrays and
`bytes` values), framed by lengths. Decoding builds only JSON types, tuples,
sets, bytes, paths and numpy arrays of plain dtypes (`np.frombuffer`, never a
pickle): what the candidate's process sends can be wrong, never code.

Values the candidate's side cannot send (a function, a class, a model object)
travel as a handle, a number the candidate's process maps back to the object.
"""
from __future__ import annotations

import json
import math
import os
import struct
import time
from array import array as float_array
from pathlib import PurePath

MAX_MESSAGE = 512 * 1024 * 1024      # a frame this size is an attack or a bug, not a value
MAX_PARTS = 100_000
MAX_DEPTH = 64
FLOAT_RUN = 64                        # lists of at least this many floats cross as raw bytes
F_SETPIPE_SZ = 1031


class ProtocolError(Exception):
    """The other side sent something that is not a well-formed message."""


class Closed(ProtocolError):
    """The other side's end of the pipe is gone."""


class Handle:
    """A reference to an object that lives in the candidate's process."""

    __slots__ = ("id", "type")

    def __init__(self, id_: int, type_: str):
        self.id, self.type = id_, type_


def widen(fd: int) -> None:
    """A bigger pipe buffer: a megabyte array crosses in a few writes, not hundreds."""
    try:
        import fcntl
        fcntl.fcntl(fd, F_SETPIPE_SZ, 1 << 20)
    except (OSError, ImportError):
        pass


# -- values -------------------------------------------------------------


def encode(value, parts: list, to_handle=None, depth: int = 0):
    """`value` as JSON-able data; array and byte contents appended to `parts`.
    `to_handle(obj)` names what cannot be sent (None: refuse it)."""
    if depth > MAX_DEPTH:
        raise TypeError("value nested too deeply to pass between processes")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        value = float(value)
        return value if math.isfinite(value) else {"F": repr(value)}   # strict JSON has no nan / inf
    if isinstance(value, Handle):
        return {"H": value.id}
    nested = lambda v: encode(v, parts, to_handle, depth + 1)   # noqa: E731
    if isinstance(value, list):
        if len(value) >= FLOAT_RUN and all(type(v) is float for v in value):
            parts.append(float_array("d", value))      # a long list of floats: its bytes, not JSON
            return {"LF": len(parts) - 1}
        return {"L": [nested(v) for v in value]}
    if isinstance(value, tuple) and type(value) is tuple:
        return {"T": [nested(v) for v in value]}
    if isinstance(value, dict) and type(value) is dict:
        return {"D": [[nested(k), nested(v)] for k, v in value.items()]}
    if isinstance(value, (set, frozenset)):
        return {"S": [nested(v) for v in value]}
    if isinstance(value, (bytes, bytearray, memoryview)):
        parts.append(bytes(value))
        return {"B": len(parts) - 1}
    if isinstance(value, PurePath):
        return {"P": str(value)}
    array = _as_array(value)
    if array is not None:
        import numpy as np
        if array.dtype.hasobject:
            return {"L": [nested(v) for v in array.tolist()]} if array.ndim else nested(array.item())
        if isinstance(value, np.generic):
            return nested(value.item())
        array = np.ascontiguousarray(array)
        parts.append(memoryview(array).cast("B") if array.size else b"")
        return {"A": [len(parts) - 1, array.dtype.str, list(array.shape)]}
    if to_handle is not None:
        return {"H": to_handle(value), "type": type(value).__name__[:80]}
    raise TypeError(f"a {type(value).__name__} cannot be passed to the candidate's code")


def _as_array(value):
    mod = type(value).__module__ or ""
    if not mod.startswith("numpy"):
        return None
    import numpy as np
    if isinstance(value, (np.ndarray, np.generic)):
        return np.asarray(value)
    return None


def decode(data, parts: list, from_handle, depth: int = 0):
    """The value `encode` wrote; `from_handle(id, type)` turns a handle into an object."""
    if depth > MAX_DEPTH:
        raise ProtocolError("value nested too deeply")
    if data is None or isinstance(data, (bool, str)):
        return data
    if isinstance(data, (int, float)):
        return data
    if not isinstance(data, dict) or len(data) not in (1, 2):
        raise ProtocolError("malformed value")
    nested = lambda v: decode(v, parts, from_handle, depth + 1)   # noqa: E731
    (tag, body), = list(data.items())[:1]
    if tag == "F" and isinstance(body, str):
        try:
            return float(body)
        except ValueError:
            raise ProtocolError("malformed float") from None
    if tag in ("L", "T", "S") and isinstance(body, list):
        items = [nested(v) for v in body]
        return items if tag == "L" else tuple(items) if tag == "T" else _set(items)
    if tag == "D" and isinstance(body, list):
        out = {}
        for pair in body:
            if not isinstance(pair, list) or len(pair) != 2:
                raise ProtocolError("malformed mapping")
            key = nested(pair[0])
            try:
                out[key] = nested(pair[1])
            except TypeError:
                raise ProtocolError("unhashable mapping key") from None
        return out
    if tag == "LF" and _index(body, parts):
        if len(parts[body]) % 8:
            raise ProtocolError("malformed float list")
        floats = float_array("d")
        floats.frombytes(bytes(parts[body]))
        return floats.tolist()
    if tag == "B" and _index(body, parts):
        return bytes(parts[body])
    if tag == "P" and isinstance(body, str):
        from pathlib import Path
        return Path(body)
    if tag == "A" and isinstance(body, list) and len(body) == 3 and _index(body[0], parts):
        return _array(parts[body[0]], body[1], body[2])
    if tag == "H" and isinstance(body, int):
        kind = data.get("type", "")
        return from_handle(body, kind if isinstance(kind, str) else "")
    raise ProtocolError("malformed value")


def _set(items):
    try:
        return set(items)
    except TypeError:
        raise ProtocolError("unhashable set item") from None


def _index(i, parts) -> bool:
    return isinstance(i, int) and not isinstance(i, bool) and 0 <= i < len(parts)


def _array(buf, descr, shape):
    import numpy as np
    if not isinstance(descr, str) or not isinstance(shape, list) \
            or not all(isinstance(n, int) and n >= 0 for n in shape):
        raise ProtocolError("malformed array")
    try:
        dtype = np.dtype(descr)
    except (TypeError, ValueError):
        raise ProtocolError("malformed array type") from None
    if dtype.hasobject:
        raise ProtocolError("object arrays are not accepted")
    count = 1
    for n in shape:
        count *= n
    if count * dtype.itemsize != len(buf):
        raise ProtocolError("array size does not match its bytes")
    if not count:
        return np.zeros(shape, dtype)
    return np.frombuffer(buf, dtype=dtype).reshape(shape)


# -- frames -------------------------------------------------------------
#
# A frame: u32 count, then per part a u64 size and a u8 kind, then the inline parts.
# A large part (an image, a million floats) goes through a file in a tmpfs folder
# instead (kind 1: the inline bytes are its name): one copy each side and no
# ping-pong of 64 KB pipe buffers between two processes sharing one CPU quota.

SPILL_MIN = 64 * 1024
INLINE, SPILLED = 0, 1


class Spill:
    """The folder both sides put large parts in: one file per writer and part number, written
    again in place for every message (fresh tmpfs pages for every call cost more than the copy).
    Calls alternate strictly, so a file is never written while the other side reads it; what
    the candidate's side does to its own files changes only its own answer."""

    def __init__(self, folder: str, role: str):
        self.folder, self.role = folder, role
        self._index = 0

    def start_message(self) -> None:
        self._index = 0

    def put(self, data) -> bytes:
        self._index += 1
        name = f"{self.role}{self._index}"
        fd = os.open(os.path.join(self.folder, name), os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600)
        try:
            view, done = memoryview(data).cast("B"), 0
            while done < len(view):
                done += os.pwrite(fd, view[done:], done)
        finally:
            os.close(fd)
        return name.encode()

    def take(self, name: bytes, size: int) -> bytearray:
        text = name.decode("ascii", "replace")
        if not text.isalnum() or len(text) > 40:
            raise ProtocolError("malformed part name")
        try:
            fd = os.open(os.path.join(self.folder, text), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            raise ProtocolError("a part is missing") from None
        try:
            import stat
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise ProtocolError("a part is not a file")
            buf = bytearray(size)      # a copy: the value is fixed once the call has returned
            view, got = memoryview(buf), 0
            while got < size:
                k = os.preadv(fd, [view[got:]], got)
                if k == 0:
                    raise ProtocolError("a part is shorter than its frame says")
                got += k
            return buf
        finally:
            os.close(fd)


def spill_folder() -> str:
    """A private folder for large parts: /dev/shm (memory) when there is one."""
    import tempfile
    shm = "/dev/shm"
    base = shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None
    return tempfile.mkdtemp(prefix="practicum-rpc-", dir=base)


def send(fd: int, header: dict, parts: list, spill: Spill | None = None) -> None:
    head = json.dumps(header, ensure_ascii=False, allow_nan=False).encode("utf-8")
    table, inline = [], []
    if spill is not None:
        spill.start_message()
    for i, chunk in enumerate([head, *parts]):
        size = len(memoryview(chunk).cast("B"))
        name = _spilled(spill, chunk) if i and spill is not None and size >= SPILL_MIN else None
        if name is not None:
            table.append(struct.pack("<QB", size, SPILLED))
            inline.append(struct.pack("<I", len(name)) + name)
        else:
            table.append(struct.pack("<QB", size, INLINE))
            inline.append(chunk)
    _write_all(fd, struct.pack("<I", len(table)) + b"".join(table))
    for chunk in inline:
        _write_all(fd, chunk)


def _spilled(spill: Spill, chunk) -> bytes | None:
    try:
        return spill.put(chunk)
    except OSError:              # the folder is full (its tmpfs is small): through the pipe then
        return None


def _write_all(fd: int, data) -> None:
    view = memoryview(data).cast("B")
    while view:
        try:
            n = os.write(fd, view)
        except BrokenPipeError:
            raise Closed("the other side closed the pipe") from None
        view = view[n:]


def receive(fd: int, spill: Spill | None = None, arrived: list | None = None) -> tuple[dict, list]:
    """One message. `arrived` gets the perf_counter() of its first bytes: what follows is
    this side's own copying, which a timing of the other side's work may leave out."""
    count, = struct.unpack("<I", _read_exact(fd, 4))
    if arrived is not None:
        arrived.append(time.perf_counter())
    if not 1 <= count <= MAX_PARTS:
        raise ProtocolError("malformed frame")
    raw = bytes(_read_exact(fd, 9 * count))
    table = [struct.unpack_from("<QB", raw, 9 * i) for i in range(count)]
    if sum(size for size, _ in table) > MAX_MESSAGE:
        raise ProtocolError("message too large")
    chunks = []
    for i, (size, kind) in enumerate(table):
        if kind == INLINE:
            chunks.append(_read_exact(fd, size))
        elif kind == SPILLED and i and spill is not None:
            n, = struct.unpack("<I", _read_exact(fd, 4))
            if n > 40:
                raise ProtocolError("malformed part name")
            chunks.append(spill.take(bytes(_read_exact(fd, n)), size))
        else:
            raise ProtocolError("malformed frame")
    try:
        header = json.loads(bytes(chunks[0]).decode("utf-8"))
    except (ValueError, RecursionError):
        raise ProtocolError("malformed header") from None
    if not isinstance(header, dict):
        raise ProtocolError("malformed header")
    return header, chunks[1:]


def _read_exact(fd: int, n: int) -> bytearray:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = os.readv(fd, [view[got:]])
        if k == 0:
            raise Closed("the other side closed the pipe")
        got += k
    return buf
