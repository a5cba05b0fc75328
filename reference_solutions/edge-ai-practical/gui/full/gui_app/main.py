"""第 2 题 软件界面设计：图片查看与处理窗口（参考答案）"""
import sys

import cv2
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (QApplication, QFileDialog, QHBoxLayout, QLabel, QMainWindow,
                               QPushButton, QVBoxLayout, QWidget)


def to_pixmap(img):
    """OpenCV 图像（BGR 彩色或单通道灰度）-> QPixmap"""
    if img.ndim == 2:
        h, w = img.shape
        qimg = QImage(img.data, w, h, img.strides[0], QImage.Format_Grayscale8)
    else:
        rgb = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
        h, w = rgb.shape[:2]
        qimg = QImage(rgb.data, w, h, rgb.strides[0], QImage.Format_RGB888)
    return QPixmap.fromImage(qimg.copy())


class MainWindow(QMainWindow):
    def __init__(self):
        super().__init__()
        self.setWindowTitle("图片处理")
        self.resize(640, 480)
        self.image = None

        self.imageLabel = QLabel("请打开图片")
        self.imageLabel.setObjectName("imageLabel")
        self.imageLabel.setAlignment(Qt.AlignCenter)
        self.imageLabel.setMinimumSize(320, 240)

        self.openButton = QPushButton("打开图片")
        self.openButton.setObjectName("openButton")
        self.grayButton = QPushButton("灰度化")
        self.grayButton.setObjectName("grayButton")
        self.edgeButton = QPushButton("边缘检测")
        self.edgeButton.setObjectName("edgeButton")

        self.openButton.clicked.connect(self.open_image)
        self.grayButton.clicked.connect(self.show_gray)
        self.edgeButton.clicked.connect(self.show_edges)

        buttons = QHBoxLayout()
        for b in (self.openButton, self.grayButton, self.edgeButton):
            buttons.addWidget(b)
        layout = QVBoxLayout()
        layout.addWidget(self.imageLabel, 1)
        layout.addLayout(buttons)
        central = QWidget()
        central.setLayout(layout)
        self.setCentralWidget(central)
        self.statusBar().showMessage("就绪")

    def open_image(self):
        path, _ = QFileDialog.getOpenFileName(self, "打开图片", "", "图片 (*.png *.jpg *.bmp)")
        if path:
            self.load_image(path)

    def load_image(self, path):
        img = cv2.imread(path)
        if img is None:
            self.statusBar().showMessage("无法读取图片")
            return
        self.image = img
        self.imageLabel.setPixmap(to_pixmap(img))
        h, w = img.shape[:2]
        self.statusBar().showMessage(f"图片尺寸: {w} x {h}")

    def show_gray(self):
        if self.image is None:
            return
        gray = cv2.cvtColor(self.image, cv2.COLOR_BGR2GRAY)
        self.imageLabel.setPixmap(to_pixmap(gray))

    def show_edges(self):
        if self.image is None:
            return
        gray = cv2.cvtColor(self.image, cv2.COLOR_BGR2GRAY)
        self.imageLabel.setPixmap(to_pixmap(cv2.Canny(gray, 100, 200)))


if __name__ == "__main__":
    app = QApplication(sys.argv)
    window = MainWindow()
    window.show()
    sys.exit(app.exec())
