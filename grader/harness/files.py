"""Reading what a candidate's run left behind, safely: for rubric tests (`rubric.read_*`).

A candidate's output folder is written by hostile code. A trusted test that opens
`out/model.onnx` with `open()` follows a link the candidate planted to somewhere
it should not read, or reads a 10 GB file into memory. These helpers resolve a
relative path under a base folder, refuse links at every step, `..` and absolute
paths, open the file with O_NOFOLLOW, accept regular files only and read at most
`max_bytes`. Whatever goes wrong raises `Unreadable`, a `rubric.Fail` whose
message names the file and the reason in English and Chinese, so an uncaught one
simply fails the check with a message the candidate understands.
"""
from __future__ import annotations

import csv
import io
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .rubric import Fail

KB, MB = 1024, 1024 * 1024


class Unreadable(Fail):
    """The candidate's file cannot be used: missing, a link, too large, not what it should be."""

    def __init__(self, rel: str, en: str, zh: str):
        super().__init__(f"{rel} {en}", f"{rel} {zh}")
        self.rel, self.reason = rel, en


def _size(n: int) -> tuple[str, str]:
    text = f"{n // MB} MB" if n >= MB else f"{n // KB} KB"
    return text, text


def _resolve(base: Path, rel: str) -> Path:
    """base/rel, refusing absolute paths, `..` and a link at any step."""
    parts = PurePosixPath(str(rel).replace("\\", "/")).parts
    if not parts or PurePosixPath(str(rel)).is_absolute() or any(p in ("..", "") for p in parts):
        raise Unreadable(str(rel), "is not a path inside the output folder", "不是输出文件夹内的路径")
    cur = Path(base)
    for part in parts:
        if part == ".":
            continue
        cur = cur / part
        try:
            if stat.S_ISLNK(os.lstat(cur).st_mode):
                raise Unreadable(str(rel), "is a link, not a file", "是链接，不是文件")
        except FileNotFoundError:
            raise Unreadable(str(rel), "is missing", "不存在") from None
    return cur


def read_bytes(base: Path, rel: str, *, max_bytes: int) -> bytes:
    """The bytes of base/rel: a regular file, never through a link, at most `max_bytes`."""
    path = _resolve(base, rel)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)   # a planted FIFO must not block us
    except OSError:
        raise Unreadable(rel, "cannot be read", "无法读取") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise Unreadable(rel, "is not a regular file", "不是普通文件")
        chunks, size = [], 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(fd)
    if size > max_bytes:
        en, zh = _size(max_bytes)
        raise Unreadable(rel, f"is larger than {en}", f"大于 {zh}")
    return b"".join(chunks)


def exists(base: Path, rel: str) -> bool:
    """Whether base/rel is a regular file reachable without links."""
    try:
        path = _resolve(base, rel)
    except Unreadable:
        return False
    return stat.S_ISREG(os.lstat(path).st_mode)


def read_text(base: Path, rel: str, *, max_bytes: int = 1 * MB, encoding: str = "utf-8-sig") -> str:
    data = read_bytes(base, rel, max_bytes=max_bytes)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise Unreadable(rel, f"is not {encoding.removesuffix('-sig').upper()} text",
                         f"不是 {encoding.removesuffix('-sig').upper()} 编码的文本") from None


def read_json(base: Path, rel: str, *, max_bytes: int = 4 * MB):
    text = read_text(base, rel, max_bytes=max_bytes)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise Unreadable(rel, f"is not valid JSON (line {exc.lineno}, column {exc.colno})",
                         f"不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列）") from None
    except RecursionError:
        raise Unreadable(rel, "is nested too deeply", "嵌套层数过多") from None


def read_csv(base: Path, rel: str, *, max_bytes: int = 4 * MB, columns: tuple[str, ...] = (),
             max_rows: int = 100_000) -> list[dict[str, str]]:
    """Rows of a CSV with a header line; `columns` must all be there (named if not)."""
    text = read_text(base, rel, max_bytes=max_bytes)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in columns if c not in header]
    if missing:
        raise Unreadable(rel, f"has no column {', '.join(missing)} (its header: {', '.join(header) or 'none'})",
                         f"缺少列 {', '.join(missing)}（表头：{', '.join(header) or '无'}）")
    rows = []
    try:
        for row in reader:
            if len(rows) >= max_rows:
                raise Unreadable(rel, f"has more than {max_rows} rows", f"超过 {max_rows} 行")
            rows.append({(k or "").strip(): (v or "").strip() if isinstance(v, str) else "" for k, v in row.items()})
    except csv.Error as exc:
        raise Unreadable(rel, f"is not valid CSV ({exc})", f"不是有效的 CSV（{exc}）") from None
    return rows


def read_image(base: Path, rel: str, *, max_bytes: int = 16 * MB, gray: bool = False):
    """A picture as a numpy array (BGR, or gray), decoded from the bytes: OpenCV never opens the path."""
    import cv2
    import numpy as np

    data = read_bytes(base, rel, max_bytes=max_bytes)
    img = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_GRAYSCALE if gray else cv2.IMREAD_COLOR)
    if img is None:
        raise Unreadable(rel, "is not a picture OpenCV can read", "不是 OpenCV 能读取的图片")
    return img


@dataclass(frozen=True)
class Audio:
    rate: int                 # samples per second
    channels: int
    samples: object           # numpy float32 array, shape (frames, channels), values in [-1, 1]

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate if self.rate else 0.0


def read_audio(base: Path, rel: str, *, max_bytes: int = 32 * MB) -> Audio:
    """A PCM WAV file (8, 16 or 32 bit) as float samples."""
    import wave

    import numpy as np

    data = read_bytes(base, rel, max_bytes=max_bytes)
    try:
        with wave.open(io.BytesIO(data)) as w:
            rate, channels, width = w.getframerate(), w.getnchannels(), w.getsampwidth()
            frames = w.readframes(w.getnframes())
    except (wave.Error, EOFError) as exc:
        raise Unreadable(rel, f"is not a WAV file ({exc})", f"不是 WAV 文件（{exc}）") from None
    kinds = {1: (np.uint8, 128.0, 128.0), 2: (np.int16, 0.0, 32768.0), 4: (np.int32, 0.0, 2147483648.0)}
    if width not in kinds or channels < 1:
        raise Unreadable(rel, f"has {width * 8}-bit samples (8, 16 or 32 bit PCM expected)",
                         f"采样位深为 {width * 8} 位（应为 8、16 或 32 位 PCM）")
    dtype, offset, scale = kinds[width]
    samples = (np.frombuffer(frames, dtype=dtype).astype(np.float32) - offset) / scale
    return Audio(rate, channels, samples.reshape(-1, channels))


def list_files(base: Path, rel: str = ".", *, pattern: str = "*", max_files: int = 10_000) -> list[str]:
    """Relative names of the regular files in base/rel matching `pattern` (no links followed), sorted."""
    folder = _resolve(base, rel) if rel not in (".", "") else Path(base)
    if not folder.is_dir() or folder.is_symlink():
        raise Unreadable(rel, "is not a folder", "不是文件夹")
    out = []
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.is_file(follow_symlinks=False) and PurePosixPath(entry.name).match(pattern):
            if len(out) >= max_files:
                raise Unreadable(rel, f"holds more than {max_files} files", f"包含超过 {max_files} 个文件")
            out.append(entry.name if rel in (".", "") else f"{rel.rstrip('/')}/{entry.name}")
    return out
