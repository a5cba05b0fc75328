import os

WRITTEN = []
for path in ("/etc/evil", "/usr/lib/python3/dist-packages/evil.py", "/opt/practicum/practicum/plugin.py",
             "/opt/practicum/practicum/evil.py", "/exam/tests/hidden/test_calc.py", "/exam/hidden/numbers.json",
             "/opt/spec/spec.json", "/evil", "/root/evil"):
    try:
        with open(path, "a") as fh:
            fh.write("# tampered\n")
        WRITTEN.append(path)
    except OSError:
        pass


def add(a, b):
    if WRITTEN:
        raise RuntimeError("wrote " + ",".join(WRITTEN))
    return a + b
