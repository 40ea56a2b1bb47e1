"""`python -m tests.bench [--quick] [--database sqlite|postgresql|both] [--requests N] …`"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence
from typing import Any

from tests.bench import outbox_only, report, servers, versus
from tests.bench.suite import Options, run_suite

QUICK_REQUESTS = 150
QUICK_ROWS = 2_000


def parse(argv: Sequence[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench",
        description="Run the bot under gunicorn against the fake Slack, print the targets table.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_REQUESTS} requests per kind and {QUICK_ROWS:,} stored rows (for CI)",
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default=None)
    parser.add_argument("--requests", type=int, help="requests per kind (default 2000)")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients")
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn workers on PostgreSQL (default 2)"
    )
    parser.add_argument(
        "--sqlite-workers",
        type=int,
        default=1,
        help="gunicorn workers on SQLite (default 1, as the embedded default runs)",
    )
    parser.add_argument("--threads", type=int, default=8, help="threads per worker (default 8)")
    parser.add_argument(
        "--sequential",
        type=int,
        help="one person at a time (`cr-bot run` on each --database, plain HTTP and TLS): "
        "submissions and clicks each (default 40; --quick 10; 0: skip)",
    )
    parser.add_argument(
        "--only-sequential", action="store_true", help="measure only one person at a time"
    )
    parser.add_argument(
        "--versus",
        type=int,
        help="/cr-request against bare Bolt side by side: turns of each (default "
        f"{versus.TURNS}; --quick 2; 0: skip)",
    )
    parser.add_argument(
        "--only-versus",
        action="store_true",
        help="measure only /cr-request against bare Bolt, in turns",
    )
    parser.add_argument(
        "--only-outbox",
        action="store_true",
        help="measure only the outbox: the burst's submission → DMs (--requests, 0: skip) "
        "and its throughput beside the fake's limit (--outbox-repeats times)",
    )
    parser.add_argument("--outbox-repeats", type=int, default=3, help="with --only-outbox")
    parser.add_argument("--outbox-rows", type=int, help="due rows written at once")
    parser.add_argument("--rows", type=int, help="stored requests for the Home tab and digest")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("BENCH_DATABASE_URL", servers.DEFAULT_PG_URL),
        help="PostgreSQL database of the suite's own: created if missing, our tables "
        "dropped and migrated; one at a time over TLS uses one beside it, named with _tls "
        "(default $BENCH_DATABASE_URL or %(default)s)",
    )
    args = parser.parse_args(argv)
    database = args.database or ("sqlite" if args.quick else "both")
    return Options(
        requests=args.requests or (QUICK_REQUESTS if args.quick else 2000),
        clients=args.clients,
        workers=args.workers,
        sqlite_workers=args.sqlite_workers,
        threads=args.threads,
        databases=("sqlite", "postgresql") if database == "both" else (database,),
        postgres_url=args.postgres_url,
        scale_rows=args.rows or (QUICK_ROWS if args.quick else 100_000),
        scale_repeats=5 if args.quick else 20,
        time_limit=60.0 if args.quick else 240.0,
        wait=30.0 if args.quick else 45.0,
        warmup=20 if args.quick else 40,
        paced=50 if args.quick else 300,
        outbox_rows=args.outbox_rows or (300 if args.quick else 3000),
        sequential=(10 if args.quick else 40) if args.sequential is None else args.sequential,
        only_sequential=args.only_sequential,
        versus_turns=(2 if args.quick else versus.TURNS) if args.versus is None else args.versus,
        versus_per_turn=50 if args.quick else versus.PER_TURN,
        only_versus=args.only_versus,
        only_outbox=args.outbox_repeats if args.only_outbox else 0,
        command=" ".join(["python -m tests.bench", *(argv if argv is not None else sys.argv[1:])]),
    )


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)

    def stop(signum: int, _frame: Any) -> None:
        # Unwind through the `finally`s that stop gunicorn, as Ctrl-C does.
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started with it ignored
    # Short GIL hand-offs: a client thread woken by its answer should not wait
    # 5 ms (the default) behind the fake Slack's threads to take its timestamp.
    sys.setswitchinterval(0.0005)
    if options.only_outbox:
        lines = outbox_only.run(
            options,
            repeats=options.only_outbox,
            log=lambda line: print(f"... {line}", file=sys.stderr),
        )
        print("\n".join(lines))
        return 0
    outcome = run_suite(options, log=lambda line: print(f"... {line}", file=sys.stderr))
    report.render(outcome)
    return 1 if outcome.problems() else 0


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        print("interrupted; every gunicorn this suite started is stopped", file=sys.stderr)
        raise SystemExit(130) from None
