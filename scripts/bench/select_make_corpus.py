#!/usr/bin/env python3
"""Generated web-page corpus for the corpus-selection benchmark (docs/benchmarks.md,
"Corpus selection"). Pages are lowercase ASCII words separated by single spaces, so that
dsmath's classifier normalization leaves them unchanged and the fastText command line can
read the very same text (corpus.txt, one page per line).

Writes into OUT_DIR:
  corpus.jsonl   {"url", "text"} pages; a quarter are math-like; 5% are near-copies of an
                 earlier page (a few words changed) so that dedup has work to do
  corpus.txt     the same texts, one per line (fastText CLI input)
  pos.jsonl      math-like pages for training the classifier
  neg.jsonl      other pages for training the classifier

usage: select_make_corpus.py OUT_DIR [--mbytes 300] [--train-pages 20000] [--seed 1]
"""
import argparse
import json
import os
import random
import string


def make_vocabulary(rng, n, min_len=2, max_len=10):
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(min_len, max_len))))
    return sorted(words)


def zipf_weights(n, s=1.05):
    return [1.0 / (r ** s) for r in range(1, n + 1)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--mbytes", type=float, default=300)
    ap.add_argument("--train-pages", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out_dir, exist_ok=True)

    general = make_vocabulary(rng, 30000)
    general_w = zipf_weights(len(general))
    math_words = make_vocabulary(rng, 400, 4, 12)
    math_w = zipf_weights(len(math_words), 0.9)
    domains = ["site%d.com" % i for i in range(2000)] + ["mathsite%d.org" % i for i in range(50)]

    def page(is_math):
        n = int(rng.lognormvariate(6.0, 0.6))  # ~400 words median, long tail
        n = max(30, min(n, 5000))
        k_math = int(n * (0.15 if is_math else 0.01))
        words = rng.choices(general, general_w, k=n - k_math) + rng.choices(math_words, math_w, k=k_math)
        rng.shuffle(words)
        return " ".join(words)

    def url(is_math, i):
        d = rng.choice(domains[-50:] if is_math else domains[:-50])
        return "https://%s/%s/%d" % (d, rng.choice(["questions", "wiki", "blog", "news"]), i)

    target = int(args.mbytes * 1e6)
    written = 0
    pages = []
    with open(os.path.join(args.out_dir, "corpus.jsonl"), "w") as js, open(os.path.join(args.out_dir, "corpus.txt"), "w") as txt:
        i = 0
        while written < target:
            if pages and rng.random() < 0.05:
                words = rng.choice(pages).split(" ")
                for _ in range(3):
                    words[rng.randrange(len(words))] = rng.choice(general)
                text, is_math = " ".join(words), False
            else:
                is_math = rng.random() < 0.25
                text = page(is_math)
                if len(pages) < 2000:
                    pages.append(text)
            line = json.dumps({"url": url(is_math, i), "text": text})
            js.write(line + "\n")
            txt.write(text + "\n")
            written += len(line) + 1
            i += 1
    for name, is_math in (("pos.jsonl", True), ("neg.jsonl", False)):
        with open(os.path.join(args.out_dir, name), "w") as f:
            for j in range(args.train_pages):
                f.write(json.dumps({"url": url(is_math, j), "text": page(is_math)}) + "\n")
    print("wrote %d pages, %.1f MB to %s" % (i, written / 1e6, args.out_dir))


if __name__ == "__main__":
    main()
