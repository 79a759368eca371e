"""``make bench``: throughput of the services and of the HTTP API, with peak memory.

Runs against a fresh database in a temporary folder: SQLite by default, or the PostgreSQL named by
``--database-url`` (e.g. the one ``scripts/with-postgres.sh`` starts). Talks only to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

from bench import desk, documents, http, notifications, payments, reports, services, stages, timers

#: The benchmark groups in the order they run.
PARTS = ("services", "stages", "notifications", "http", "payments", "timers", "documents", "desk", "reports")


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--database-url", default=os.environ.get("ORDO_BENCH_DATABASE_URL", ""))
    parser.add_argument("--orders", type=int, default=3000, help="orders placed through the services")
    parser.add_argument("--transitions", type=int, default=6000, help="transitions through the services")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the services' figures (the median is kept)")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each HTTP run")
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 50], help="concurrent HTTP clients")
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--messages", type=int, default=2000, help="e-mails for the delivery benchmark")
    parser.add_argument("--skip-notifications", action="store_true")
    parser.add_argument("--payments", type=int, default=2000, help="wallet payments through the services")
    parser.add_argument("--due", type=int, default=100_000, help="due orders for the timer sweep")
    parser.add_argument("--desk-orders", type=int, default=1_000_000, help="orders behind the desk pages")
    parser.add_argument("--skip-desk", action="store_true")
    parser.add_argument(
        "--report-orders", type=int, default=1_000_000, help="orders behind the reports (5 history rows each)"
    )
    parser.add_argument("--skip-reports", action="store_true")
    parser.add_argument(
        "--only",
        nargs="+",
        choices=PARTS,
        default=[],
        help="run only these parts (e.g. --only desk to measure the desk on an otherwise idle machine)",
    )
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="ordo-bench-")
    os.environ["ORDO_VAR_DIR"] = workdir
    if args.database_url:
        os.environ["ORDO_DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("ORDO_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ordo.settings")

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from django.db import connection

    from ordo.sqlite import checkpoint

    # As each `ordo serve` web process does: SQLite's log is copied back by a thread of the
    # process, not by the commit that fills it (ordo/sqlite/checkpoint.py).
    checkpoint.start_for(connection)

    started = time.perf_counter()
    skipped = {
        "notifications": args.skip_notifications,
        "http": args.skip_http,
        "desk": args.skip_desk,
        "reports": args.skip_reports,
    }
    # The HTTP and delivery runs work on the orders the services run placed.
    chosen = set(args.only) | ({"services"} if {"http", "notifications"} & set(args.only) else set())
    wanted = [part for part in PARTS if (part in chosen if args.only else not skipped.get(part))]
    runs = {
        "services": lambda: services.run(orders=args.orders, transitions=args.transitions, rounds=args.rounds),
        "stages": stages.run,
        "notifications": lambda: notifications.run(messages=args.messages),
        "http": lambda: http.run(workdir=workdir, seconds=args.seconds, clients=args.clients),
        "payments": lambda: payments.run(payments=args.payments),
        "timers": lambda: timers.run(due=args.due),
        "documents": documents.run,
        "desk": lambda: desk.run(orders=args.desk_orders),
        "reports": lambda: reports.run(orders=args.report_orders),
    }
    results = [row for part in wanted for row in runs[part]()]
    print()
    print(f"{'benchmark':<64} {'figure':>14}  {'target':>10}  ratio")
    for row in results:
        target = f"{row.target:,.0f}" if row.target else ""
        ratio = f"{row.ratio:.2f}x" if row.target else ""
        print(f"{row.name:<64} {row.figure:>14}  {target:>10}  {ratio}")
    print(f"\n(total {time.perf_counter() - started:.0f} s; database files in {workdir})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
