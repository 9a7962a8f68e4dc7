#!/usr/bin/env python3
"""Ballast's HTTP benchmark, run on one machine in one go.

Measures, with wrk (Debian package `wrk`) at 64 connections:
  1. a bare axum "hello" server (crates/ballast-web/examples/bare_hello.rs): the ceiling;
  2. Ballast's /healthz;
  3. an authenticated page (/account: session lookup in SQLite + template render).
Then cold start of `ballast serve` to a ready /readyz on an existing database, idle resident
memory, and the release binary's size. Prints a Markdown report for docs/BENCHMARKS.md.

Usage: python3 bench/run.py [--duration SECONDS] [--rounds N]
       python3 bench/run.py checkins [--duration SECONDS] [--rounds N] [--part writes|dashboard]
       python3 bench/run.py exposure [--rounds N] [--requests N]
The second runs the check-in and insights benchmarks instead (see bench/checkins.py), the
third the calendar import and pacing pages (see bench/exposure.py).
"""

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.path.join(ROOT, "target", "release")
PASSWORD = "lantern orchard velvet quietly"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", path, headers=headers or {})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def wait_ready(port, path, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            response, _ = get(port, path)
            if response.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.001)
    raise SystemExit(f"port {port} never became ready")


def cookies_from(response):
    jar = {}
    for name, value in response.getheaders():
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            jar[key] = val
    return jar


def register(port):
    response, _ = get(port, "/register")
    jar = cookies_from(response)
    csrf = jar["__Host-ballast-csrf"]
    body = urllib.parse.urlencode({"csrf": csrf, "email": "bench@example.org", "password": PASSWORD})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", "/register", body, {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"__Host-ballast-csrf={csrf}",
    })
    response = connection.getresponse()
    response.read()
    if response.status != 303:
        raise SystemExit(f"registration failed: {response.status}")
    jar.update(cookies_from(response))
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def wrk(port, path, duration, cookie=None):
    command = ["wrk", "-t2", "-c64", f"-d{duration}s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non2xx:
        raise SystemExit(f"{path}: {non2xx.group(1)} error responses\n{output}")
    return rps, float(p99.group(1)) * scale


def measure_history(port, cookie, duration):
    """Ten years of weekly ProQOL 5 results (520), then the history page's latency with one
    connection (so latency is server time plus a loopback round trip)."""
    csrf = dict(pair.split("=", 1) for pair in cookie.split("; "))["__Host-ballast-csrf"]
    for week in range(520):
        answers = [1 + (week + item) % 5 for item in range(30)]
        body = json.dumps({"instrument": "proqol5", "answers": {"items": answers}})
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("POST", "/api/v1/assessments", body, {"Content-Type": "application/json", "Cookie": cookie})
        response = connection.getresponse()
        response.read()
        if response.status != 201:
            raise SystemExit(f"could not record a result: {response.status}")
    del csrf
    response, body = get(port, "/assessments/proqol5/history", {"Cookie": cookie})
    assert response.status == 200 and body.count(b"<circle") == 3 * 520, "the page under test shows 520 results"
    command = ["wrk", "-t1", "-c1", f"-d{duration}s", "--latency", "-H", f"Cookie: {cookie}",
               f"http://127.0.0.1:{port}/assessments/proqol5/history"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    def percentile(label):
        found = re.search(label + r"\s+([\d.]+)(us|ms|s)", output)
        return float(found.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]
    return percentile("50%"), percentile("99%"), len(body)


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def start_ballast(data_dir, port):
    env = {k: v for k, v in os.environ.items() if not k.startswith("BALLAST_")}
    env["BALLAST_LOG"] = "warn"
    return subprocess.Popen(
        [os.path.join(TARGET, "ballast"), "serve", "--bind", f"127.0.0.1:{port}", "--data-dir", data_dir],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=data_dir,
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("benchmark", nargs="?", choices=["http", "checkins", "exposure"], default="http")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; medians are reported")
    parser.add_argument("--no-build", action="store_true", help="use the release binaries already built")
    parser.add_argument("--part", choices=["all", "writes", "dashboard"], default="all", help="checkins only")
    parser.add_argument("--requests", type=int, default=200, help="checkins and exposure: requests per page")
    parser.add_argument("--warmup", type=int, default=20, help="checkins and exposure: warm-up requests per page")
    args = parser.parse_args()
    if args.benchmark == "checkins":
        import checkins
        return checkins.main(args)
    if args.benchmark == "exposure":
        import exposure
        return exposure.main(args)

    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--bin", "ballast", "--example", "bare_hello"],
                       cwd=ROOT, check=True)

    with tempfile.TemporaryDirectory() as data_dir:
        bare_port, ballast_port = free_port(), free_port()
        bare = subprocess.Popen([os.path.join(TARGET, "examples", "bare_hello"), f"127.0.0.1:{bare_port}"],
                                stdout=subprocess.DEVNULL)
        ballast = start_ballast(data_dir, ballast_port)
        try:
            wait_ready(bare_port, "/")
            wait_ready(ballast_port, "/readyz")
            time.sleep(1)
            idle_rss = rss_mib(ballast.pid)
            cookie = register(ballast_port)
            response, body = get(ballast_port, "/account", {"Cookie": cookie})
            assert response.status == 200 and b"bench@example.org" in body, "the page under test is the signed-in one"

            targets = [
                ("bare axum hello (ceiling)", bare_port, "/", None),
                ("/healthz", ballast_port, "/healthz", None),
                ("/account (signed in)", ballast_port, "/account", cookie),
            ]
            for _, port, path, jar in targets:
                wrk(port, path, 2, jar)  # warm-up
            # Interleaved rounds, so a slow spell on a shared machine hits every target alike.
            runs = {name: [] for name, _, _, _ in targets}
            for _ in range(args.rounds):
                for name, port, path, jar in targets:
                    runs[name].append(wrk(port, path, args.duration, jar))
            results = {
                name: (statistics.median(r for r, _ in samples), statistics.median(p for _, p in samples), samples)
                for name, samples in runs.items()
            }
            loaded_rss = rss_mib(ballast.pid)
            history = measure_history(ballast_port, cookie, args.duration)
        finally:
            bare.terminate()
            ballast.terminate()
            bare.wait()
            ballast.wait()

        cold = []
        for _ in range(10):
            port = free_port()
            started = time.monotonic()
            process = start_ballast(data_dir, port)
            wait_ready(port, "/readyz")
            cold.append((time.monotonic() - started) * 1000)
            process.terminate()
            process.wait()

    size = os.path.getsize(os.path.join(TARGET, "ballast"))
    ceiling = results["bare axum hello (ceiling)"][0]
    print(f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores; wrk -t2 -c64 -d{args.duration}s, "
          f"median of {args.rounds} interleaved rounds.\n")
    print("| target | requests/s | share of ceiling | p99 latency | rounds (req/s) |")
    print("|---|---:|---:|---:|---|")
    for name, (rps, p99, samples) in results.items():
        each = ", ".join(f"{r:,.0f}" for r, _ in samples)
        print(f"| {name} | {rps:,.0f} | {rps / ceiling:.0%} | {p99:.2f} ms | {each} |")
    print()
    print(f"- cold start to ready /readyz on an existing database: median {statistics.median(cold):.0f} ms, "
          f"max {max(cold):.0f} ms over {len(cold)} starts")
    print(f"- resident memory: {idle_rss:.1f} MiB idle after start, {loaded_rss:.1f} MiB after the load runs")
    print(f"- release binary: {size / 1024 / 1024:.1f} MiB ({size:,} bytes)")
    print(f"- ProQOL 5 history page with 520 weekly results ({history[2]:,} bytes, 3 charts and tables): "
          f"p50 {history[0]:.2f} ms, p99 {history[1]:.2f} ms at one connection")


if __name__ == "__main__":
    sys.exit(main())
