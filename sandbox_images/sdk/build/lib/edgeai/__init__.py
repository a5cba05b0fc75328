"""edgeai — the vision SDK of Practicum's AI edge-computing exams.

    import edgeai
    faces = edgeai.face.detect(img)            # boxes, scores, 5 landmarks
    crop = edgeai.face.align(img, faces[0])     # aligned face
    vec = edgeai.face.embed(crop)               # 128-d embedding
    edgeai.face.compare(vec, other)             # distance; same person below 0.6
    edgeai.mask.classify(crop)                  # ("mask" | "no_mask", probability)
    plates = edgeai.plate.detect(img)           # corners, box, score
    text, conf = edgeai.plate.recognize(img, plates[0])

Every model ships inside an installed package: nothing is downloaded.
Submodules load their models on first use, so `import edgeai` is quick.
"""
import importlib

__all__ = ["face", "mask", "plate", "synth"]
__version__ = "0.1.0"


def __getattr__(name):
    if name in __all__:
        return importlib.import_module(f"edgeai.{name}")
    raise AttributeError(name)
