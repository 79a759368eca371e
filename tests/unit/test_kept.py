"""What a process keeps of rarely changing data: trusted for its seconds, forgotten on demand."""

from ordo import kept
from ordo.kept import Kept


def test_a_kept_value_is_read_once_then_again_when_its_time_runs_out(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(kept.time, "monotonic", lambda: now[0])
    reads = []
    store = Kept("test", seconds=5.0)

    def load():
        reads.append(1)
        return len(reads)

    assert store.get("a", load) == 1
    now[0] += 4.9
    assert store.get("a", load) == 1, "still trusted"
    now[0] += 0.2
    assert store.get("a", load) == 2, "read afresh: another process may have changed it"
    store.forget()
    assert store.get("a", load) == 3
    kept.KEPT.remove(store)
