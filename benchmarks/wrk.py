"""Throughput and latency of one URL under load, measured with wrk (`apt-get install wrk`).

    wrk -t2 -cN -dSs --latency --timeout 10s URL

The output is parsed: Requests/sec, the "Latency Distribution" percentiles (p50, p75, p90, p99), and the
errors (non-2xx/3xx answers, socket errors). A run with errors is reported, not hidden.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import asdict, dataclass

THREADS = 2
#: A slow answer counts in the latency instead of vanishing as a wrk timeout (its default is 2 s).
REQUEST_TIMEOUT = "10s"
#: Seconds of load before each measured run, so every worker has loaded its templates and connections.
WARM_UP_SECONDS = 1
#: Extra seconds wrk may take beyond its run before the benchmark gives up on it.
GRACE_SECONDS = 30

_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_PERCENTILE = re.compile(r"^\s*(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_REQUESTS = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", re.MULTILINE)
_RATE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
_SOCKET = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")


@dataclass
class LoadResult:
    url: str
    connections: int
    seconds: float
    requests: int
    requests_per_second: float
    p50_ms: float
    p75_ms: float
    p90_ms: float
    p99_ms: float
    non_2xx: int = 0
    socket_errors: int = 0

    @property
    def errors(self) -> int:
        return self.non_2xx + self.socket_errors

    def as_dict(self) -> dict:
        return {**asdict(self), "errors": self.errors}


def available() -> bool:
    return shutil.which("wrk") is not None


def parse(output: str, url: str, connections: int) -> LoadResult:
    percentiles = {p: float(value) * _UNIT_MS[unit] for p, value, unit in _PERCENTILE.findall(output)}
    requests_match, rate_match = _REQUESTS.search(output), _RATE.search(output)
    if len(percentiles) < 4 or not requests_match or not rate_match:
        raise ValueError(f"cannot read wrk's output:\n{output}")
    socket_match, non_2xx_match = _SOCKET.search(output), _NON_2XX.search(output)
    return LoadResult(
        url=url, connections=connections,
        seconds=float(requests_match.group(2)) * _UNIT_MS[requests_match.group(3)] / 1000,
        requests=int(requests_match.group(1)), requests_per_second=float(rate_match.group(1)),
        p50_ms=percentiles["50"], p75_ms=percentiles["75"], p90_ms=percentiles["90"], p99_ms=percentiles["99"],
        non_2xx=int(non_2xx_match.group(1)) if non_2xx_match else 0,
        socket_errors=sum(int(n) for n in socket_match.groups()) if socket_match else 0,
    )


def run(url: str, connections: int, seconds: int) -> LoadResult:
    command = ["wrk", f"-t{min(THREADS, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency",
               "--timeout", REQUEST_TIMEOUT, url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + GRACE_SECONDS, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr}")
    return parse(done.stdout, url, connections)


def warm_up(url: str, connections: int) -> None:
    run(url, connections, WARM_UP_SECONDS)
