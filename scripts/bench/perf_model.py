#!/usr/bin/env python3
"""The performance model of docs/cuda.md: per kernel FLOPs, bytes, floor and expected time for one
training micro-batch and one decode step, and the MFU and tokens/s that follow.

Inputs are shapes (configs/model/*.yaml), datasheet peaks and the measured ceilings of the issue
that asked for this model (cuBLAS bf16 GEMM 790 TFLOP/s, device copy 3.0 TB/s on an H100); the
efficiencies of attention are assumptions, named as such, for the bundle's benchmark to check
(scripts/gpu: the measured per-kernel table goes beside this one). Standard library only.

Usage: perf_model.py [--gpu h100|h200] [--batch B] [--seq T] [--micro-batches K] [--decode-context C]
"""
import argparse

# LLaMA shape of the paper's 1.3B ablation model (configs/model/deepseek-1.3b.yaml).
SHAPE_1P3B = dict(dim=2048, layers=24, heads=16, ffn=5504, vocab=102400)

# Datasheet dense bf16 peak and HBM bandwidth; "gemm" and "copy" are the measured ceilings
# (H100: the issue's numbers; H200: same GEMM ceiling, copy at the H100's copy/datasheet ratio,
# an assumption until the bundle measures it).
GPUS = {
    "h100": dict(peak=989.4e12, hbm=3.35e12, gemm=790e12, copy=3.0e12),
    "h200": dict(peak=989.4e12, hbm=4.8e12, gemm=790e12, copy=4.8e12 * 3.0 / 3.35),
}

# Assumed attention throughput as a fraction of the dense peak, FlashAttention-2 class kernels
# (register accumulators, mma.sync m16n8k16): forward about 35%, backward about 30% at head dim
# 128, seq 4096, causal: the design of today's kernels (cuda/attention_*.cu). The WMMA kernels
# they replaced (tiles staged through shared memory, the dK/dV kernel spilling): about a third of
# that, from the static review in issue 16; kept for the comparison.
ATTN_EFF = {"fa2": (0.35, 0.30), "wmma": (0.12, 0.10)}


def training_rows(s, gpu, batch, seq, attn, backward_products):
    d, L, f, V = s["dim"], s["layers"], s["ffn"], s["vocab"]
    n = batch * seq  # tokens in the micro-batch
    fwd_eff, bwd_eff = ATTN_EFF[attn]
    gemm_fwd = n * L * 2 * (4 * d * d + 3 * d * f) + n * 2 * d * V  # projections, MLP, head
    attn_fwd = n * L * 2 * seq * d  # QK^T and PV, causal half: 2 * (2 * T/2 * d) per token
    elems = n * d
    # bytes per element (bf16): RMSNorm fwd 4 / bwd 12 (two per layer), RoPE forward 4 on q and k
    # (its backward is folded into attention's dQ and dK stores: no traffic), SwiGLU fwd 6 / bwd 10
    # per ffn element; the residual adds are beta = 1 in the GEMMs (no traffic).
    mem_fwd = L * (2 * 4 * elems + 2 * 4 * elems + 6 * n * f)
    mem_bwd = L * (2 * 12 * elems + 10 * n * f)
    logits = n * V
    rows = [
        ("GEMMs forward (cuBLASLt)", gemm_fwd, 0, gemm_fwd / gpu["gemm"]),
        ("GEMMs backward (dX and dW)", 2 * gemm_fwd, 0, 2 * gemm_fwd / gpu["gemm"]),
        ("attention forward", attn_fwd, 0, attn_fwd / (fwd_eff * gpu["peak"])),
        (f"attention backward ({backward_products} products)", attn_fwd * backward_products / 2, 0,
         attn_fwd * backward_products / 2 / (bwd_eff * gpu["peak"])),
        ("RMSNorm, RoPE, SwiGLU fwd+bwd", 0, mem_fwd + mem_bwd, (mem_fwd + mem_bwd) / gpu["copy"]),
        ("token log-probs fwd+bwd", 0, 8 * logits, 8 * logits / gpu["copy"]),
    ]
    # Model FLOPs as PaLM (appendix B) and Megatron count them: 3 x the forward (backward = 2 x
    # forward), attention at its causal size; the deterministic dQ pass's extra products and any
    # recompute are work the hardware does but the model does not need, so they are not counted.
    model_flops = 3 * (gemm_fwd + attn_fwd)
    return rows, model_flops


def params(s):
    d, L, f, V = s["dim"], s["layers"], s["ffn"], s["vocab"]
    return L * (4 * d * d + 3 * d * f + 2 * d) + 2 * V * d + d


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gpu", default="h200", choices=GPUS)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--seq", type=int, default=4096)
    ap.add_argument("--micro-batches", type=int, default=16, help="per optimizer step (AdamW amortized)")
    ap.add_argument("--decode-context", type=int, default=512, help="mean cached positions per row")
    a = ap.parse_args()
    s, gpu = SHAPE_1P3B, GPUS[a.gpu]
    n_params = params(s)
    print(f"1.3B shape, {a.gpu.upper()}: {n_params / 1e9:.2f}B parameters; micro-batch {a.batch} x {a.seq} tokens;"
          f" AdamW once per {a.micro_batches} micro-batches")
    adamw_bytes = 22 * n_params  # bf16 moments: docs/cuda.md's AdamW row
    for attn, products in (("wmma", 7), ("fa2", 7), ("fa2", 5)):
        rows, model_flops = training_rows(s, gpu, a.batch, a.seq, attn, products)
        rows.append(("AdamW (amortized)", 0, adamw_bytes / a.micro_batches, adamw_bytes / a.micro_batches / gpu["copy"]))
        total = sum(r[3] for r in rows)
        print(f"\n### attention {attn}, backward {products} tile products")
        print("| kernel | TFLOP | GB | time ms |\n|---|---:|---:|---:|")
        for name, flops, nbytes, t in rows:
            print(f"| {name} | {flops / 1e12:.2f} | {nbytes / 1e9:.2f} | {t * 1e3:.1f} |")
        tokens = a.batch * a.seq
        print(f"| **micro-batch** | {model_flops / 1e12:.2f} (model) | | **{total * 1e3:.1f}** |")
        print(f"expected: {tokens / total:,.0f} tokens/s, MFU {model_flops / total / gpu['peak'] * 100:.0f}%")

    d, L, f, V = s["dim"], s["layers"], s["ffn"], s["vocab"]
    weight_bytes = 2 * (L * (4 * d * d + 3 * d * f) + d * V)  # bf16 weights read once per step
    kv_bytes_per_pos = 2 * L * d * 2  # K and V, bf16
    print(f"\n### decode, bf16 weights {weight_bytes / 1e9:.2f} GB, KV {kv_bytes_per_pos / 1e3:.1f} KB per cached position,"
          f" {a.decode_context} positions per row")
    print("| batch | bytes per step GB | HBM-bound step ms (datasheet) | bound tokens/s | 60% goal tokens/s |\n|---:|---:|---:|---:|---:|")
    for b in (1, 16, 64):
        step_bytes = weight_bytes + b * a.decode_context * kv_bytes_per_pos
        t = step_bytes / gpu["hbm"]
        print(f"| {b} | {step_bytes / 1e9:.2f} | {t * 1e3:.2f} | {b / t:,.0f} | {0.6 * b / t:,.0f} |")


if __name__ == "__main__":
    main()
