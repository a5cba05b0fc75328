# Workload (ii): import numpy and OpenCV and do a small image operation.
import cv2
import numpy as np

rng = np.random.default_rng(0)
img = rng.integers(0, 256, size=(480, 640, 3), dtype=np.uint8)
gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
blur = cv2.GaussianBlur(gray, (5, 5), 0)
edges = cv2.Canny(blur, 50, 150)
ok = cv2.imwrite("edges.png", edges)
print(int(ok), int(edges.sum() % 1000))
