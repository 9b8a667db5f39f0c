"""The ``privacydesk`` command. Its contract (classify, cases list --json, deadline) is stable: checks
outside the test suite depend on it (issue #2)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from workflows import deadlines
from workflows.settings import get_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="privacydesk", description="GDPR privacy-request assistant")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("run", help="run the whole assistant (Rasa, actions, console, scheduler, mail)")
    train = sub.add_parser("train", help="train the Rasa model unless its inputs are unchanged")
    train.add_argument("--force", action="store_true", help="retrain even if a cached model fits")
    sub.add_parser("validate", help="rasa data validate on the project's files")
    sub.add_parser("migrate", help="bring the database to the newest schema")

    classify = sub.add_parser("classify", help="classify JSON lines from stdin")
    classify.add_argument("--rasa-url", help="use this running Rasa server instead of starting one")

    cases = sub.add_parser("cases", help="cases")
    cases_sub = cases.add_subparsers(dest="cases_command", required=True)
    listing = cases_sub.add_parser("list", help="list cases")
    listing.add_argument("--json", action="store_true", help="JSON array instead of a table")

    deadline = sub.add_parser("deadline", help="the due date D1 (or D3) for receipt dates (R-T2, R-T3)")
    deadline.add_argument("dates", nargs="+", metavar="DATE", help="receipt date, YYYY-MM-DD")
    deadline.add_argument("--extended", action="store_true", help="D3: with the two-month extension")

    sched = sub.add_parser("scheduler", help="run the deadline scheduler")
    sched.add_argument("--once", action="store_true", help="one sweep (and retention), then exit")
    mail = sub.add_parser("mail-gateway", help="the e-mail channel: IMAP in, the bot, SMTP out")
    mail.add_argument("--once", action="store_true", help="process what is waiting, send the outbox, exit")
    audit_cmd = sub.add_parser("audit", help="the audit trail")
    audit_sub = audit_cmd.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser("verify", help="check the hash chain; exit 1 naming each broken row")
    actions = sub.add_parser("actions", help="run the rasa-sdk action server (logs redacted)")
    actions.add_argument("--port", type=int, default=None, help="default: PRIVACYDESK_ACTION_PORT or 5055")
    nlu = sub.add_parser("nlu", help="measure the NLU model")
    nlu_sub = nlu.add_subparsers(dest="nlu_command", required=True)
    evaluate = nlu_sub.add_parser("evaluate", help="per-type P/R/F1, macro-F1, confusion matrix")
    evaluate.add_argument("--data", help="YAML list of {id, text, label, lang, subject?} items")
    evaluate.add_argument("--cross-validate", type=int, metavar="K", help="K-fold CV on nlu/ (K models)")
    evaluate.add_argument(
        "--by-file", action="store_true", help="with --cross-validate: hold out whole nlu/ files"
    )
    evaluate.add_argument("--rasa-url", help="score --data with this running Rasa server")
    evaluate.add_argument("--config", help="train and score this pipeline instead of config.yml")
    bench = sub.add_parser("bench", help="run benchmarks and write docs/benchmarks.md")
    bench.add_argument("names", nargs="*", metavar="NAME", help="which benchmarks (default: all)")

    args = parser.parse_args(argv)
    if args.command == "deadline":
        return _deadline(args.dates, args.extended)
    if args.command == "cases":
        return _cases_list(as_json=args.json)
    if args.command == "classify":
        from privacydesk import classify as classify_module

        return classify_module.run(sys.stdin, sys.stdout, args.rasa_url)
    if args.command == "train":
        from privacydesk import training

        training.train(force=args.force)
        return 0
    if args.command == "validate":
        from privacydesk import training

        training.validate()
        return 0
    if args.command == "migrate":
        from workflows.db import migrate

        migrate()
        return 0
    if args.command == "run":
        from privacydesk import supervisor

        return supervisor.run()
    if args.command == "nlu":
        from privacydesk import evaluate as evaluate_module

        if args.by_file and not args.cross_validate:
            print("error: --by-file goes with --cross-validate K", file=sys.stderr)
            return 2
        return evaluate_module.run(args.data, args.cross_validate, args.rasa_url, args.config, args.by_file)
    if args.command == "bench":
        from privacydesk import bench as bench_module

        return bench_module.run(args.names)
    if args.command == "actions":
        from privacydesk import action_server

        action_server.serve(args.port or get_settings().action_port)
        return 0
    if args.command == "scheduler":
        from privacydesk.logs import setup_logging
        from workflows import scheduler

        setup_logging()
        if args.once:
            scheduler.run_once(get_settings())
            return 0
        scheduler.run_forever(get_settings())
        return 0
    if args.command == "mail-gateway":
        from mail_gateway import gateway
        from privacydesk.logs import setup_logging
        from workflows.db import migrate

        setup_logging()
        migrate()
        return gateway.run(get_settings(), once=args.once)
    if args.command == "audit":
        return _audit_verify()
    parser.error(f"unknown command {args.command}")
    return 2


def _deadline(raw_dates: list[str], extended: bool) -> int:
    eves = get_settings().eves_as_holidays
    parsed: list[date] = []
    for raw in raw_dates:
        try:
            parsed.append(date.fromisoformat(raw))
        except ValueError:
            print(f"error: {raw!r} is not an ISO date (YYYY-MM-DD)", file=sys.stderr)
            return 2
    for received in parsed:
        due = (
            deadlines.extended_due_date(received, eves_as_holidays=eves)
            if extended
            else deadlines.due_date(received, eves_as_holidays=eves)
        )
        print(f"{received.isoformat()} {due.isoformat()}")
    return 0


def _cases_list(*, as_json: bool) -> int:
    from workflows.cases import list_cases
    from workflows.db import migrate, session_scope

    settings = get_settings()
    migrate()
    local = ZoneInfo(settings.timezone)
    with session_scope() as session:
        rows: list[dict[str, Any]] = [
            {
                "reference": case.reference,
                "request_type": case.request_type.value,
                "subtype": case.subtype,
                "status": case.status.value,
                "channel": case.channel.value,
                "language": case.language,
                "legal_entity": case.legal_entity,
                "received_at": case.received_at.astimezone(local).isoformat(),
                "due_date": case.due_date.isoformat(),
                "extended_due_date": case.extended_due_date.isoformat() if case.extended_due_date else None,
                "needs_human": case.needs_human,
            }
            for case in list_cases(session)
        ]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no cases")
    for row in rows:
        print(
            f"{row['reference']}  {row['request_type']:<18} {row['status']:<17} {row['channel']:<5} "
            f"{row['language']}  received {row['received_at'][:16]}  due {row['due_date']}"
        )
    return 0


def _audit_verify() -> int:
    from workflows import audit
    from workflows.db import migrate, session_scope

    migrate()
    with session_scope() as session:
        count, breaks = audit.verify_stored(session)
    for broken in breaks:
        print(f"audit event id {broken.event_id}: {broken.reason}")
    if breaks:
        print(f"audit chain BROKEN: {len(breaks)} problem(s) in {count} events", file=sys.stderr)
        return 1
    print(f"audit chain intact: {count} events")
    return 0


if __name__ == "__main__":
    sys.exit(main())
