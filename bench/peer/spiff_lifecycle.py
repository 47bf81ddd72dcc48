#!/usr/bin/env python3
"""Peer for `motcua bench lifecycle` (issue #3): the same 4-step dossier process run by SpiffWorkflow,
with the workflow state persisted into SQLite after every step.

Per dossier, 5 commands, each its own durable SQLite transaction (WAL, synchronous=FULL, so every
COMMIT fsyncs the WAL before the command is acknowledged):

  1. create   - new BpmnWorkflow from dossier.bpmn, run the engine to the first user task
                (specialist_review), INSERT the serialized state          [motcua: submit = 2 events]
  2. complete specialist_review  -> leader_approval                       [motcua: forward]
  3. complete leader_approval    -> issue_result                          [motcua: approve]
  4. complete issue_result       -> return_result                         [motcua: finish]
  5. complete return_result      -> end event, workflow completed         [motcua: return_result]

Events are counted on motcua's basis: 6 per dossier (motcua writes 2 events for the submission:
received + started at the specialist step, then 1 per action), so events/s = 6 * dossiers / elapsed.
commands/s (= durable transactions/s) is printed too; it is 5 per dossier on both sides.

Modes:
  reload  (default) each command loads the dossier's JSON from SQLite and deserializes it, as a
          stateless request handler would; the state is then serialized and written back.
  memory  each client keeps its workflow objects in memory between commands and only serializes
          and writes (no read, no deserialization): an upper bound for the peer.

Concurrency: --workers W forks W processes (Python threads would serialize on the GIL; the work is
mostly CPU in the engine and serializer). Each takes the next dossier from a shared counter, as
motcua's clients do. SQLite has one writer at a time; writers wait with busy_timeout. There is no
group commit: every command pays its own fsync.

Prints a table, then one JSON line (last line).
"""

import argparse
import json
import multiprocessing as mp
import os
import shutil
import sqlite3
import sys
import tempfile
import time

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.util.task import TaskState

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS = ["specialist_review", "leader_approval", "issue_result", "return_result"]
EVENTS_PER_DOSSIER = 6  # motcua's count: received + started (submission), then forward/approve/finish/return
COMMANDS_PER_DOSSIER = 5


SYNCHRONOUS = "FULL"  # --synchronous OFF is a diagnostic only (engine + serializer cost without fsync)


def connect(path):
    db = sqlite3.connect(path, timeout=60.0, isolation_level=None)  # autocommit; explicit BEGIN below
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={SYNCHRONOUS}")
    db.execute("PRAGMA busy_timeout=60000")
    return db


def init_db(path):
    db = connect(path)
    db.execute(
        "CREATE TABLE IF NOT EXISTS dossier ("
        " id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, step TEXT NOT NULL,"
        " completed INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL, state TEXT NOT NULL,"
        " updated_at REAL NOT NULL)"
    )
    db.close()


def load_spec(bpmn):
    parser = BpmnParser()
    parser.add_bpmn_file(bpmn)
    return parser.get_spec("dossier")


def ready_step(wf):
    tasks = wf.get_tasks(state=TaskState.READY, manual=True)
    return tasks[0] if tasks else None


def worker(db_path, bpmn, mode, dossiers, counter, lock, out_q):
    spec = load_spec(bpmn)
    serializer = BpmnWorkflowSerializer()
    db = connect(db_path)
    lat = []  # ns per command, in command order (create, 4 completions) per dossier
    done = 0
    while True:
        with lock:
            i = counter.value
            if i >= dossiers:
                break
            counter.value = i + 1
        code = f"bench-{i}"

        # 1. creation: start the process, run to the specialist task, persist.
        t = time.perf_counter_ns()
        wf = BpmnWorkflow(spec)
        wf.do_engine_steps()
        task = ready_step(wf)
        assert task is not None and task.task_spec.name == STEPS[0], task
        state = serializer.serialize_json(wf)
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "INSERT INTO dossier (code, step, completed, version, state, updated_at) VALUES (?,?,0,1,?,?)",
            (code, STEPS[0], state, time.time()),
        )
        db.execute("COMMIT")
        lat.append(time.perf_counter_ns() - t)

        # 2-5. one user task completed and persisted per command.
        for n, name in enumerate(STEPS):
            t = time.perf_counter_ns()
            if mode == "reload":
                (state,) = db.execute("SELECT state FROM dossier WHERE code = ?", (code,)).fetchone()
                wf = serializer.deserialize_json(state)
            task = ready_step(wf)
            assert task is not None and task.task_spec.name == name, (code, name, task)
            task.data["actor"] = name  # what the officer entered
            task.run()
            wf.do_engine_steps()
            nxt = ready_step(wf)
            step = nxt.task_spec.name if nxt else "returned"
            state = serializer.serialize_json(wf)
            db.execute("BEGIN IMMEDIATE")
            cur = db.execute(
                "UPDATE dossier SET step = ?, completed = ?, version = version + 1, state = ?, updated_at = ?"
                " WHERE code = ? AND version = ?",
                (step, 1 if wf.is_completed() else 0, state, time.time(), code, n + 1),
            )
            assert cur.rowcount == 1, (code, name)
            db.execute("COMMIT")
            lat.append(time.perf_counter_ns() - t)
        assert wf.is_completed(), code
        done += 1
    db.close()
    out_q.put((done, lat))


def percentile_ms(sorted_ns, p):
    if not sorted_ns:
        return 0.0
    k = min(len(sorted_ns) - 1, max(0, round(p / 100.0 * (len(sorted_ns) - 1))))
    return sorted_ns[k] / 1e6


def disk_fsyncs_per_s(directory):
    path = os.path.join(directory, "fsync-probe")
    block = b"\0" * 4096
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < 1.0:
        os.write(fd, block)
        os.fdatasync(fd)
        n += 1
    rate = n / (time.perf_counter() - start)
    os.close(fd)
    os.unlink(path)
    return rate


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dossiers", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=1, help="processes (1 = sequential baseline)")
    ap.add_argument("--mode", choices=["reload", "memory"], default="reload")
    ap.add_argument("--synchronous", choices=["FULL", "OFF"], default="FULL",
                    help="FULL (default, durable); OFF = diagnostic without fsync, NOT durable")
    ap.add_argument("--bpmn", default=os.path.join(HERE, "dossier.bpmn"))
    ap.add_argument("--dir", default=None, help="directory for the fresh database (default: a new dir in $TMPDIR)")
    args = ap.parse_args()
    global SYNCHRONOUS
    SYNCHRONOUS = args.synchronous
    durable = SYNCHRONOUS == "FULL"

    directory = tempfile.mkdtemp(prefix="motcua-peer-spiff-", dir=args.dir)
    db_path = os.path.join(directory, "peer.sqlite")
    try:
        init_db(db_path)
        load_spec(args.bpmn)  # fail early on a bad BPMN file
        fsyncs = disk_fsyncs_per_s(directory)

        ctx = mp.get_context("fork")
        counter, lock, out_q = ctx.Value("q", 0, lock=False), ctx.Lock(), ctx.Queue()
        procs = [
            ctx.Process(target=worker, args=(db_path, args.bpmn, args.mode, args.dossiers, counter, lock, out_q))
            for _ in range(max(1, args.workers))
        ]
        start = time.perf_counter()
        for p in procs:
            p.start()
        results = [out_q.get() for _ in procs]
        elapsed = time.perf_counter() - start
        for p in procs:
            p.join()
            if p.exitcode != 0:
                sys.exit(f"worker failed with exit code {p.exitcode}")

        done = sum(d for d, _ in results)
        samples = sorted(x for _, lat in results for x in lat)
        db = connect(db_path)
        finished = db.execute("SELECT count(*) FROM dossier WHERE completed = 1 AND version = 5").fetchone()[0]
        db.close()
        assert done == args.dossiers == finished, (done, args.dossiers, finished)

        events = EVENTS_PER_DOSSIER * done
        commands = len(samples)
        events_per_s = events / elapsed
        commands_per_s = commands / elapsed
        p50, p99 = percentile_ms(samples, 50), percentile_ms(samples, 99)
        print(f"lifecycle peer (SpiffWorkflow {spiff_version()}, SQLite WAL synchronous={SYNCHRONOUS}): "
              f"{done} dossiers, {args.workers} worker process(es), mode {args.mode}")
        print(f"  events          {events:>12}   ({EVENTS_PER_DOSSIER} per dossier, motcua's basis)")
        print(f"  elapsed         {elapsed:>12.2f} s")
        print(f"  events/s        {events_per_s:>12.0f}   "
              + ("(durable: acknowledged after commit + fsync)" if durable else "(NOT durable: synchronous=OFF, no fsync)"))
        print(f"  commands/s      {commands_per_s:>12.0f}   (= transactions/s, {COMMANDS_PER_DOSSIER} per dossier)")
        print(f"  p50 per command {p50:>12.2f} ms")
        print(f"  p99 per command {p99:>12.2f} ms")
        print(f"  disk fsyncs/s   {fsyncs:>12.0f}   (raw 4 KiB append + fdatasync, same disk)")
        print(json.dumps({
            "bench": "lifecycle-peer-spiff", "backend": "sqlite", "engine": f"SpiffWorkflow {spiff_version()}",
            "mode": args.mode, "workers": args.workers, "synchronous": SYNCHRONOUS, "dossiers": done, "events": events,
            "events_per_s": round(events_per_s), "commands_per_s": round(commands_per_s),
            "p50_ms": round(p50, 3), "p99_ms": round(p99, 3), "disk_fsyncs_per_s": round(fsyncs),
        }))
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def spiff_version():
    try:
        from importlib.metadata import version
        return version("SpiffWorkflow")
    except Exception:
        return "?"


if __name__ == "__main__":
    main()
