"""The ``ordo`` command."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ordo.settings")
    import django

    django.setup()


def cmd_migrate(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    new = not connection.introspection.table_names()
    call_command("migrate", interactive=False, verbosity=1 if args.verbose else 0)
    where = _database_name(connection)
    if new:
        tables = len(connection.introspection.table_names())
        print(f"Created a new database: {where} ({tables} tables, {len(pending)} migrations).")
    elif pending:
        print(f"Updated the database {where}: {len(pending)} migrations applied.")
    else:
        print(f"The database {where} is up to date.")
    return 0


def _database_name(connection: Any) -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return str(settings["NAME"])
    return f"PostgreSQL {settings.get('NAME')} on {settings.get('HOST') or 'localhost'}"


def cmd_check(args: argparse.Namespace) -> int:
    """Django's system checks and Ordo's own; ``--deploy`` adds what a public installation needs."""
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    try:
        call_command("check", deploy=args.deploy, fail_level="WARNING" if args.strict else "ERROR")
    except SystemCheckError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from ordo.server import serve

    serve(host=args.host, port=args.port, workers=args.workers, threads=args.threads, with_worker=not args.no_worker)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from ordo.worker import Worker

    worker = Worker(batch=args.batch, parent=args.parent)
    if args.once:
        print(f"{worker.run_once()} message(s) tried.")
        return 0
    worker.run_forever()
    return 0


def cmd_preset_load(args: argparse.Namespace) -> int:
    from ordo.errors import DomainError
    from ordo.orders.workflows import preset_load_named

    try:
        loaded = preset_load_named(args.preset)
    except DomainError as error:
        print(f"Preset refused, nothing changed:\n{error.message}", file=sys.stderr)
        return 1
    print(
        f"Preset {loaded.code} loaded: created {', '.join(loaded.created) or '-'}; "
        f"updated {', '.join(loaded.updated) or '-'}; unchanged {', '.join(loaded.unchanged) or '-'}."
    )
    return 0


def cmd_preset_export(args: argparse.Namespace) -> int:
    from ordo.configuration import config_export
    from ordo.errors import DomainError

    try:
        text = config_export()
    except DomainError as error:
        print(error.message, file=sys.stderr)
        return 1
    if args.file in ("", "-"):
        sys.stdout.write(text)
    else:
        Path(args.file).write_text(text, encoding="utf-8")
        print(f"Configuration written to {args.file}; load it elsewhere with: ordo preset load {args.file}")
    return 0


def cmd_workflow_validate(args: argparse.Namespace) -> int:
    from ordo.orders.workflows import preset_read
    from ordo.workflow.loader import PresetError

    try:
        preset = preset_read(args.file)
    except PresetError as error:
        print(f"{len(error.problems)} problem(s):", file=sys.stderr)
        for problem in error.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"{args.file}: valid ({', '.join(w.code for w in preset.workflows)}).")
    return 0


def cmd_workflow_graph(args: argparse.Namespace) -> int:
    from ordo.orders.workflows import workflow_get
    from ordo.workflow.render import mermaid

    found = workflow_get(args.code)
    if found is None:
        print(f"No workflow {args.code!r}; load a preset first (ordo preset load NAME).", file=sys.stderr)
        return 1
    print(mermaid(found[1], args.language), end="")
    return 0


def cmd_user_create(args: argparse.Namespace) -> int:
    from ordo.accounts.services import AccountError, user_create

    try:
        user, password = user_create(
            username=args.name, role=args.role, email=args.email, password=args.password, name=args.full_name
        )
    except AccountError as error:
        print(str(error), file=sys.stderr)
        return 1
    shown = "(as given)" if args.password else password
    print(f"User {user.username} ({args.role}) created. Password: {shown}")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    from django.contrib.auth.models import User

    from ordo.accounts.services import token_create

    user = User.objects.filter(username=args.name, is_active=True).first()
    if user is None:
        print(f"No active user {args.name!r}.", file=sys.stderr)
        return 1
    print(token_create(user=user, name=args.label, source=args.source))
    return 0


def cmd_token_revoke(args: argparse.Namespace) -> int:
    from ordo.accounts.models import ApiToken
    from ordo.accounts.services import token_revoke

    tokens = list(ApiToken.objects.filter(prefix=args.prefix, revoked_at=None))
    if len(tokens) != 1:
        found = "no live token" if not tokens else f"{len(tokens)} live tokens"
        print(f"{found} with the prefix {args.prefix!r}.", file=sys.stderr)
        return 1
    token_revoke(tokens[0])
    print(f"Revoked {tokens[0]}.")
    return 0


def cmd_timers_run(args: argparse.Namespace) -> int:
    from datetime import datetime

    from django.utils import timezone

    from ordo.orders.timers import sweep

    now = None
    if args.now:
        now = datetime.fromisoformat(args.now)
        now = timezone.make_aware(now) if timezone.is_naive(now) else now
    result = sweep(now=now, dry_run=args.dry_run)
    if args.dry_run:
        for p in result.planned:
            blocked = f"  (stays: {', '.join(p.blocked_by)})" if p.blocked_by else ""
            print(
                f"{p.kind:<8} {p.number:>8}  {p.status} → {p.to} by {p.transition}, due {p.at:%Y-%m-%d %H:%M}{blocked}"
            )
        print(f"{len(result.planned)} order(s) would be moved or warned; nothing changed.")
    else:
        print(f"Moved {result.moved}, warned {result.warned}, left {result.blocked} whose guards fail.")
    return 0


def cmd_timers_forecast(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from ordo.orders.timers import forecast

    planned = forecast(days=args.days)
    for p in planned:
        at = timezone.localtime(p.at)
        print(f"{at:%Y-%m-%d %H:%M}  {p.kind:<8} {p.number:>8}  {p.status} → {p.to} ({p.transition})")
    print(f"{len(planned)} event(s) in the next {args.days} day(s).")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from ordo.demo import PresetMismatch, demo_install, demo_reset

    try:
        if args.reset:
            demo_reset()
            print("The embedded database is empty again.")
        credentials = demo_install(preset=args.preset)
    except PresetMismatch as problem:
        print(f"ordo demo: {problem}", file=sys.stderr)
        return 2
    print(f"\nOrdo demo ({args.preset}) is ready. Sign in with:")
    for row in credentials:
        print(f"  {row['role']:<9} {row['username']:<16} password: {row['password']}")
    print(f"  API token of {credentials[0]['username']}: {credentials[0]['token']}")
    print("  (kept in var/demo-credentials.json)\n")
    return 0


def _at_least_one(text: str) -> int:
    """A count of processes or threads: a whole number from 1 up."""
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return count


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ordo", description="Ordo order management.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="serve the web app and the API")
    serve.add_argument("--host", default=os.environ.get("ORDO_HOST", "127.0.0.1"))
    serve.add_argument("--port", type=int, default=int(os.environ.get("ORDO_PORT", "8000")))
    # argparse checks a string default by its type too: a bad ORDO_WEB_* value is refused as a flag would be.
    serve.add_argument("--workers", type=_at_least_one, default=os.environ.get("ORDO_WEB_WORKERS", "2"))
    serve.add_argument("--threads", type=_at_least_one, default=os.environ.get("ORDO_WEB_THREADS", "4"))
    serve.add_argument("--no-worker", action="store_true", help="do not start the background worker")
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser("worker", help="deliver notifications (run any number on PostgreSQL)")
    worker.add_argument("--batch", type=int, default=50)
    worker.add_argument("--once", action="store_true", help="one round, then exit")
    worker.add_argument("--parent", type=int, help=argparse.SUPPRESS)  # ordo serve's pid: exit when it dies
    worker.set_defaults(func=cmd_worker)

    check = sub.add_parser("check", help="check the configuration (--deploy: for a public installation)")
    check.add_argument("--deploy", action="store_true", help="also what serving on the internet needs")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.set_defaults(func=cmd_check)

    migrate = sub.add_parser("migrate", help="create or update the database tables")
    migrate.add_argument("--verbose", action="store_true")
    migrate.set_defaults(func=cmd_migrate)

    demo = sub.add_parser("demo", help="load a preset with demo users and orders")
    demo.add_argument("--preset", default=os.environ.get("ORDO_PRESET", "shop"))
    demo.add_argument("--reset", action="store_true", help="empty the embedded database first (another preset's demo)")
    demo.set_defaults(func=cmd_demo)

    preset = sub.add_parser("preset", help="presets").add_subparsers(dest="action", required=True)
    load = preset.add_parser("load", help="load or update a preset by name or TOML file")
    load.add_argument("preset", metavar="NAME|FILE")
    load.set_defaults(func=cmd_preset_load)
    export = preset.add_parser("export", help="write the whole configuration as a preset TOML file")
    export.add_argument("file", metavar="FILE", nargs="?", default="-", help="default: standard output")
    export.set_defaults(func=cmd_preset_export)

    workflow = sub.add_parser("workflow", help="workflows").add_subparsers(dest="action", required=True)
    check = workflow.add_parser("validate", help="check a preset file and list every problem")
    check.add_argument("file", metavar="FILE")
    check.set_defaults(func=cmd_workflow_validate, needs_db=False)
    graph = workflow.add_parser("graph", help="print a stored workflow as a Mermaid diagram")
    graph.add_argument("code")
    graph.add_argument("--language", default="en")
    graph.set_defaults(func=cmd_workflow_graph)

    timers = sub.add_parser("timers", help="orders that move by themselves").add_subparsers(
        dest="action", required=True
    )
    run = timers.add_parser("run", help="move due orders and send due warnings now (or as of --now)")
    run.add_argument("--now", default="", help="ISO date and time to sweep as of (backfills, tests)")
    run.add_argument("--dry-run", action="store_true", help="list what would happen; change nothing")
    run.set_defaults(func=cmd_timers_run)
    ahead = timers.add_parser("forecast", help="what moves or is warned about in the next days")
    ahead.add_argument("--days", type=int, default=7)
    ahead.set_defaults(func=cmd_timers_forecast)

    user = sub.add_parser("user", help="users").add_subparsers(dest="action", required=True)
    create = user.add_parser("create", help="create a user with a role")
    create.add_argument("name")
    create.add_argument("--role", required=True, choices=["admin", "manager", "contractor", "courier", "customer"])
    create.add_argument("--email", default="")
    create.add_argument("--password", default=None)
    create.add_argument("--full-name", default="")
    create.set_defaults(func=cmd_user_create)

    token = sub.add_parser("token", help="API tokens").add_subparsers(dest="action", required=True)
    make = token.add_parser("create", help="print a new API token for a user")
    make.add_argument("name", metavar="USER")
    make.add_argument("--label", default="")
    make.add_argument("--source", choices=["api", "app"], default="api", help="what orders placed with it count as")
    make.set_defaults(func=cmd_token_create)
    revoke = token.add_parser("revoke", help="stop a token at once (its first 12 characters, as listed)")
    revoke.add_argument("prefix")
    revoke.set_defaults(func=cmd_token_revoke)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _django()
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
