"""Exposure and pacing (issue 5), run by `python3 bench/run.py exposure`.

1. Importing a 5,000-event calendar through HTTP: an Outlook-shaped export (a VTIMEZONE,
   every event with a UID, a summary, a location and a description, as real exports carry),
   all 5,000 events inside the import window so that every one becomes a session. Each round
   registers a fresh account and times the upload from the first byte sent to the 303 that
   follows the commit; then the same file again (nothing changes). A second file holds four
   years of history (5,000 events, most of them before the import window), the usual shape
   of a long-kept work calendar.
2. The week view of an account with those 5,000 sessions (a third tagged heavy, a tenth
   traumatic, through the bulk tagging form), one request after another on one keep-alive
   connection: this week, a busy week in the past, a day view, and the insights page that
   now draws the load beside the check-ins. A /healthz round trip on the same connection is
   the floor.
"""

import datetime
import http.client
import os
import re
import sqlite3
import statistics
import subprocess
import tempfile
import time

from checkins import post_form, register
from run import ROOT, free_port, rss_mib, start_ballast, wait_ready

EVENTS = 5000
ROUNDS_DEFAULT = 5
BOUNDARY = "ballast-bench-boundary-7d1f"

VTIMEZONE = (
    "BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n"
    "BEGIN:STANDARD\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10\r\nEND:STANDARD\r\n"
    "BEGIN:DAYLIGHT\r\nDTSTART:16010101T010000\r\nTZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\n"
    "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
)


def weekdays_back(first, count_days):
    """Weekdays from `first` going back `count_days` days, newest first."""
    return [d for d in (first - datetime.timedelta(days=n) for n in range(count_days)) if d.weekday() < 5]


def calendar(days, per_day):
    """An Outlook-shaped export with `per_day` sessions on each of `days`, EVENTS in all."""
    lines = ["BEGIN:VCALENDAR\r\nPRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN\r\n"
             "VERSION:2.0\r\nMETHOD:PUBLISH\r\n", VTIMEZONE]
    made = 0
    for day in days:
        for slot in range(per_day):
            if made == EVENTS:
                break
            start = datetime.datetime.combine(day, datetime.time(7 + slot))
            end = start + datetime.timedelta(minutes=50)
            lines.append(
                "BEGIN:VEVENT\r\n"
                "CLASS:PUBLIC\r\n"
                f"CREATED:20240101T090000Z\r\n"
                f"DESCRIPTION:Room booked. Notes are kept in the case system\\, not here.\\n\r\n"
                f"DTEND;TZID=Europe/London:{end:%Y%m%dT%H%M%S}\r\n"
                "DTSTAMP:20261101T120000Z\r\n"
                f"DTSTART;TZID=Europe/London:{start:%Y%m%dT%H%M%S}\r\n"
                "LAST-MODIFIED:20240101T090000Z\r\n"
                "LOCATION:Room 4\r\n"
                "PRIORITY:5\r\n"
                "SEQUENCE:0\r\n"
                f"SUMMARY;LANGUAGE=en-gb:Session {made}\r\n"
                "TRANSP:OPAQUE\r\n"
                f"UID:040000008200E00074C5B7101A82E00800000000{made:016X}\r\n"
                "X-MICROSOFT-CDO-BUSYSTATUS:BUSY\r\n"
                "BEGIN:VALARM\r\nTRIGGER:-PT15M\r\nACTION:DISPLAY\r\nDESCRIPTION:Reminder\r\nEND:VALARM\r\n"
                "END:VEVENT\r\n"
            )
            made += 1
    assert made == EVENTS, made
    lines.append("END:VCALENDAR\r\n")
    return "".join(lines).encode()


def upload(port, cookie, csrf, data):
    body = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"calendar\"; filename=\"work.ics\"\r\n"
            "Content-Type: text/calendar\r\n\r\n").encode() + data + f"\r\n--{BOUNDARY}--\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    began = time.perf_counter()
    connection.request("POST", f"/exposure/import?csrf={csrf}", body, {
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}", "Cookie": cookie,
    })
    response = connection.getresponse()
    response.read()
    seconds = time.perf_counter() - began
    location = response.getheader("Location") or ""
    connection.close()
    if response.status != 303:
        raise SystemExit(f"import failed: {response.status}")
    counts = dict(urllib_pairs(location))
    return seconds, counts


def urllib_pairs(location):
    query = location.split("?", 1)[1] if "?" in location else ""
    return [(k, int(v)) for k, v in (pair.split("=") for pair in query.split("&") if "=" in pair)]


def timed_gets(connection, path, cookie, requests, warmup):
    headers = {"Cookie": cookie} if cookie else {}
    for _ in range(warmup):
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        assert response.status == 200, f"{path}: {response.status}"
    timings = []
    for _ in range(requests):
        began = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        timings.append((time.perf_counter() - began) * 1000)
    timings.sort()
    return {"p50": statistics.median(timings), "p99": timings[min(len(timings) - 1, int(len(timings) * 0.99))],
            "max": timings[-1], "bytes": len(body), "body": body}


def main(args):
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "-p", "ballast"], cwd=ROOT, check=True)
    rounds = args.rounds
    today = datetime.date.today()
    # All 5,000 inside the window (the past year and the next three months): 16 a weekday,
    # on the hour from 07:00.
    dense = calendar(weekdays_back(today + datetime.timedelta(days=85), 450), 16)
    # Four years of a steady five a day: most of it is history before the window.
    history = calendar(weekdays_back(today + datetime.timedelta(days=30), 4 * 366), 5)
    print(f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores.\n")

    with tempfile.TemporaryDirectory(prefix="ballast-exposure-") as data_dir:
        port = free_port()
        server = start_ballast(data_dir, port)
        try:
            wait_ready(port, "/readyz")
            results = {"dense": [], "dense_again": [], "history": [], "history_again": []}
            counts = {}
            heavy_cookie = None
            for n in range(rounds):
                for name, data in (("dense", dense), ("history", history)):
                    cookie, csrf = register(port, f"{name}.{n}@example.org", "Europe/London")
                    seconds, first = upload(port, cookie, csrf, data)
                    again_seconds, again = upload(port, cookie, csrf, data)
                    results[name].append(seconds)
                    results[f"{name}_again"].append(again_seconds)
                    counts[name] = (first, again)
                    if name == "dense" and n == 0:
                        heavy_cookie, heavy_csrf = cookie, csrf

            # Tag a third heavy and a tenth traumatic through the bulk form.
            database = sqlite3.connect(f"file:{os.path.join(data_dir, 'ballast.sqlite3')}?mode=ro", uri=True)
            (user,) = database.execute("SELECT id FROM users WHERE email = 'dense.0@example.org'").fetchone()
            ids = [row[0] for row in database.execute(
                "SELECT id FROM work_sessions WHERE user_id = ? ORDER BY id", (user,))]
            database.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            for intensity, chosen in (("heavy", ids[::3]), ("traumatic", ids[1::10]), ("routine", ids[2::3])):
                for start in range(0, len(chosen), 1000):
                    fields = {"csrf": heavy_csrf, "intensity": intensity,
                              **{f"s-{i}": "on" for i in chosen[start:start + 1000]}}
                    response, _ = post_form(connection, "/exposure/tag", heavy_cookie, fields)
                    assert response.status == 303, f"tagging: {response.status}"

            pages = {}
            floor = timed_gets(connection, "/healthz", None, args.requests, args.warmup)
            busy_week = today - datetime.timedelta(days=28)
            for label, path in (
                ("this week", "/exposure"),
                ("a busy week four weeks ago", f"/exposure?week={busy_week.isoformat()}"),
                ("a day (16 sessions)", f"/exposure/day?date={(busy_week - datetime.timedelta(days=busy_week.weekday())).isoformat()}"),
                ("insights, 90 days with the load", "/insights?range=90"),
                ("insights, 365 days with the load", "/insights?range=365"),
            ):
                pages[label] = timed_gets(connection, path, heavy_cookie, args.requests, args.warmup)
            week_body = pages["a busy week four weeks ago"]["body"].decode()
            flags = len(re.findall(r"<li><strong>", week_body))
            connection.close()
            rss = rss_mib(server.pid)
        finally:
            server.terminate()
            server.wait()

    print(f"Calendar import through HTTP (multipart upload, parse, one transaction), {rounds} rounds, "
          "a fresh account each.\n")
    print("| file | size | events | sessions added | median | slowest | again (adds nothing) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, data, label in (("dense", dense, "5,000 events, all in the window"),
                              ("history", history, "5,000 events over four years")):
        first, again = counts[name]
        assert again["added"] == 0 and again["existing"] == first["added"], (first, again)
        print(f"| {label} | {len(data) / 1e6:.1f} MB | {EVENTS:,} | {first['added']:,} "
              f"(skipped {first['skipped']:,}) | {statistics.median(results[name]) * 1000:.0f} ms | "
              f"{max(results[name]) * 1000:.0f} ms | {statistics.median(results[name + '_again']) * 1000:.0f} ms |")
    print()
    print(f"Pages of the account with {len(ids):,} sessions, {args.requests} requests each after "
          f"{args.warmup} to warm up, one keep-alive connection; /healthz round trip "
          f"{floor['p50']:.2f} ms (the floor).\n")
    print("| page | p50 | p99 | max | size |")
    print("|---|---:|---:|---:|---:|")
    for label, timing in pages.items():
        print(f"| {label} | {timing['p50']:.2f} ms | {timing['p99']:.2f} ms | {timing['max']:.2f} ms | "
              f"{timing['bytes'] / 1024:.0f} KiB |")
    print()
    print(f"- the busy week shows {flags} flags; server resident memory after the runs {rss:.1f} MiB")
