from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    name: str
    value: float
    unit: str
    #: What the specification asks for; for latencies the ratio is target / value (higher is better).
    target: float = 0.0
    lower_is_better: bool = False

    @property
    def figure(self) -> str:
        return f"{self.value:,.1f} {self.unit}" if self.value < 100 else f"{self.value:,.0f} {self.unit}"

    @property
    def ratio(self) -> float:
        if not self.target or not self.value:
            return 0.0
        return self.target / self.value if self.lower_is_better else self.value / self.target


def peak_rss_mib(pid: int | str = "self") -> float:
    """The high-water mark of resident memory (VmHWM) of a process, in MiB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0
