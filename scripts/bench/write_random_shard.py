#!/usr/bin/env python3
"""Writes a dsmath token shard (lib/data/token_shard.hpp layout) of uniformly random ids.

Benchmarks only: the product writes shards with `dsmath tokenize`.
usage: write_random_shard.py OUT.bin --tokens N --vocab V [--seed S]
"""
import argparse
import struct

import numpy as np
import xxhash

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--tokens", type=int, required=True)
p.add_argument("--vocab", type=int, required=True)
p.add_argument("--seed", type=int, default=0)
a = p.parse_args()

tokens = np.random.default_rng(a.seed).integers(0, a.vocab, size=a.tokens, dtype=np.uint32)
doc_starts = np.zeros(1, dtype=np.uint64)  # one document
payload = tokens.tobytes() + doc_starts.tobytes()
head = b"DSMTOKS\0" + struct.pack("<IIQQII", 1, 4, a.tokens, 1, 0, int(tokens.max()) + 1)
head += struct.pack("<Q", xxhash.xxh3_64_intdigest(payload))
head += struct.pack("<Q", xxhash.xxh3_64_intdigest(head[:48])) + struct.pack("<Q", 0)
assert len(head) == 64
with open(a.out, "wb") as f:
    f.write(head + payload)
