"""第 2 题 软件界面设计 / Task 2: software interface design

运行 / run:  python main.py
评分程序会 import 本文件并创建 MainWindow()：QApplication 和 app.exec() 只能放在
`if __name__ == "__main__":` 下面。
The grader imports this file and creates MainWindow(): create the QApplication and
call app.exec() only under `if __name__ == "__main__":`.
"""
import sys

import cv2
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QMainWindow, QPushButton


class MainWindow(QMainWindow):
    def __init__(self):
        super().__init__()
        self.setWindowTitle("图片处理")
        self.image = None          # 当前打开的图片（OpenCV BGR 格式）/ the opened picture (BGR)
        # TODO: imageLabel, openButton (打开图片), grayButton (灰度化), edgeButton (边缘检测)
        #       setObjectName(...) for each; lay them out; connect the buttons

    def open_image(self):
        # TODO: QFileDialog.getOpenFileName(...), then self.load_image(path)
        pass

    def load_image(self, path):
        # TODO: cv2.imread, show it in imageLabel at its own size, status bar "图片尺寸: W x H"
        pass


if __name__ == "__main__":
    app = QApplication(sys.argv)
    window = MainWindow()
    window.show()
    sys.exit(app.exec())
