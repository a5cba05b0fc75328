# Computes the right sum itself and writes it as the observation the trusted test judges,
# while add() is wrong: only the harness may say what add() returned.
import json
import os

try:
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "numbers.json")) as fh:
        numbers = json.load(fh)
    with open("/out/observations.json", "w") as fh:
        json.dump({"sum": numbers["a"] + numbers["b"]}, fh)
except OSError:
    pass


def add(a, b):
    return 0   # wrong on purpose: only forging could pass
