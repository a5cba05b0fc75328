import pytest


@pytest.mark.points(14)
def test_placeholder():
    "this task is being written"
    pytest.fail('task not written yet')
