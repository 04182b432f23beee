#!/usr/bin/env python3
"""Tokenizer encode throughput: dsmath vs the Hugging Face `tokenizers` package on the same
GSM8K + MATH text with the same tokenizer.json, one thread and all threads, best of --repeat
runs each, and a check that both produce identical ids (docs/benchmarks.md, "Tokenizer").

  python3 scripts/bench/tokenizer_bench.py --dsmath build/apps/dsmath/dsmath --data ../shared/data \
      --work /tmp/tokenizer-bench [--threads 1,2] [--repeat 3]

Both sides time only the encoding of texts already in memory (no file reading, no JSON
parsing): dsmath in `dsmath tokenizer encode --input` (encode_batch), `tokenizers` in
Tokenizer.encode_batch with RAYON_NUM_THREADS set (a fresh process per thread count).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

HF_WORKER = r"""
import json, sys, time
from tokenizers import Tokenizer
tok = Tokenizer.from_file(sys.argv[1])
texts = [json.loads(l)["text"] for l in open(sys.argv[2], encoding="utf-8")]
repeat, ids_path = int(sys.argv[3]), sys.argv[4]
best = 1e30
for _ in range(repeat):
    t0 = time.perf_counter()
    enc = tok.encode_batch(texts, add_special_tokens=False)
    best = min(best, time.perf_counter() - t0)
ours = [json.loads(l)["ids"] for l in open(ids_path)]
same = len(ours) == len(enc) and all(o == e.ids for o, e in zip(ours, enc))
print(json.dumps({"seconds": best, "tokens": sum(len(e.ids) for e in enc), "identical": same}))
"""


def make_texts(data, path):
    texts = []
    for name in ("gsm8k/train.jsonl", "gsm8k/test.jsonl"):
        for line in open(os.path.join(data, name), encoding="utf-8"):
            rec = json.loads(line)
            texts.append(rec["question"] + "\n" + rec["answer"])
    for line in open(os.path.join(data, "math/math_test_5000.jsonl"), encoding="utf-8"):
        rec = json.loads(line)
        texts.append(rec["problem"] + "\n" + rec["solution"])
    with open(path, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"text": t}) + "\n")
    return len(texts), sum(len(t.encode("utf-8")) for t in texts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dsmath", required=True)
    ap.add_argument("--data", required=True, help="shared/data")
    ap.add_argument("--work", required=True)
    ap.add_argument("--tokenizers", default="deepseek-math,gpt2")
    ap.add_argument("--threads", default=f"1,{os.cpu_count()}")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    texts_path = os.path.join(args.work, "texts.jsonl")
    n_texts, n_bytes = make_texts(args.data, texts_path)
    import tokenizers
    print(f"text: {n_texts} GSM8K+MATH texts, {n_bytes / 1e6:.2f} MB; tokenizers {tokenizers.__version__}; "
          f"load average {open('/proc/loadavg').read().split()[:3]}")
    print("| tokenizer | threads | dsmath MB/s | tokenizers MB/s | speedup | tokens | identical ids |")
    print("|---|---|---|---|---|---|---|")
    all_same = True
    for name in args.tokenizers.split(","):
        tok = os.path.join(args.data, "tokenizers", name, "tokenizer.json")
        for threads in [int(t) for t in args.threads.split(",")]:
            ids_path = os.path.join(args.work, f"ids-{name}-{threads}.jsonl")
            out = subprocess.run([args.dsmath, "tokenizer", "encode", "-t", tok, "-i", texts_path, "--threads",
                                  str(threads), "--repeat", str(args.repeat), "-o", ids_path],
                                 check=True, capture_output=True, text=True).stdout
            m = re.search(r"(\d+) tokens .* in ([0-9.]+) s", out)
            ours_tokens, ours_s = int(m.group(1)), float(m.group(2))
            env = dict(os.environ, RAYON_NUM_THREADS=str(threads), TOKENIZERS_PARALLELISM="true")
            hf = json.loads(subprocess.run([sys.executable, "-c", HF_WORKER, tok, texts_path, str(args.repeat), ids_path],
                                           check=True, capture_output=True, text=True, env=env).stdout)
            same = hf["identical"] and hf["tokens"] == ours_tokens
            all_same &= same
            print(f"| {name} | {threads} | {n_bytes / 1e6 / ours_s:.2f} | {n_bytes / 1e6 / hf['seconds']:.2f} | "
                  f"{hf['seconds'] / ours_s:.1f}x | {ours_tokens} | {'yes' if same else 'NO'} |")
    return 0 if all_same else 1


if __name__ == "__main__":
    sys.exit(main())
