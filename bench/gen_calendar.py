#!/usr/bin/env python3
"""Synthetic calendar for bench/calendar.sh: N events over 2020-2029, a fifth
of them weekly series lasting a year, written for each tool:
  events.ics   iCalendar (nestor import, calcurse -i, khal)
  apts         calcurse's own data file (its import is quadratic)
  reminders    remind's REM lines
  vdir/        one .ics per event, khal's storage (skipped when --no-vdir)
All times are UTC; the bench runs every tool with TZ=UTC.
Options for nestor's own import bench (events.ics only):
  --alarms     each event gets a VALARM 15 minutes before it
  --custom-tz  times in a zone defined only by the file's VTIMEZONE
               ("Custom/Berlin-ish", Berlin's rules), wall clock as written"""
import datetime as dt
import os
import random
import sys


CUSTOM_TZ = [
    "BEGIN:VTIMEZONE", "TZID:Custom/Berlin-ish",
    "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST",
    "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
    "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET",
    "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD",
    "END:VTIMEZONE",
]


def stamp(name, t, custom):
    if custom:
        return "%s;TZID=Custom/Berlin-ish:%s" % (name, t.strftime("%Y%m%dT%H%M%S"))
    return "%s:%s" % (name, t.strftime("%Y%m%dT%H%M%SZ"))


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    vdir = "--no-vdir" not in sys.argv
    alarms = "--alarms" in sys.argv
    custom = "--custom-tz" in sys.argv
    rnd = random.Random(n)
    base = dt.datetime(2020, 1, 1)
    os.makedirs(out, exist_ok=True)
    if vdir:
        os.makedirs(os.path.join(out, "vdir"), exist_ok=True)
    ics = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//nestor bench//EN",
    ]
    if custom:
        ics.extend(CUSTOM_TZ)
    apts = []
    rem = []
    for i in range(n):
        start = base + dt.timedelta(
            days=rnd.randrange(3650), minutes=rnd.randrange(7 * 4, 20 * 4) * 15
        )
        dur = dt.timedelta(minutes=rnd.choice((15, 30, 45, 60, 90, 120)))
        end = start + dur
        weekly = i % 5 == 0
        until = start + dt.timedelta(days=364)
        summary = "Event %d%s" % (i, " weekly" if weekly else "")
        ev = [
            "BEGIN:VEVENT",
            "UID:bench-%d@nestor" % i,
            "DTSTAMP:20200101T000000Z",
            stamp("DTSTART", start, custom),
            stamp("DTEND", end, custom),
            "SUMMARY:" + summary,
        ]
        if weekly:
            ev.append("RRULE:FREQ=WEEKLY;UNTIL=" + until.strftime("%Y%m%dT%H%M%SZ"))
        if alarms:
            ev.extend(["BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT15M",
                       "DESCRIPTION:" + summary, "END:VALARM"])
        ev.append("END:VEVENT")
        ics.extend(ev)
        if vdir:
            with open(os.path.join(out, "vdir", "bench-%d.ics" % i), "w") as f:
                f.write("\r\n".join(ics[:3] + ev + ["END:VCALENDAR", ""]))
        span = "%s @ %s -> %s @ %s" % (
            start.strftime("%m/%d/%Y"), start.strftime("%H:%M"),
            end.strftime("%m/%d/%Y"), end.strftime("%H:%M"),
        )
        if weekly:
            apts.append("%s {1W -> %s} |%s" % (span, until.strftime("%m/%d/%Y"), summary))
        else:
            apts.append("%s |%s" % (span, summary))
        mins = int(dur.total_seconds() // 60)
        rem.append(
            "REM %s %sAT %s DURATION %d:%02d MSG %s"
            % (
                start.strftime("%Y-%m-%d"),
                "*7 UNTIL %s " % until.strftime("%Y-%m-%d") if weekly else "",
                start.strftime("%H:%M"),
                mins // 60,
                mins % 60,
                summary,
            )
        )
    ics.append("END:VCALENDAR")
    with open(os.path.join(out, "events.ics"), "w") as f:
        f.write("\r\n".join(ics) + "\r\n")
    with open(os.path.join(out, "apts"), "w") as f:
        f.write("\n".join(apts) + "\n")
    with open(os.path.join(out, "reminders"), "w") as f:
        f.write("\n".join(rem) + "\n")


if __name__ == "__main__":
    main()
