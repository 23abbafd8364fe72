"""Small numbers helpers for the benchmarks: percentiles, CPU time, resident memory, the machine."""

from __future__ import annotations

import os
import platform
import resource
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Summary:
    """Percentiles of a list of durations, in milliseconds."""

    n: int
    p50: float
    p95: float
    p99: float
    mean: float

    @classmethod
    def of(cls, seconds: list[float]) -> Summary:
        if not seconds:
            return cls(0, 0.0, 0.0, 0.0, 0.0)
        ordered = sorted(seconds)
        return cls(
            n=len(ordered),
            p50=percentile(ordered, 0.50) * 1000,
            p95=percentile(ordered, 0.95) * 1000,
            p99=percentile(ordered, 0.99) * 1000,
            mean=sum(ordered) / len(ordered) * 1000,
        )

    def as_json(self) -> dict[str, float]:
        return {
            "n": self.n,
            "p50_ms": round(self.p50, 3),
            "p95_ms": round(self.p95, 3),
            "p99_ms": round(self.p99, 3),
            "mean_ms": round(self.mean, 3),
        }


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def spread(values: list[float]) -> dict[str, float]:
    """min / median / max of repeated runs of one figure."""
    ordered = sorted(values)
    return {
        "min": round(ordered[0], 3),
        "median": round(percentile(ordered, 0.5), 3),
        "max": round(ordered[-1], 3),
    }


def cpu_seconds() -> float:
    """User + system CPU time of this process so far (all its threads)."""
    return time.process_time()


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time of another process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb() -> float:
    """This process's peak resident memory so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory of a process now (VmRSS) or at its peak (VmHWM), from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def tree_rss_mb(pid: int, field: str = "VmRSS") -> float:
    """Resident memory of a process and all its descendants (Rasa forks workers), summed: now
    (VmRSS) or each one's peak (VmHWM)."""
    total = 0.0
    for child in [pid, *_descendants(pid)]:
        try:
            total += rss_mb(child, field)
        except OSError:
            continue
    return total


def _descendants(pid: int) -> list[int]:
    children: list[int] = []
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        for task in tasks:
            raw = (task / "children").read_text().split()
            children.extend(int(c) for c in raw)
    except OSError:
        return []
    result = list(children)
    for child in children:
        result.extend(_descendants(child))
    return result


def machine() -> dict[str, object]:
    """What the figures were measured on, and how busy it was (others share this machine)."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
