"""Who used the CPU, read from /proc: processes, the whole machine, and how fast it is now.

A run on a shared machine is only worth its figures if we can say what else was running, so
every measurement reports the CPU of its own processes next to the machine's.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from bench.harness.report import percentile

TICK = os.sysconf("SC_CLK_TCK")
# Before a heavy phase: wait up to this long for other processes to use at most this % of the
# machine (BENCH_QUIET_WAIT=0 goes ahead at once, for a smoke run).
QUIET_WAIT_SECONDS = float(os.environ.get("BENCH_QUIET_WAIT", "600"))
QUIET_LIMIT = 25.0


def _stat_fields(pid: int | str) -> list[str]:
    """/proc/PID/stat after the command name (which may itself hold spaces and parentheses)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process so far; 0 once it has exited."""
    with contextlib.suppress(OSError):
        fields = _stat_fields(pid)
        return (int(fields[11]) + int(fields[12])) / TICK
    return 0.0


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(_stat_fields(stat.parent.name)[1]) == pid:
                found.append(int(stat.parent.name))
    return sorted(found)


def machine_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    with open("/proc/stat") as handle:
        values = [int(v) for v in handle.readline().split()[1:9]]
    idle = values[3] + values[4]  # idle + iowait
    return (sum(values) - idle) / TICK, sum(values) / TICK


@dataclass(frozen=True)
class CpuSample:
    """Machine-wide CPU and every process's own, to say who used the CPU over a phase."""

    busy: float
    total: float
    processes: dict[int, tuple[str, float]]
    at: float

    @classmethod
    def now(cls) -> CpuSample:
        processes = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, IndexError, ValueError):
                text = stat.read_text()
                name = text[text.index("(") + 1 : text.rindex(")")]
                fields = text.rsplit(")", 1)[1].split()
                ticks = int(fields[11]) + int(fields[12])
                processes[int(stat.parent.name)] = (name, ticks / TICK)
        busy, total = machine_seconds()
        return cls(busy, total, processes, time.monotonic())

    def shares(self, before: CpuSample) -> tuple[float, dict[str, float]]:
        """Busy % of the whole machine, and % by process name ("this process" for ours)."""
        cores = os.cpu_count() or 1
        scale = 100 / ((self.at - before.at) * cores)
        machine = (self.busy - before.busy) / max(1e-9, self.total - before.total) * 100
        groups: dict[str, float] = {}
        me = os.getpid()
        for pid, (name, seconds) in self.processes.items():
            spent = seconds - before.processes.get(pid, (name, 0.0))[1]
            if spent > 0:
                group = "this process" if pid == me else name
                groups[group] = groups.get(group, 0.0) + spent * scale
        groups["exited meanwhile"] = max(0.0, machine - sum(groups.values()))
        return machine, groups

    def since(self, before: CpuSample) -> str:
        machine, groups = self.shares(before)
        own = groups.pop("this process", 0.0)
        postgres = groups.pop("postgres", 0.0)
        others = sorted(groups.items(), key=lambda kv: kv[1], reverse=True)
        listed = ", ".join(f"{name} {share:.0f}%" for name, share in others[:3] if share >= 1)
        return (
            f"CPU over the phase ({os.cpu_count()} cores = 100%): this process {own:.0f}%, "
            f"postgres {postgres:.0f}%, others {sum(groups.values()):.0f}%"
            + (f" ({listed})" if listed else "")
            + f", idle {max(0.0, 100 - machine):.0f}%"
        )


def others_busy(seconds: float = 5.0) -> tuple[float, str]:
    """CPU used by other processes over a few seconds while this one does nothing (% of the
    machine), and the busiest of them. The sleep is the measuring window."""
    before = CpuSample.now()
    time.sleep(seconds)
    machine, groups = CpuSample.now().shares(before)
    groups.pop("this process", None)
    top = sorted(groups.items(), key=lambda kv: kv[1], reverse=True)[:3]
    return machine, ", ".join(f"{name} {share:.0f}%" for name, share in top if share >= 1)


def wait_for_quiet(phase: str) -> None:
    """Measure the machine, window after window, until other processes leave most of the CPU
    free or QUIET_WAIT_SECONDS have passed; what they used anyway is in each phase's report."""
    deadline = time.monotonic() + QUIET_WAIT_SECONDS
    announced = False
    while True:
        busy, who = others_busy()
        if busy <= QUIET_LIMIT:
            if announced:
                print(f"  ... quiet enough now ({busy:.0f}% busy)", flush=True)
            return
        if time.monotonic() > deadline:
            print(
                f"  note: other processes still use {busy:.0f}% of the CPU ({who});"
                f" {phase} goes ahead"
            )
            return
        if not announced:
            print(
                f"  other processes use {busy:.0f}% of the CPU ({who}): waiting before {phase}",
                flush=True,
            )
            announced = True


def cpu_calibration() -> float:
    """Median ms of a fixed pure-Python workload: how fast the CPU is for us right now."""
    document = {"rows": [{"code": f"c{n}", "score": n, "reasons": ["a", "b"]} for n in range(300)]}
    samples = []
    for _ in range(7):
        started = time.perf_counter()
        for _ in range(20):
            text = json.dumps(document)
            json.loads(text)
            re.findall(r"c\d+", text)
        samples.append((time.perf_counter() - started) * 1000)
    return percentile(samples, 50)
