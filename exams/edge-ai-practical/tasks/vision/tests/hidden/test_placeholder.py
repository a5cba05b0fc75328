import pytest


@pytest.mark.points(16)
def test_placeholder():
    "this task is being written"
    pytest.fail('task not written yet')
