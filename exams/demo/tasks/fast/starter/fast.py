"""Task 2: a fast moving average."""


def smooth(values, k):
    # TODO: return the k-window moving average (len(values) - k + 1 floats)
    raise NotImplementedError
