"""Build the reference submissions of task `gui`: python3 make_zips.py

full/gui_app/ is the model answer. Every other submission is that project with
one realistic mistake, made here by exact text replacements (each must hit
exactly once). Each zip holds the folder gui_app/, as candidates hand it in,
with fixed timestamps: running this again rewrites the zips byte for byte.
See ../solutions-gui.toml for the score each must earn.
"""
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "full" / "gui_app"
FIXED_TIME = (2026, 1, 1, 0, 0, 0)

VARIANTS = {
    "full": [],
    # forgot the third button: no edgeButton, so no edge result either
    "no_edge_button": [
        ('        self.edgeButton = QPushButton("边缘检测")\n'
         '        self.edgeButton.setObjectName("edgeButton")\n', ""),
        ("        self.edgeButton.clicked.connect(self.show_edges)\n", ""),
        ("(self.openButton, self.grayButton, self.edgeButton)", "(self.openButton, self.grayButton)"),
    ],
    # grayButton computes the grey picture but never puts it on the label
    "gray_not_shown": [
        ("        self.imageLabel.setPixmap(to_pixmap(gray))\n",
         "        self.result = gray   # 结果没有显示到 imageLabel 上\n"),
    ],
    # BGR data handed to Format_RGB888: red and blue swapped on screen
    "rgb_swapped": [
        ("        rgb = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)\n", "        rgb = img\n"),
    ],
    # the event loop starts when the module is imported: the grader's import blocks
    "exec_unguarded": [
        ('if __name__ == "__main__":\n'
         "    app = QApplication(sys.argv)\n"
         "    window = MainWindow()\n"
         "    window.show()\n"
         "    sys.exit(app.exec())\n",
         "app = QApplication(sys.argv)\n"
         "window = MainWindow()\n"
         "window.show()\n"
         "sys.exit(app.exec())\n"),
    ],
}


def files_of(variant):
    out = {}
    for path in sorted(SOURCE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            out[path.relative_to(SOURCE).as_posix()] = path.read_text(encoding="utf-8")
    for old, new in VARIANTS[variant]:
        hits = out["main.py"].count(old)
        if hits != 1:
            raise SystemExit(f"{variant}: replacement found {hits} times: {old[:60]!r}")
        out["main.py"] = out["main.py"].replace(old, new)
    return out


def write_zip(dest, files):
    with zipfile.ZipFile(dest, "w") as zf:
        for rel, text in files.items():
            info = zipfile.ZipInfo(f"gui_app/{rel}", FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, text.encode("utf-8"))


if __name__ == "__main__":
    for name in VARIANTS:
        write_zip(HERE / f"{name}.zip", files_of(name))
        print("wrote", f"{name}.zip")
