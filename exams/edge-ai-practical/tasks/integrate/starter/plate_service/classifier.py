"""车牌类型分类器：加载 ONNX 模型，给出一张车牌图片的类型和置信度。

Plate-type classifier: loads the ONNX model and gives a plate crop's type and score.
"""
import cv2
import numpy as np
import onnxruntime as ort

INPUT_W, INPUT_H = 48, 16          # 模型输入尺寸（宽 x 高），见 README 的模型说明


class PlateClassifier:
    def __init__(self, model_path, labels_path):
        self.session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
        self.input_name = self.session.get_inputs()[0].name
        with open(labels_path, encoding="utf-8") as fh:
            self.labels = [line.strip() for line in fh if line.strip()]

    def preprocess(self, img):
        """OpenCV 读入的 BGR 图像 → 模型输入 float32 [1, 2304]"""
        img = cv2.resize(img, (INPUT_W, INPUT_H), interpolation=cv2.INTER_AREA)
        x = img.astype(np.float32) / 255.0
        return x.reshape(1, -1)

    def predict(self, img):
        """返回 (类型, 置信度)"""
        x = self.preprocess(img)
        probs = self.session.run(["probabilities"], {self.input_name: x})[0]   # [1, 类别数]
        idx = int(np.argmax(probs, axis=0)[0])
        return self.labels[idx], float(probs[0, idx])
