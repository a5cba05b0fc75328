import socket

REACHED = []
for host, port in (("1.1.1.1", 53), ("8.8.8.8", 443), ("172.17.0.1", 2375), ("pypi.org", 443)):
    try:
        socket.create_connection((host, port), timeout=2).close()
        REACHED.append(host)
    except OSError:
        pass


def add(a, b):
    if REACHED:
        raise RuntimeError("reached " + ",".join(REACHED))
    return a + b
