# Leaves links in its output folder pointing at host paths; the host must not follow them.
import os

os.makedirs("/out/artifacts", exist_ok=True)
for target, name in (("/etc/shadow", "shadow"), ("/root", "root"), ("/answers/secret.json", "secret")):
    try:
        os.symlink(target, os.path.join("/out/artifacts", name))
    except OSError:
        pass
try:
    os.symlink("/etc/passwd", "/out/.results.jsonl")
except OSError:
    pass


def add(a, b):
    return a + b
