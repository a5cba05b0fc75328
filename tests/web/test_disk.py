"""The store's disk on the proctor's dashboard: its figures, the board's own folders, and an
alert under a configurable threshold of free space."""
from __future__ import annotations

import shutil

from web.services import disk

from .conftest import SHAPES_PATH
from .test_proctor import state


def test_folder_bytes_counts_every_file_below(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one").write_bytes(b"x" * 1000)
    (tmp_path / "a" / "b" / "two").write_bytes(b"y" * 234)
    (tmp_path / "link").symlink_to(tmp_path / "a" / "one")      # not counted twice
    assert disk.folder_bytes(tmp_path) == 1234


def test_the_alert_follows_the_thresholds():
    gib = 1024 ** 3
    roomy = disk.DiskUsage(total=100 * gib, used=50 * gib, free=50 * gib, board=0)
    tight = disk.DiskUsage(total=100 * gib, used=90 * gib, free=10 * gib, board=0)
    nearly_full = disk.DiskUsage(total=100 * gib, used=97 * gib, free=3 * gib, board=0)
    assert disk.alert(roomy, 15, 5) is None
    assert disk.alert(tight, 15, 5) == ("warn", "alert.disk_low", {"free": "10.0 GB", "percent": "10.0",
                                                                   "threshold": "15"})
    assert disk.alert(nearly_full, 15, 5)[0] == "bad"
    assert disk.human(340 * 1024 ** 2) == "340 MB" and disk.human(12 * 1024) == "12.0 KB"


def test_the_proctor_sees_the_disk_and_an_alert_under_the_threshold(app, candidate, signed_in, exam):
    app.config.update(DISK_CACHE_S=0.0)
    assert candidate.upload("shapes", SHAPES_PATH).status_code == 303
    proctor = signed_in("proctor")
    fs = shutil.disk_usage(app.config["STORE_DIR"])
    free_percent = 100.0 * fs.free / fs.total

    app.config.update(DISK_WARN_FREE_PERCENT=0.0, DISK_CRITICAL_FREE_PERCENT=0.0)
    s = state(proctor, exam)
    assert not [a for a in s["alerts"] if "存储磁盘" in a["text"]]
    assert s["disk"]["text"].startswith("存储磁盘：已用") and abs(s["disk"]["free_percent"] - free_percent) < 1.0
    page = proctor.get(f"/staff/proctor/{exam}").get_data(as_text=True)
    assert 'id="disk"' in page and "考试数据占用" in page

    # a threshold above what is free: warned; above it for the critical one too: alarmed
    app.config.update(DISK_WARN_FREE_PERCENT=min(100.0, free_percent + 1.0))
    [warn] = [a for a in state(proctor, exam)["alerts"] if "存储磁盘只剩" in a["text"]]
    assert warn["level"] == "warn"
    app.config.update(DISK_CRITICAL_FREE_PERCENT=min(100.0, free_percent + 1.0))
    [bad] = [a for a in state(proctor, exam)["alerts"] if "存储磁盘只剩" in a["text"]]
    assert bad["level"] == "bad"


def test_the_board_folders_size_grows_with_an_upload(app, candidate, exam):
    from pathlib import Path
    folders = Path(app.config["STORE_DIR"]), (Path(app.config["ARTIFACTS_DIR"]),)
    before = disk.usage(*folders, 0.0).board
    assert candidate.upload("shapes", SHAPES_PATH).status_code == 303
    after = disk.usage(*folders, 0.0).board
    assert after - before >= SHAPES_PATH.stat().st_size
