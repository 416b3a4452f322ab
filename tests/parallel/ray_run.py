"""Runs ``ray_train`` in a process of its own for the Ray tests (so a hang is a timeout of
``subprocess.run``, and Ray never starts inside pytest's process). Writes a JSON summary.

    python ray_run.py CONFIG OUTPUT RESULT_JSON OVERRIDES_JSON [--workers N]
                      [--kill-rank R --kill-after-steps S] [--on-failure continue|stop]
"""
import argparse
import json
import os
import signal
import sys
import threading
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("config")
    parser.add_argument("output")
    parser.add_argument("result")
    parser.add_argument("overrides")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill-rank", type=int, default=None)
    parser.add_argument("--kill-after-steps", type=int, default=0)
    parser.add_argument("--on-failure", default="continue")
    args = parser.parse_args()

    import ray

    from fastpipe.parallel import WorkerFailure, ray_train

    summary = {"killed_at_steps": None}

    def killer(workers):
        victim = workers[args.kill_rank]
        pid = ray.get(victim.ping.remote(), timeout=60)
        deadline = time.time() + 120
        while time.time() < deadline:
            progress = ray.get([w.progress.remote() for w in workers.values()], timeout=60)
            steps = sum(s for s, _ in progress)
            if steps >= args.kill_after_steps:
                summary["killed_at_steps"] = steps
                os.kill(pid, signal.SIGKILL)
                return
            time.sleep(0.05)

    def on_start(workers):
        if args.kill_rank is not None:
            threading.Thread(target=killer, args=(workers,), daemon=True).start()

    start = time.time()
    result, error = None, None
    try:
        result = ray_train(args.config, args.output, n_workers=args.workers,
                           overrides=json.loads(args.overrides), on_failure=args.on_failure,
                           on_start=on_start, stdout=sys.stdout, stderr=sys.stderr)
    except WorkerFailure as err:
        error = str(err)
        result = getattr(err, "result", None)
    summary["seconds"] = time.time() - start
    summary["error"] = error
    if result is not None:
        summary.update(best_score=result.best_score, best_step=result.best_step,
                       steps=result.steps, words=result.words,
                       checkpoints=result.checkpoints, interrupted=result.interrupted,
                       last_path=str(result.last_path) if result.last_path else None,
                       best_path=str(result.best_path) if result.best_path else None,
                       worker_stats=getattr(result, "worker_stats", None),
                       lost=getattr(result, "lost_workers", None))
    with open(args.result, "w", encoding="utf8") as f:
        json.dump(summary, f)


if __name__ == "__main__":
    main()
