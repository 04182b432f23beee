"""DeepSeek-style executor, for comparison with dsmath's sandbox (docs/benchmarks.md).

Runs each completion's program the way DeepSeek-Math's evaluation/eval/python_executor.py
does: exec() in a worker of a process pool (one worker per core) with a 10 s timeout, the
value of solution() taken from the worker's globals. No isolation at all: this measures only
what that design costs. Written for this benchmark (multiprocessing.Pool in place of pebble).

usage: python3 sandbox_deepseek_executor.py FILE.jsonl [WORKERS]
prints: programs, seconds (wall), programs/second, correct
"""
import json
import multiprocessing
import sys
import time


def run(code):
    env = {}
    try:
        exec(code, env)
        return str(env["solution"]())
    except Exception:
        return ""


def main():
    path = sys.argv[1]
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else multiprocessing.cpu_count()
    records = [json.loads(line) for line in open(path)]
    start = time.perf_counter()
    with multiprocessing.Pool(workers) as pool:
        pending = [pool.apply_async(run, (r["completion"],)) for r in records]
        values = []
        for p in pending:
            try:
                values.append(p.get(timeout=10))
            except multiprocessing.TimeoutError:
                values.append("")
    seconds = time.perf_counter() - start
    correct = sum(v == r["answer"] for v, r in zip(values, records))
    print(f"{len(records)} {seconds:.2f} {len(records) / seconds:.1f} {correct}")


if __name__ == "__main__":
    main()
