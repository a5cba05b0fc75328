"""Build the flawed solutions: each is a model answer from full/ with one realistic edit.

    python3 reference_solutions/ai-trainer-practical/make_flawed.py

An edit that no longer lands exactly once stops the build rather than silently
writing a copy of the model answer (edit_text.swap). The built files are committed;
tests/test_ai_trainer.py checks that they are what this script writes.
"""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "edge-ai-practical"))
from edit_text import swap  # noqa: E402

# target: (model answer, its docstring as the flaw reads, (old, new) edits)
FLAWED = {
    "clean/exact_copies_only.py": ("full/clean.py", (
        ('"""Reference: each rule of the specification in turn; pictures compared pixel by pixel in grey."""',
         '"""Flawed: only the same pixels make a duplicate: a picture saved again with slightly different\n'
         'pixels (a near-duplicate) is kept."""'),
        ("        elif diffs and min(diffs) < 8:\n            faults[name] = \"near_duplicate\"\n", ""),
    )),
    "clean/zero_based_lines.py": ("full/clean.py", (
        ('"""Reference: each rule of the specification in turn; pictures compared pixel by pixel in grey."""',
         '"""Flawed: text lines numbered from 0 (Python\'s enumerate default), not from 1 as the statement says."""'),
        ("for number, line in enumerate(lines, 1):", "for number, line in enumerate(lines):"),
    )),
    "train/random_split.py": ("full/train.py", (
        ('"""Reference: copies grouped by grey difference, a split by group, a linear SVM exported with skl2onnx,\n'
         'the test report computed from the exported model in onnxruntime."""',
         '"""Flawed: the pictures are split one by one at random; copies of one capture land on both sides."""'),
        ("    is_test = split(groups(x))", "    is_test = split(list(range(len(x))))"),
    )),
    "train/report_on_train.py": ("full/train.py", (
        ('"""Reference: copies grouped by grey difference, a split by group, a linear SVM exported with skl2onnx,\n'
         'the test report computed from the exported model in onnxruntime."""',
         '"""Flawed: the test report and the error cases are computed on the training rows, not the test split."""'),
        ("    is_test = split(groups(x))\n", "    is_test = split(groups(x))\n    is_train = ~is_test\n"),
        ("    pred = session.run(None, {session.get_inputs()[0].name: x[is_test]})[0]\n    truth = y[is_test]",
         "    pred = session.run(None, {session.get_inputs()[0].name: x[is_train]})[0]\n    truth = y[is_train]"),
        ("        test_names = [n for n, t in zip(names, is_test) if t]",
         "        test_names = [n for n, t in zip(names, is_train) if t]"),
    )),
    "text/inclusive_end.py": ("full/text.py", (
        ('"""Reference: a character n-gram classifier trained on the seed set; entities by longest match."""',
         '"""Flawed: classes right, but every span ends one character early (an inclusive end,\n'
         'as if text[start:end + 1] were the span)."""'),
        ('out.append({"start": start, "end": end, "type": kind})',
         'out.append({"start": start, "end": end - 1, "type": kind})'),
    )),
    "speech/loudest_peak.py": ("full/speech.py", (
        ('"""Reference: energy-based segments, then the nearest digit template of the spectral envelope."""',
         '"""Flawed: segments right, but digits told apart by the loudest frequency alone\n'
         '(the first formant; the second is ignored)."""'),
        ("digit = min(means, key=lambda d: float(np.sum((means[d] - env) ** 2)))",
         "digit = min(means, key=lambda d: abs(int(np.argmax(means[d])) - int(np.argmax(env))))"),
    )),
    "speech/sample_indices.py": ("full/speech.py", (
        ('"""Reference: energy-based segments, then the nearest digit template of the spectral envelope."""',
         '"""Flawed: start and end written as sample indices, not seconds (the statement asks for seconds)."""'),
        ('w.writerow([path.name, f"{s:.3f}", f"{e:.3f}", digit])',
         "w.writerow([path.name, int(s * rate), int(e * rate), digit])"),
    )),
    "vision/corner_not_centre.py": ("full/vision.py", (
        ('"""Reference: one colour range per class in HSV, the outline added back, YOLO lines."""',
         '"""Flawed: YOLO lines give the top-left corner where the centre belongs."""'),
        ("{(x1 + x2) / 2 / wid:.6f} {(y1 + y2) / 2 / hgt:.6f}", "{x1 / wid:.6f} {y1 / hgt:.6f}"),
    )),
    "vision/bottle_can_swapped.py": ("full/vision.py", (
        ('"""Reference: one colour range per class in HSV, the outline added back, YOLO lines."""',
         '"""Flawed: the hue ranges of bottle and can swapped (green parts labeled can, red ones bottle)."""'),
        ('HUES = {"bottle": [(40, 80)], "can": [(0, 6), (170, 180)], "box": [(10, 25)]}',
         'HUES = {"can": [(40, 80)], "bottle": [(0, 6), (170, 180)], "box": [(10, 25)]}'),
    )),
    "audit/no_corrections.py": ("full/audit.py", (
        ('"""Reference: label every picture again by colour, compare with the given labels, report and correct."""',
         '"""Flawed: the errors are found and reported, but the given labels are copied as the corrected set\n'
         '(and counted in stats.json)."""'),
        ("        for c, *_ in found:\n", "        found = read_labels(DATA / \"labels\" / f\"{path.stem}.txt\", wid, hgt)\n"
                                       "        for c, *_ in found:\n"),
    )),
    "audit/no_loose_boxes.py": ("full/audit.py", (
        ('"""Reference: label every picture again by colour, compare with the given labels, report and correct."""',
         '"""Flawed: a box is only checked for its class, never for its fit: loose boxes go unreported."""'),
        ("        if iou(best[1:], part[1:]) < 0.8:\n            return \"loose_box\"\n", ""),
    )),
}


def build() -> dict[str, str]:
    return {target: swap((HERE / source).read_text(encoding="utf-8"), *edits)
            for target, (source, edits) in FLAWED.items()}


if __name__ == "__main__":
    for target, text in build().items():
        (HERE / target).parent.mkdir(parents=True, exist_ok=True)
        (HERE / target).write_text(text, encoding="utf-8")
        print("wrote", target)
