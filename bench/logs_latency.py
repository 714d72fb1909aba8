"""Put-to-printed latency of ``shipdeck tail --follow`` in polling mode, and calls per second.

A writer puts one event every 50 ms (20/s) for ``--seconds`` (default 60);
``shipdeck tail -f --mode poll`` runs as a subprocess and each printed line is
timed when it reaches us. An in-process follower of the same engine counts its
FilterLogEvents calls with a botocore hook. Targets: median <= 1.2 s,
p95 <= 2.5 s, <= 2 FilterLogEvents calls/s per stream.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from logs_throughput import ROOT, environment, logs_client, moto_endpoint, tail_command

from cloud.logs import LogTarget, RegionLimiters, tail_logs

GROUP = "/bench/latency"
STREAM = "app"
RATE = 20


def write(client: Any, seconds: float, sent: dict[int, float]) -> None:
    """Put one event every 1/RATE s; remember when each was put (wall clock)."""
    began = time.monotonic()
    seq = 0
    while time.monotonic() - began < seconds:
        due = began + seq / RATE
        time.sleep(max(0.0, due - time.monotonic()))
        now = time.time()
        sent[seq] = now
        client.put_log_events(
            logGroupName=GROUP,
            logStreamName=STREAM,
            logEvents=[{"timestamp": int(now * 1000), "message": f"seq={seq}"}],
        )
        seq += 1


def read_printed(process: subprocess.Popen[bytes], printed: dict[int, float]) -> None:
    """Time every line the command prints."""
    assert process.stdout is not None
    for raw in process.stdout:
        stamp = time.time()
        _, _, message = raw.decode().rstrip("\n").rpartition(" ")
        if message.startswith("seq="):
            printed.setdefault(int(message[4:]), stamp)


def follow_in_process(url: str, stop: threading.Event, calls: list[float]) -> dict[int, float]:
    """The same engine in this process, counting its FilterLogEvents calls."""
    client = logs_client(url)
    client.meta.events.register(
        "before-send.logs.FilterLogEvents", lambda **_: calls.append(time.monotonic())
    )
    seen: dict[int, float] = {}
    for batch in tail_logs(
        lambda service, region: client,
        [LogTarget("us-east-1", GROUP)],
        since_ms=int(time.time() * 1000),
        follow=True,
        mode="poll",
        limiters=RegionLimiters(),
        stop=stop,
    ):
        stamp = time.time()
        for event in batch.events:
            seen.setdefault(int(event.message[4:]), stamp)
    return seen


def summary(name: str, sent: dict[int, float], printed: dict[int, float]) -> None:
    delays = sorted(printed[k] - sent[k] for k in printed if k in sent)
    missing = len(sent) - len(delays)
    if not delays:
        print(f"{name}: nothing printed")
        return
    p95 = delays[min(len(delays) - 1, int(0.95 * len(delays)))]
    print(
        f"{name}: {len(delays)} lines, missing {missing}; median {statistics.median(delays):.3f}s, "
        f"p95 {p95:.3f}s, max {delays[-1]:.3f}s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    with moto_endpoint() as url:
        client = logs_client(url)
        client.create_log_group(logGroupName=GROUP)
        client.create_log_stream(logGroupName=GROUP, logStreamName=STREAM)
        command = [*tail_command(), GROUP, "--follow", "--since", "1s", "--mode", "poll"]
        process = subprocess.Popen(
            command, env=environment(url), stdout=subprocess.PIPE, cwd=str(ROOT)
        )
        printed: dict[int, float] = {}
        reader = threading.Thread(target=read_printed, args=(process, printed), daemon=True)
        reader.start()
        stop = threading.Event()
        calls: list[float] = []
        box: dict[str, dict[int, float]] = {}
        follower = threading.Thread(
            target=lambda: box.setdefault("seen", follow_in_process(url, stop, calls))
        )
        follower.start()
        time.sleep(2.0)  # both followers are up and polling before the first put
        sent: dict[int, float] = {}
        began = time.monotonic()
        write(client, args.seconds, sent)
        time.sleep(3.0)  # let the last lines arrive
        elapsed = time.monotonic() - began
        stop.set()
        follower.join(10)
        process.terminate()
        process.wait(10)
        print(f"wrote {len(sent)} events at {RATE}/s for {args.seconds:.0f}s")
        summary("shipdeck tail -f (subprocess)", sent, printed)
        summary("engine in process", sent, box.get("seen", {}))
        window = [c for c in calls if c >= began]
        print(f"FilterLogEvents calls/s per stream: {len(window) / elapsed:.2f}")
        print("targets: median <= 1.2s, p95 <= 2.5s, <= 2 calls/s")


if __name__ == "__main__":
    main()
