"""The candidate's side of the rubric tests: their code, answering the harness's calls.

    python3 -m practicum.candidate_server ENTRY REQUEST_FD REPLY_FD SPILL_DIR   (started by the harness)

This process is the candidate's: it imports their script or module, and everything
in it, this file included, is theirs to change. So it decides nothing. It answers
"get this name", "call this with these arguments" with values (wire.py) and
keeps what cannot be sent (functions, classes, models) under a handle number.
The harness, another process, times the calls and judges the answers.
"""
from __future__ import annotations

import importlib.util
import os
import sys
import traceback

from . import wire

MAX_TEXT = 300


class _Table:
    """Objects handed out as handles, kept alive while the harness may use them."""

    def __init__(self):
        self.objects: dict[int, object] = {}
        self._ids: dict[int, int] = {}

    def put(self, obj) -> int:
        key = id(obj)
        if key not in self._ids:
            self._ids[key] = len(self.objects) + 1
            self.objects[self._ids[key]] = obj
        return self._ids[key]

    def get(self, handle: int, kind: str = ""):
        try:
            return self.objects[handle]
        except KeyError:
            raise wire.ProtocolError("unknown handle") from None


def describe(exc: BaseException, tb, where: str) -> dict:
    """The exception as data: its type name, message and the candidate's line."""
    line = None
    for frame, lineno in traceback.walk_tb(tb):
        if os.path.abspath(frame.f_code.co_filename).startswith(where):
            line = lineno
    message = str(exc).strip()
    return {"type": type(exc).__name__[:80], "message": message[:MAX_TEXT], "line": line,
            "builtin": type(exc).__module__ == "builtins"}


class Server:
    def __init__(self, namespace: dict, where: str):
        self.ns = namespace
        self.where = where
        self.table = _Table()
        self.root = self.table.put(_Namespace(namespace))

    def answer(self, request: dict, parts: list):
        op = request.get("op")
        target = self.table.get(request.get("target", self.root))
        if op == "has":
            return isinstance(target, _Namespace) and str(request.get("name")) in self.ns
        if op == "get":
            name = str(request.get("name"))
            try:
                return getattr(target, name)
            except AttributeError:
                if isinstance(target, _Namespace):
                    raise _Missing(name) from None
                raise
        args = wire.decode(request.get("args", {"L": []}), parts, self.table.get)
        kwargs = wire.decode(request.get("kwargs", {"D": []}), parts, self.table.get)
        if op == "call":
            return target(*args, **kwargs)
        if op == "item":
            return target[args[0]]
        if op == "len":
            return len(target)
        if op == "bool":
            return bool(target)
        if op == "list":
            return list(target)
        if op == "repr":
            return repr(target)[:MAX_TEXT]
        raise wire.ProtocolError(f"unknown request {op!r}")

    def serve(self, rfd: int, wfd: int, spill: wire.Spill) -> None:
        while True:
            try:
                request, parts = wire.receive(rfd, spill)
            except wire.Closed:
                return
            if request.get("op") == "quit":
                return
            reply_parts: list = []
            try:
                value = self.answer(request, parts)
                reply = {"value": wire.encode(value, reply_parts, self.table.put)}
            except _Missing as exc:
                reply = {"missing": exc.name}
            except BaseException as exc:      # their code may raise anything, even SystemExit
                reply_parts = []
                reply = {"raised": describe(exc, exc.__traceback__, self.where)}
            wire.send(wfd, reply, reply_parts, spill)


class _Missing(Exception):
    def __init__(self, name):
        super().__init__(name)
        self.name = name


class _Namespace:
    """The module's (or notebook's) names, read as attributes."""

    def __init__(self, ns: dict):
        self._ns = ns

    def __getattr__(self, name):
        try:
            return self._ns[name]
        except KeyError:
            raise AttributeError(name) from None


def load_module(entry: str) -> dict:
    root = os.path.dirname(entry)
    sys.path.insert(0, root)
    name = os.path.splitext(os.path.basename(entry))[0]
    spec = importlib.util.spec_from_file_location(name, entry)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return vars(module)


def main(argv: list[str]) -> int:
    entry, rfd, wfd, folder = argv[0], int(argv[1]), int(argv[2]), argv[3]
    where = os.path.dirname(os.path.abspath(entry))
    try:
        if not os.path.isfile(entry):
            raise FileNotFoundError(f"{os.path.basename(entry)} is missing")
        namespace = load_module(entry)
    except BaseException as exc:     # a syntax error, a crash or sys.exit() at import
        detail = describe(exc, exc.__traceback__, where)
        if isinstance(exc, SyntaxError) and exc.lineno:
            detail["line"] = None      # str(exc) names the file and line already
        wire.send(wfd, {"load_failed": detail}, [])
        return 0
    wire.send(wfd, {"loaded": True}, [])
    Server(namespace, where).serve(rfd, wfd, wire.Spill(folder, "c"))
    return 0


def serve_notebook(namespace: dict, request_path: str, reply_path: str, spill_dir: str) -> None:
    """In the notebook's kernel, after its cells ran: answer the harness through two FIFOs."""
    user_ns = {k: v for k, v in namespace.items() if not k.startswith(("__pt", "_i", "_o", "_dh"))}
    wfd = os.open(reply_path, os.O_WRONLY)      # the harness reads it already
    wire.send(wfd, {"loaded": True}, [])
    rfd = os.open(request_path, os.O_RDONLY)    # the harness opens it when it has read that
    try:
        Server(user_ns, os.getcwd()).serve(rfd, wfd, wire.Spill(spill_dir, "c"))
    finally:
        os.close(rfd)
        os.close(wfd)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
