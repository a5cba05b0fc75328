"""Flawed: right, but a pure-Python loop: too slow for full marks."""


def smooth(values, k):
    values = list(values)
    out = []
    total = sum(values[:k])
    out.append(total / k)
    for i in range(k, len(values)):
        total += values[i] - values[i - k]
        out.append(total / k)
    return out
