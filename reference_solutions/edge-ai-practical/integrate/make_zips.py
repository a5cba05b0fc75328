"""Build the reference submissions of task `integrate`: python3 make_zips.py

full/plate_service/ is the fixed project. The starter candidates get
(exams/edge-ai-practical/tasks/integrate/starter/plate_service/) is the same
project with the four planted bugs; this script checks that, then writes each
zip: the full fix, the starter as handed out, and partial fixes (the fixed
project with some bugs put back). Each zip holds the folder plate_service/,
as candidates hand it in, with fixed timestamps: running this again rewrites
the zips byte for byte. See ../solutions-integrate.toml for their scores.
"""
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "full" / "plate_service"
STARTER = HERE.parents[2] / "exams" / "edge-ai-practical" / "tasks" / "integrate" / "starter" / "plate_service"
FIXED_TIME = (2026, 1, 1, 0, 0, 0)

# the planted bugs, as (file, fixed text, buggy text)
BUGS = {
    # preprocessing: the model was trained on RGB; OpenCV reads BGR
    "bgr": [("classifier.py",
             "        img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)        # 模型按 RGB 训练\n", "")],
    # decoding: argmax over the batch axis; with one picture it is always class 0
    "argmax": [("classifier.py", "np.argmax(probs, axis=1)[0]", "np.argmax(probs, axis=0)[0]")],
    # a file cv2.imread cannot read (None) crashes the whole batch
    "crash": [("app.py",
               "        if img is None:\n"
               "            log.warning(\"跳过无法读取的图片 / skipped, cannot read: %s\", name)\n"
               "            continue\n", "")],
    # a missing input folder: a message on stdout and exit code 0
    "exit_code": [("app.py",
                   "        print(f\"错误：输入目录不存在 / error: input folder not found: {args.input}\", file=sys.stderr)\n"
                   "        return 2\n",
                   "        print(\"输入目录不存在:\", args.input)\n"
                   "        return\n")],
}

# other realistic mistakes, not in the starter
OTHER = {
    # the folder check removed: os.listdir raises, a traceback, exit code 1
    "no_folder_check": [("app.py",
                         "    if not os.path.isdir(args.input):\n"
                         "        print(f\"错误：输入目录不存在 / error: input folder not found: {args.input}\", file=sys.stderr)\n"
                         "        return 2\n", "")],
}

VARIANTS = {
    "full": [],
    "starter": ["bgr", "argmax", "crash", "exit_code"],      # written from the real starter folder
    "model_fixed": ["crash", "exit_code"],                   # decoding and colours fixed, the rest not
    "bgr_remains": ["bgr"],                                  # everything but the colour order
    "traceback_exit": ["no_folder_check"],                   # a traceback instead of a clean error
}


def read_tree(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
            for p in sorted(root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def files_of(variant: str) -> dict:
    out = read_tree(SOURCE)
    for bug in VARIANTS[variant]:
        for file, old, new in {**BUGS, **OTHER}[bug]:
            hits = out[file].count(old)
            if hits != 1:
                raise SystemExit(f"{variant}/{bug}: replacement found {hits} times in {file}: {old[:60]!r}")
            out[file] = out[file].replace(old, new)
    return out


def write_zip(dest: Path, files: dict):
    with zipfile.ZipFile(dest, "w") as zf:
        for rel, text in files.items():
            info = zipfile.ZipInfo(f"plate_service/{rel}", FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, text.encode("utf-8"))


if __name__ == "__main__":
    starter = read_tree(STARTER)
    if starter != files_of("starter"):
        diff = sorted(k for k in set(starter) | set(files_of("starter")) if starter.get(k) != files_of("starter").get(k))
        raise SystemExit(f"the starter is not full/ with the four bugs: {', '.join(diff)} differ")
    for name in VARIANTS:
        write_zip(HERE / f"{name}.zip", starter if name == "starter" else files_of(name))
        print("wrote", f"{name}.zip")
