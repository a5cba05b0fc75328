"""Candidate sandbox (offscreen Qt): open the candidate's window, check its named
widgets, click its buttons with a grading picture and record what the image
label shows. Screenshots are kept as artifacts. The trusted tests compare the
records with the answers; only the window and widget checks score here."""
import numpy as np
import pytest

from practicum import rubric

PHOTO = "photo.png"
WIDGETS = {   # objectName: (class name, words the text must contain)
    "imageLabel": ("QLabel", ()),
    "openButton": ("QPushButton", ("打开图片",)),
    "grayButton": ("QPushButton", ("灰度",)),
    "edgeButton": ("QPushButton", ("边缘",)),
}


@pytest.fixture(scope="module")
def window(candidate, qapp):
    """The candidate's MainWindow, created once and shown offscreen."""
    from PySide6.QtWidgets import QMainWindow

    rubric.require(candidate, "MainWindow")
    cls = candidate.MainWindow
    if not (isinstance(cls, type) and issubclass(cls, QMainWindow)):
        rubric.fail("MainWindow should be a class derived from QMainWindow", zh="MainWindow 应是继承自 QMainWindow 的类")
    win = cls()
    win.show()
    qapp.processEvents()
    yield win
    win.close()


def widget(window, name):
    from PySide6 import QtWidgets

    cls_name, _ = WIDGETS[name]
    found = window.findChild(getattr(QtWidgets, cls_name), name)
    if found is None:
        other = window.findChild(QtWidgets.QWidget, name)
        if other is not None:
            rubric.fail(f"the widget named {name} is a {type(other).__name__}, not a {cls_name}",
                        zh=f"名为 {name} 的控件是 {type(other).__name__}，而不是 {cls_name}")
        rubric.fail(f"the window has no {cls_name} named {name} (setObjectName('{name}'))",
                    zh=f"窗口中没有名为 {name} 的 {cls_name}（setObjectName('{name}')）")
    return found


def check_widget(window, name):
    found = widget(window, name)
    words = WIDGETS[name][1]
    if words and not all(w in found.text() for w in words):
        rubric.partial(0.5, f"{name} is there, but its text should read {words[0]}",
                       zh=f"{name} 已存在，但其文字应为“{words[0]}”")


def shown(window):
    """What imageLabel shows, as an RGB array (None when it shows no picture)."""
    from PySide6.QtGui import QImage

    pixmap = widget(window, "imageLabel").pixmap()
    if pixmap is None or pixmap.isNull():
        return None
    img = pixmap.toImage().convertToFormat(QImage.Format_RGB888)
    w, h, stride = img.width(), img.height(), img.bytesPerLine()
    raw = np.frombuffer(img.constBits(), np.uint8, count=stride * h)
    return raw.reshape(h, stride)[:, : w * 3].reshape(h, w, 3).copy()


def stats(rgb):
    spread = rgb.max(axis=2).astype(np.int16) - rgb.min(axis=2)
    return {"width": int(rgb.shape[1]), "height": int(rgb.shape[0]),
            "mean_rgb": [round(float(rgb[..., c].mean()), 3) for c in range(3)],
            "gray_share": round(float((spread == 0).mean()), 5),
            "mean_spread": round(float(spread.mean()), 3)}


def settle(qapp):
    for _ in range(3):
        qapp.processEvents()


def open_picture(window, qapp, monkeypatch, path):
    """Click openButton with QFileDialog.getOpenFileName answering `path`."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QFileDialog

    asked = []

    def fake_dialog(*args, **kwargs):
        asked.append(1)
        return str(path), "Images (*.png *.jpg *.bmp)"

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(fake_dialog))
    QTest.mouseClick(widget(window, "openButton"), Qt.LeftButton)
    settle(qapp)
    if not asked:
        rubric.fail("clicking openButton did not call QFileDialog.getOpenFileName",
                    zh="点击 openButton 时没有调用 QFileDialog.getOpenFileName")


def load(window, qapp, monkeypatch, path):
    """Show the grading picture: through openButton, else through load_image."""
    from PySide6.QtWidgets import QPushButton

    if window.findChild(QPushButton, "openButton") is not None:
        open_picture(window, qapp, monkeypatch, path)
    elif callable(getattr(window, "load_image", None)):
        window.load_image(str(path))
        settle(qapp)
    else:
        rubric.fail("the window has neither an openButton nor a load_image(path) method",
                    zh="窗口既没有 openButton，也没有 load_image(path) 方法")


def click(window, qapp, name):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    QTest.mouseClick(widget(window, name), Qt.LeftButton)
    settle(qapp)


@pytest.mark.points(1)
@pytest.mark.timeout(15)
def test_window_opens(window, artifacts_dir):
    """main.py imports without blocking and MainWindow() opens a window
    zh: main.py 导入时不阻塞，MainWindow() 能打开窗口
    """
    if not window.isVisible():
        rubric.fail("the window is not visible after show()", zh="调用 show() 后窗口不可见")
    rubric.screenshot(window, str(artifacts_dir / "window.png"))


@pytest.mark.points(0.5)
@pytest.mark.timeout(15)
def test_image_label(window):
    """a QLabel named imageLabel
    zh: 名为 imageLabel 的 QLabel
    """
    check_widget(window, "imageLabel")


@pytest.mark.points(0.5)
@pytest.mark.timeout(15)
def test_open_button(window):
    """a QPushButton named openButton reading 打开图片
    zh: 名为 openButton、文字为“打开图片”的 QPushButton
    """
    check_widget(window, "openButton")


@pytest.mark.points(0.5)
@pytest.mark.timeout(15)
def test_gray_button(window):
    """a QPushButton named grayButton reading 灰度化
    zh: 名为 grayButton、文字为“灰度化”的 QPushButton
    """
    check_widget(window, "grayButton")


@pytest.mark.points(0.5)
@pytest.mark.timeout(15)
def test_edge_button(window):
    """a QPushButton named edgeButton reading 边缘检测
    zh: 名为 edgeButton、文字为“边缘检测”的 QPushButton
    """
    check_widget(window, "edgeButton")


@pytest.mark.points(0)
@pytest.mark.timeout(15)
def test_open_image(window, qapp, monkeypatch, hidden_dir, artifacts_dir, record):
    """openButton shows the chosen picture in imageLabel
    zh: openButton 将所选图片显示在 imageLabel 中
    """
    open_picture(window, qapp, monkeypatch, hidden_dir / PHOTO)
    record("status", str(window.statusBar().currentMessage())[:200])
    rgb = shown(window)
    rubric.screenshot(window, str(artifacts_dir / "after_open.png"))
    if rgb is None:
        rubric.fail("after opening a picture, imageLabel shows no picture (use setPixmap)",
                    zh="打开图片后 imageLabel 没有显示图片（请使用 setPixmap）")
    record("open", stats(rgb))


@pytest.mark.points(0)
@pytest.mark.timeout(15)
def test_gray_view(window, qapp, monkeypatch, hidden_dir, artifacts_dir, record):
    """grayButton shows the grey picture
    zh: grayButton 显示灰度图
    """
    load(window, qapp, monkeypatch, hidden_dir / PHOTO)
    before = shown(window)
    click(window, qapp, "grayButton")
    rgb = shown(window)
    rubric.screenshot(window, str(artifacts_dir / "after_gray.png"))
    if rgb is None:
        rubric.fail("after clicking grayButton, imageLabel shows no picture", zh="点击 grayButton 后 imageLabel 没有显示图片")
    record("gray", {**stats(rgb), "changed": before is None or not np.array_equal(before, rgb)})


@pytest.mark.points(0)
@pytest.mark.timeout(15)
def test_edge_view(window, qapp, monkeypatch, hidden_dir, artifacts_dir, record):
    """edgeButton shows the Canny edges
    zh: edgeButton 显示 Canny 边缘图
    """
    load(window, qapp, monkeypatch, hidden_dir / PHOTO)
    click(window, qapp, "edgeButton")
    rgb = shown(window)
    rubric.screenshot(window, str(artifacts_dir / "after_edge.png"))
    if rgb is None:
        rubric.fail("after clicking edgeButton, imageLabel shows no picture", zh="点击 edgeButton 后 imageLabel 没有显示图片")
    mask = rgb[..., 0] > 127
    record("edge", {**stats(rgb), "mask": np.packbits(mask.ravel()).tobytes().hex()})
