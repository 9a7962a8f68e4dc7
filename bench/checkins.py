"""Check-ins and insights (issue 4), run by `python3 bench/run.py checkins`.

1. Durable check-in writes through HTTP: 64 accounts, one per wrk connection, each saving
   today's check-in (a ~320-character note and a restorer, both sealed with the person's data
   key) over and over: `wrk -t2 -c64`. The page answers 303 only after the SQLite commit
   (WAL, synchronous=FULL) that holds the write. Interleaved, round by round, with the bare
   SQLite loop of crates/ballast-store-sqlite/examples/write_bench.rs (one row per commit,
   WAL, synchronous=FULL) on the same disk, while the server is idle; medians reported.
2. The insights dashboard of one account with five years (1,826 days) of daily check-ins:
   days older than the back-fill window (366 days) written straight into the database while
   the server is stopped (values only: free text must be sealed by the server), the last
   366 days and today through the check-in form with notes and restorers, plus quarterly
   ProQOL 5 results; then GET /insights?range=365|90|30 one after another on one
   keep-alive connection.
"""

import datetime
import html
import http.client
import json
import math
import os
import random
import re
import sqlite3
import statistics
import subprocess
import tempfile
import time
import urllib.parse

from run import PASSWORD, ROOT, TARGET, cookies_from, free_port, get, rss_mib, start_ballast, wait_ready

CSRF_COOKIE = "__Host-ballast-csrf"
WRITE_ACCOUNTS = 64
DASHBOARD_DAYS = 1826  # five years, today included
BACKFILL_DAYS = 366  # ballast_core::checkin::BACKFILL_DAYS
RANGES = (365, 90, 30)

# About 300 characters (314): what a tired person might write at the end of a day.
NOTE = (
    "Long day. Two sessions back to back in the morning, then the team meeting ran over and I "
    "ate lunch at my desk again. The afternoon client talked about her brother for the first "
    "time and I kept thinking about it on the bus home. Slept badly, woke at four. Walked the "
    "long way in this morning, which helped a little."
)
RESTORERS = [
    "a long walk by the river",
    "dinner with friends",
    "an hour of reading before bed",
    "swimming at lunch",
    "playing music",
    "",  # some days name nothing
]
SIGNS = ["numb", "brain-fog", "poor-sleep", "withdrawing", "ruminating"]
PHYSICAL = ["headache", "stomach", "tension", "illness"]


# --- shared helpers -------------------------------------------------------------------------

def register(port, email, time_zone="UTC"):
    """Registers an account; returns (Cookie header, CSRF token)."""
    response, _ = get(port, "/register")
    jar = cookies_from(response)
    body = urllib.parse.urlencode({"csrf": jar[CSRF_COOKIE], "email": email, "password": PASSWORD,
                                   "time_zone": time_zone})
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", "/register", body, {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"{CSRF_COOKIE}={jar[CSRF_COOKIE]}",
    })
    response = connection.getresponse()
    response.read()
    connection.close()
    if response.status != 303:
        raise SystemExit(f"registration of {email} failed: {response.status}")
    jar.update(cookies_from(response))
    return "; ".join(f"{k}={v}" for k, v in jar.items()), jar[CSRF_COOKIE]


def post_form(connection, path, cookie, fields):
    connection.request("POST", path, urllib.parse.urlencode(fields), {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
    })
    response = connection.getresponse()
    body = response.read()
    return response, body


def wrk_time(text):
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def today_utc():
    return datetime.datetime.now(datetime.timezone.utc).date()


# --- 1. durable check-in writes ---------------------------------------------------------------

# wrk's Lua cannot tell which connection asks for a request, so each wrk thread cycles through
# its own half of the accounts (32 for its 32 connections). An account is then in flight on one
# connection at a time unless a request is overtaken by all 31 others of its thread; such an
# overlap is two saves of the same day, which the page handles as two updates (both 303).
LUA = r"""
local accounts = {ACCOUNTS}
local per_thread = #accounts / 2
local threads = {}
local next_thread = 0

function setup(thread)
  thread:set("first", next_thread * per_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

function init(args)
  n = 0
  bad = 0
  statuses = ""
end

function request()
  local account = accounts[first + (n % per_thread) + 1]
  n = n + 1
  local body = account.form .. "&energy=" .. (n % 11) .. "&mood=" .. ((n * 7) % 11)
    .. "&note=" .. account.note .. "%20(" .. n .. ")"
  return wrk.format("POST", "/check-in", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = account.cookie,
  }, body)
end

function response(status, headers, body)
  if status ~= 303 or not string.find(headers["location"] or headers["Location"] or "", "^/insights%?saved=") then
    bad = bad + 1
    if bad <= 3 then statuses = statuses .. status .. " " end
  end
end

function done(summary, latency, requests)
  local total, seen = 0, ""
  for _, thread in ipairs(threads) do
    total = total + thread:get("bad")
    seen = seen .. thread:get("statuses")
  end
  io.write(string.format("not-303: %d [%s]\n", total, seen))
end
"""


def lua_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_script(path, accounts):
    entries = []
    for cookie, csrf in accounts:
        form = urllib.parse.urlencode({
            "csrf": csrf, "day": "", "sleep_hours": "6.5", "sleep_quality": "4", "empathy": "-1",
            "dread": "6", "intrusive": "3", "physical-headache": "on", "physical-tension": "on",
            "restorer": "a long walk by the river",
        })
        entries.append(f"{{cookie = {lua_string(cookie)}, form = {lua_string(form)}, "
                       f"note = {lua_string(urllib.parse.quote(NOTE))}}}")
    with open(path, "w") as script:
        script.write(LUA.replace("{ACCOUNTS}", "{\n  " + ",\n  ".join(entries) + "\n}"))


def wrk_checkins(port, script, duration):
    command = ["wrk", "-t2", f"-c{WRITE_ACCOUNTS}", f"-d{duration}s", "--latency", "-s", script,
               f"http://127.0.0.1:{port}/check-in"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    bad = int(re.search(r"not-303: (\d+)", output).group(1))
    errors = re.search(r"Socket errors: (.*)", output)
    if bad or errors:
        raise SystemExit(f"invalid run: {bad} responses other than 303 to /insights?saved=\n{output}")
    percentile = lambda label: wrk_time(re.search(label + r"\s+([\d.]+(?:us|ms|s))", output).group(1))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50": percentile("50%"), "p99": percentile("99%"),
    }


def bare_loop(duration, folder):
    command = [os.path.join(TARGET, "examples", "write_bench"), str(duration), "bare", folder]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return float(re.search(r"bare loop, one row per commit: ([\d.]+) rows/s", output).group(1))


def database_file(data_dir):
    return os.path.join(data_dir, "ballast.sqlite3")  # ballast_store_sqlite::DATABASE_FILE


def measure_writes(duration, rounds):
    with tempfile.TemporaryDirectory(prefix="ballast-checkins-") as folder:
        data_dir = os.path.join(folder, "data")
        os.mkdir(data_dir)
        port = free_port()
        server = start_ballast(data_dir, port)
        try:
            wait_ready(port, "/readyz")
            started = time.monotonic()
            accounts = [register(port, f"writer{n}@example.org") for n in range(WRITE_ACCOUNTS)]
            registering = time.monotonic() - started
            script = os.path.join(folder, "checkins.lua")
            write_script(script, accounts)
            wrk_checkins(port, script, 2)  # warm-up; also makes each account's data key
            bare_loop(2, folder)
            http_runs, bare_runs = [], []
            # Interleaved rounds, so a slow spell on a shared machine hits both alike.
            for _ in range(rounds):
                http_runs.append(wrk_checkins(port, script, duration))
                bare_runs.append(bare_loop(duration, folder))
            sealed_note = check_saved(database_file(data_dir), port, accounts)
            rss = rss_mib(server.pid)
        finally:
            server.terminate()
            server.wait()
    return {"http": http_runs, "bare": bare_runs, "registering": registering, "sealed_note": sealed_note,
            "rss": rss}


def check_saved(database_path, port, accounts):
    """Every account has today's check-in; no note is stored as plain text; a note opens again."""
    database = sqlite3.connect(f"file:{database_path}?mode=ro", uri=True)
    people, plain, shortest = database.execute(
        "SELECT COUNT(DISTINCT user_id), SUM(INSTR(CAST(note AS TEXT), 'Long day')), MIN(LENGTH(note)) "
        "FROM check_ins").fetchone()
    database.close()
    assert people == len(accounts), f"check-ins from {people} of {len(accounts)} accounts"
    assert not plain, "a note is stored as plain text"
    response, body = get(port, "/check-in", {"Cookie": accounts[0][0]})
    assert response.status == 200 and b"Long day. Two sessions" in body, "the saved note opens again"
    return shortest


# --- 2. the dashboard with five years of check-ins -----------------------------------------

def day_values(day, index, rng):
    """A plausible day: a weekly rhythm, slow seasons, noise, and a hard last three weeks."""
    weekday = day.weekday()
    season = 1.5 * math.sin(index / 58.0)
    strain = (1.2 if weekday < 5 else -1.5) + season + rng.gauss(0, 1.2) + (3.5 if index < 21 else 0)
    clamp = lambda value: max(0, min(10, round(value)))
    sleep = max(3.0, min(10.0, round((7.2 - 0.35 * strain + rng.gauss(0, 0.7)) * 4) / 4))
    return {
        "energy": clamp(6 - strain), "mood": clamp(6.5 - 0.8 * strain), "sleep_quarters": round(sleep * 4),
        "sleep_quality": clamp(6 - 0.7 * strain + rng.gauss(0, 1)), "empathy": max(-3, min(3, round(-0.4 * strain))),
        "dread": clamp(4 + strain), "intrusive": clamp(2 + 0.6 * strain + rng.gauss(0, 1)),
        "physical": [sign for sign in PHYSICAL if rng.random() < 0.05 + 0.03 * max(strain, 0)],
        "signs": [sign for sign in SIGNS if rng.random() < 0.04 + 0.05 * max(strain, 0)],
    }


def measure_dashboard(requests, warmup):
    rng = random.Random(4)
    with tempfile.TemporaryDirectory(prefix="ballast-insights-") as data_dir:
        port = free_port()
        server = start_ballast(data_dir, port)
        try:
            wait_ready(port, "/readyz")
            cookie, csrf = register(port, "five.years@example.org")
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            fields = {"csrf": csrf, **{f"sign-{sign}": "on" for sign in SIGNS}}
            response, _ = post_form(connection, "/check-in/signs", cookie, fields)
            assert response.status == 303, f"choosing warning signs: {response.status}"
            # ProQOL 5 every three months: recorded through the API (which scores them), dated
            # below while the server is stopped.
            assessments = DASHBOARD_DAYS // 91
            for n in range(assessments):
                answers = [1 + (n + item) % 5 for item in range(30)]
                connection.request("POST", "/api/v1/assessments",
                                   json.dumps({"instrument": "proqol5", "answers": {"items": answers}}),
                                   {"Content-Type": "application/json", "Cookie": cookie})
                response = connection.getresponse()
                response.read()
                assert response.status == 201, f"recording an assessment: {response.status}"
            connection.close()
        finally:
            server.terminate()
            server.wait()

        today = today_utc()
        days = [today - datetime.timedelta(days=age) for age in range(DASHBOARD_DAYS)]  # newest first
        values = {day: day_values(day, age, rng) for age, day in enumerate(days)}
        path = database_file(data_dir)
        database = sqlite3.connect(path)
        (user,) = database.execute("SELECT id FROM users WHERE email = ?", ("five.years@example.org",)).fetchone()
        direct = [day for age, day in enumerate(days) if age > BACKFILL_DAYS]
        with database:
            for day in direct:
                v = values[day]
                at = int(datetime.datetime.combine(day, datetime.time(20), datetime.timezone.utc).timestamp())
                database.execute(
                    "INSERT INTO check_ins (user_id, day, energy, mood, sleep_quarters, sleep_quality, empathy, "
                    "dread, intrusive, physical, warning_signs, restorer, note, backfilled, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, 0, ?, ?)",
                    (user, day.isoformat(), v["energy"], v["mood"], v["sleep_quarters"], v["sleep_quality"],
                     v["empathy"], v["dread"], v["intrusive"], ",".join(v["physical"]),
                     ",".join(sorted(v["signs"])), at, at))
            ids = [row[0] for row in database.execute(
                "SELECT id FROM assessments WHERE user_id = ? ORDER BY id", (user,))]
            now = int(time.time())
            for n, assessment in enumerate(ids):
                database.execute("UPDATE assessments SET taken_at = ? WHERE id = ?",
                                 (now - (len(ids) - 1 - n) * 91 * 86400 - 3600, assessment))
        database.close()

        port = free_port()
        server = start_ballast(data_dir, port)
        try:
            wait_ready(port, "/readyz")
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            started = time.monotonic()
            for age in range(BACKFILL_DAYS, -1, -1):
                day = days[age]
                v = values[day]
                fields = {
                    "csrf": csrf, "day": day.isoformat(), "energy": v["energy"], "mood": v["mood"],
                    "sleep_hours": v["sleep_quarters"] / 4, "sleep_quality": v["sleep_quality"],
                    "empathy": v["empathy"], "dread": v["dread"], "intrusive": v["intrusive"],
                    "restorer": RESTORERS[age % len(RESTORERS)],
                    "note": f"{NOTE} ({day.isoformat()})" if age % 3 else "",
                    **{f"physical-{sign}": "on" for sign in v["physical"]},
                    **{f"sign-{sign}": "on" for sign in v["signs"]},
                }
                response, body = post_form(connection, "/check-in", cookie, fields)
                if response.status != 303:
                    raise SystemExit(f"back-filling {day}: {response.status}\n{body[:2000]!r}")
            backfill_seconds = time.monotonic() - started
            database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            stored = database.execute("SELECT COUNT(*), MIN(day), MAX(day), SUM(note IS NOT NULL) FROM check_ins"
                                      ).fetchone()
            database.close()
            assert stored[0] == DASHBOARD_DAYS, stored

            # The floor: a round trip through the same client, connection and middleware.
            floor = []
            for n in range(warmup + requests):
                began = time.perf_counter()
                connection.request("GET", "/healthz")
                response = connection.getresponse()
                response.read()
                if n >= warmup:
                    floor.append((time.perf_counter() - began) * 1000)
            results = {}
            for range_days in RANGES:
                path_query = f"/insights?range={range_days}"
                for _ in range(warmup):
                    connection.request("GET", path_query, headers={"Cookie": cookie})
                    response = connection.getresponse()
                    body = response.read()
                assert response.status == 200, f"{path_query}: {response.status}"
                count = re.search(rb"(\d+) check-ins? from ([^<]+?) to ([^<]+?)\.", body)
                assert count, f"{path_query} shows no check-in count:\n{body[:3000].decode()}"
                timings = []
                for _ in range(requests):
                    began = time.perf_counter()
                    connection.request("GET", path_query, headers={"Cookie": cookie})
                    response = connection.getresponse()
                    body = response.read()
                    timings.append((time.perf_counter() - began) * 1000)
                    if response.status != 200:
                        raise SystemExit(f"{path_query}: {response.status}")
                timings.sort()
                titles = re.findall(rb'<h3 id="signal-\d+">([^<]*)</h3>', body)
                results[range_days] = {
                    "p50": statistics.median(timings),
                    "p99": timings[min(len(timings) - 1, int(len(timings) * 0.99))],
                    "max": timings[-1],
                    "bytes": len(body),
                    "count_text": count.group(0).decode(),
                    "associations": body.count(b"<li>") and b"restores-title" in body
                    and b"Not enough days yet" not in body,
                    "signals": [html.unescape(title.decode()) for title in titles],
                    "charts": body.count(b"<svg"),
                }
            connection.close()
        finally:
            server.terminate()
            server.wait()
    return {"results": results, "stored": stored, "backfill_seconds": backfill_seconds,
            "floor": statistics.median(floor),
            "assessments": assessments}


# --- the report ------------------------------------------------------------------------------

def main(args):
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "-p", "ballast"], cwd=ROOT, check=True)
        subprocess.run(["cargo", "build", "--release", "-p", "ballast-store-sqlite", "--example", "write_bench"],
                       cwd=ROOT, check=True)
    parts = {"writes", "dashboard"} if args.part == "all" else {args.part}
    print(f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores.\n")
    if "writes" in parts:
        writes = measure_writes(args.duration, args.rounds)
        http_rps = statistics.median(run["rps"] for run in writes["http"])
        bare = statistics.median(writes["bare"])
        print(f"Durable check-ins: wrk -t2 -c{WRITE_ACCOUNTS} -d{args.duration}s, {WRITE_ACCOUNTS} accounts, "
              f"median of {args.rounds} interleaved rounds.\n")
        print("| round | HTTP check-ins/s | p50 | p99 | bare loop rows/s | HTTP ÷ bare |")
        print("|---|---:|---:|---:|---:|---:|")
        for n, (run, rows) in enumerate(zip(writes["http"], writes["bare"]), 1):
            print(f"| {n} | {run['rps']:,.0f} | {run['p50']:.2f} ms | {run['p99']:.2f} ms | {rows:,.0f} | "
                  f"{run['rps'] / rows:.2f} |")
        print(f"| median | {http_rps:,.0f} | {statistics.median(r['p50'] for r in writes['http']):.2f} ms | "
              f"{statistics.median(r['p99'] for r in writes['http']):.2f} ms | {bare:,.0f} | {http_rps / bare:.2f} |")
        print()
        print(f"- every response was a 303 to /insights?saved=…; "
              f"{sum(r['requests'] for r in writes['http']):,} saves in the measured rounds")
        print(f"- sealed note in the database: {writes['sealed_note']} bytes; no plain text stored")
        print(f"- registering {WRITE_ACCOUNTS} accounts took {writes['registering']:.1f} s; "
              f"server resident memory after the runs {writes['rss']:.1f} MiB")
        print()
    if "dashboard" in parts:
        dashboard = measure_dashboard(args.requests, args.warmup)
        stored = dashboard["stored"]
        print(f"Insights with {stored[0]:,} daily check-ins ({stored[1]} to {stored[2]}, {stored[3]} with notes), "
              f"{dashboard['assessments']} ProQOL 5 results; {args.requests} sequential requests per range "
              f"on one keep-alive connection after {args.warmup} warm-up requests "
              f"(back-filling 367 days through the form took {dashboard['backfill_seconds']:.1f} s).\n")
        print("| page | HTML | p50 | p99 | max | shows |")
        print("|---|---:|---:|---:|---:|---|")
        for range_days, result in dashboard["results"].items():
            print(f"| /insights?range={range_days} | {result['bytes'] / 1024:,.0f} KiB | {result['p50']:.2f} ms | "
                  f"{result['p99']:.2f} ms | {result['max']:.2f} ms | “{result['count_text']}”, "
                  f"{result['charts']} charts, signals: {'; '.join(result['signals']) or 'none'}, "
                  f"associations {'shown' if result['associations'] else 'not shown'} |")
        print()
        print(f"- round trip to /healthz on the same connection and client: p50 {dashboard['floor']:.2f} ms")
