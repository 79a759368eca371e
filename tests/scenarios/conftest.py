import pytest


@pytest.fixture
def history(manager):
    def read(number: int) -> list[tuple[str | None, str, str, str]]:
        rows = manager.api.get(f"/orders/{number}/history").body
        return [(r["from"], r["to"], r["transition"], r["kind"]) for r in rows if r["item"] is None]

    return read
