import pytest


@pytest.mark.points(12)
def test_placeholder():
    "this task is being written"
    pytest.fail('task not written yet')
