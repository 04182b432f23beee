#!/usr/bin/env python3
"""The short table printed at the end of scripts/bench/gpu_run_all.sh, from the JSON files the
run left in OUTDIR (dsmath-*.json from gpu_bench, torch-*.json from gpu_torch_llama.py) and the
GPU test log. Also written to OUTDIR/summary.md, ready for docs/benchmarks.md."""
import json
import os
import re
import sys

out = sys.argv[1]
lines = []


def load(name):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


log = os.path.join(out, "ctest-gpu.log")
if os.path.exists(log):
    text = open(log).read()
    m = re.search(r"(\d+)% tests passed, (\d+) tests failed out of (\d+)", text)
    lines.append(f"GPU tests: {m.group(0) if m else 'no summary line (see ctest-gpu.log)'}")
    lines += ["  FAILED " + f for f in re.findall(r"\d+ - (.+?) \(Failed\)", text)]
    lines.append("")

lines.append("| shape | impl | tokens/s | step s | MFU | of measured bf16 GEMM rate | memory GiB |")
lines.append("|---|---|---|---|---|---|---|")
for shape in ("1.3b", "7b-layers"):
    d, t = load(f"dsmath-{shape}.json"), load(f"torch-{shape}.json")
    if d:
        label = f"{shape} (L={d['layers']}, seq {d['seq']}, batch {d['batch']})"
        lines.append(f"| {label} | dsmath | {d['tokens_per_s']:,.0f} | {d['step_time_s']:.3f} | {100 * d['mfu']:.1f}% "
                     f"| {100 * d['fraction_of_gemm_rate']:.1f}% of {d['gemm_tflops']:.0f} TFLOP/s | {d['memory_gib']:.1f} |")
    if t:
        ratio = f" (dsmath {d['tokens_per_s'] / t['tokens_per_s']:.2f}x)" if d else ""
        mfu = f"{100 * t['mfu']:.1f}%" if "mfu" in t else "-"
        lines.append(f"| {shape} | {t['impl']}{ratio} | {t['tokens_per_s']:,.0f} | {t['step_time_s']:.3f} | {mfu} | - "
                     f"| {t['memory_gib']:.1f} |")
d = load("dsmath-1.3b.json")
if d:
    lines.append("")
    lines.append(f"device: {d['device']}; cuBLASLt bf16 8192^3 {d['gemm_tflops']:.0f} TFLOP/s; device copy "
                 f"{d['copy_gb_per_s']:.0f} GB/s")
kernels = os.path.join(out, "kernels-1.3b.tsv")
if os.path.exists(kernels):
    lines.append("")
    lines.append("| op (1.3B shapes) | shape | time us | floor us | floor/time | bound |")
    lines.append("|---|---|---|---|---|---|")
    for row in list(open(kernels))[1:]:
        op, shape, t, fl, frac, bound = row.rstrip("\n").split("\t")
        lines.append(f"| {op} | {shape} | {float(t):.1f} | {float(fl):.1f} | {100 * float(frac):.0f}% | {bound} |")
text = "\n".join(lines)
print(text)
with open(os.path.join(out, "summary.md"), "w") as f:
    f.write(text + "\n")
