"""Issue 15, low item: the checkpoint folders a SIGKILLed write-enabled server leaves beside its
store are removed when the next one starts; another store's folders are left alone."""

from __future__ import annotations

from pyoxigraph import Store

from kg.executor.views import Checkpoint


def test_leftover_checkpoint_folders_are_removed_at_start(tmp_path):
    path = tmp_path / "kg-store"
    store = Store(str(path))
    leftover = tmp_path / ".kg-views-kg-store-x1y2" / "view-3"
    leftover.mkdir(parents=True)
    (leftover / "000123.sst").write_bytes(b"x" * 1000)
    other = tmp_path / ".kg-views-other-store-a1b2"
    other.mkdir()
    views = Checkpoint(store, path)
    try:
        assert not leftover.parent.exists()
        assert other.exists()
        assert views.folder.exists() and views.folder.name.startswith(".kg-views-kg-store-")
    finally:
        views.cleanup()
