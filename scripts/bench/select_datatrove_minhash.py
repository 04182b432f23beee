#!/usr/bin/env python3
"""datatrove's MinHash signature stage (MinhashDedupSignature: text normalization, word
tokenization, 5-gram shingles, 14 buckets x 8 hashes) over a JSONL corpus on one worker, for
the comparison in docs/benchmarks.md ("Corpus selection"). Prints pages and seconds.

usage: select_datatrove_minhash.py CORPUS.jsonl WORK_DIR
"""
import sys
import time

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupSignature
from datatrove.pipeline.readers import JsonlReader


def main():
    corpus, work = sys.argv[1], sys.argv[2]
    import os

    config = MinhashConfig(n_grams=5, num_buckets=14, hashes_per_bucket=8)
    reader = JsonlReader(os.path.dirname(os.path.abspath(corpus)), glob_pattern=os.path.basename(corpus), text_key="text")
    executor = LocalPipelineExecutor(
        pipeline=[reader, MinhashDedupSignature(output_folder=os.path.join(work, "signatures"), config=config)],
        tasks=1,
        workers=1,
        logging_dir=os.path.join(work, "logs"),
    )
    start = time.perf_counter()
    executor.run()
    print("datatrove MinhashDedupSignature: %.2f s wall" % (time.perf_counter() - start))


if __name__ == "__main__":
    main()
