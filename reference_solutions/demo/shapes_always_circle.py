"""Flawed: answers 'circle' whatever the picture (a third right)."""


def classify(img):
    return "circle"
