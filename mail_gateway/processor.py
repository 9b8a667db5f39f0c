"""Processing stored mail: the queue is the ``mail_inbound`` table (style rule 6).

Messages are prepared in arrival order (threading needs the earlier messages mapped), then the bot is
asked for several conversations at once, each conversation's messages in order. The next batch is
prepared while the bot answers the current one, each message in its own short transaction: the bot
(the slowest stage, one Rasa turn) never waits for parsing, and the action server's writes never wait
for a long preparing transaction (issue #5, the backlog benchmark).

Errors: :class:`RasaUnavailable` stops the pass; the messages stay queued and the loop retries later,
without counting an attempt. Any other error while processing one message is a bug or a database
fault: logged with its traceback, counted, retried on the next pass, and after :data:`MAX_ATTEMPTS`
the message is set aside as ``failed`` for a person, so one bad message never blocks the messages
behind it.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from mail_gateway.conversation import Turn, finish, prepare
from mail_gateway.rasa_client import RasaClient, RasaUnavailable
from workflows.db import session_scope
from workflows.mailbox import InboundMail, InboundStatus, pending_ids
from workflows.settings import Settings
from workflows.types import utcnow

__all__ = ["MAX_ATTEMPTS", "Pass", "process_pending"]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5


@dataclass
class Pass:
    processed: int = 0
    rasa_down: bool = False
    errors: int = 0
    seen: set[int] = field(default_factory=set)


@dataclass
class _Batch:
    ids: list[int]
    turns: list[Turn]
    failed: int


def process_pending(settings: Settings, rasa: RasaClient, database_url: str | None = None) -> Pass:
    result = Pass()
    workers = max(1, settings.mail_workers)
    with (
        ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail-prepare") as preparer,
        ThreadPoolExecutor(max_workers=workers, thread_name_prefix="mail") as pool,
    ):
        upcoming: Future[_Batch] = preparer.submit(_prepare_next, settings, database_url, 0)
        while True:
            batch = upcoming.result()
            if not batch.ids:
                break
            result.seen.update(batch.ids)
            result.errors += batch.failed
            result.processed += len(batch.ids) - len(batch.turns) - batch.failed
            # The next batch is prepared while the bot answers this one (module doc).
            upcoming = preparer.submit(_prepare_next, settings, database_url, max(batch.ids))
            groups: OrderedDict[str, list[Turn]] = OrderedDict()
            for turn in batch.turns:
                groups.setdefault(turn.conversation_id, []).append(turn)
            for done in pool.map(
                lambda g: _dispatch(settings, rasa, database_url, g, result), groups.values()
            ):
                result.processed += done
            if result.rasa_down:
                # What the preparer has prepared meanwhile stays queued (``dispatching``) for the next
                # pass; leaving the ``with`` waits for it.
                break
    if result.processed:
        log.info(
            "mail: %d processed%s",
            result.processed,
            " (Rasa unavailable: the rest waits)" if result.rasa_down else "",
        )
    elif result.rasa_down:
        log.warning("mail: Rasa unavailable, %d messages wait", len(result.seen))
    return result


def _prepare_next(settings: Settings, database_url: str | None, after_id: int) -> _Batch:
    """Step 1 for the batch after ``after_id``, each message in its own transaction: one that fails is
    rolled back alone and counted, the others go on (and are retried on the next pass)."""
    with session_scope(database_url) as session:
        ids = pending_ids(session, limit=settings.mail_batch_size, after_id=after_id)
    turns: list[Turn] = []
    failed = 0
    for inbound_id in ids:
        try:
            with session_scope(database_url) as session:
                turn = prepare(session, inbound_id, settings)
        except Exception:
            # Not swallowed: logged with its traceback, counted, retried, then set aside (module doc).
            log.exception("mail %s: preparing failed", inbound_id)
            failed += 1
            _count_failure(database_url, inbound_id)
            continue
        if turn is not None:
            turns.append(turn)
    return _Batch(ids=ids, turns=turns, failed=failed)


def _dispatch(
    settings: Settings, rasa: RasaClient, database_url: str | None, group: list[Turn], result: Pass
) -> int:
    done = 0
    for turn in group:
        if result.rasa_down:
            break
        try:
            answer = rasa.replay(turn.conversation_id, turn.inbound_key) if turn.retry else None
            if answer is None:
                answer = rasa.send(turn.conversation_id, turn.text, turn.metadata)
            with session_scope(database_url) as session:
                finish(session, turn, answer, settings)
            done += 1
        except RasaUnavailable as error:
            result.rasa_down = True
            log.warning("mail %s waits: %s", turn.inbound_id, error)
            break
        except Exception:
            # Not swallowed: logged with its traceback, counted, retried, then set aside (module doc).
            log.exception("mail %s: processing failed", turn.inbound_id)
            result.errors += 1
            _count_failure(database_url, turn.inbound_id)
            break  # the conversation's later messages wait for this one
    return done


def _count_failure(database_url: str | None, inbound_id: int) -> None:
    with session_scope(database_url) as session:
        row = session.get(InboundMail, inbound_id)
        if row is None:
            return
        row.attempts += 1
        if row.attempts >= MAX_ATTEMPTS:
            row.status = InboundStatus.failed
            row.reason = "processing failed repeatedly; see the gateway's log"
            row.processed_at = utcnow()
            log.error("mail %s set aside after %d attempts: a person must look", inbound_id, row.attempts)
        session.add(row)
