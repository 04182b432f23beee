#!/usr/bin/env python3
"""PyTorch reference for the GPU bundle's driver (scripts/gpu/run.sh, which runs it eagerly when time
is left): Hugging Face LlamaForCausalLM with the
same shape, sequence length, batch and optimizer as the dsmath GPU benchmark (gpu_bench), on
random tokens. bf16 compute through autocast over fp32 master weights (the precision dsmath's
CUDA backend trains in), SDPA attention (flash kernels), fused AdamW, gradient clipping at 1.0;
with --compile, torch.compile where it works (falls back to eager, and says so; its 3-9 minutes
do not fit a device window). Prints one JSON line.

MFU uses the FLOPs per token the dsmath run reports (--flops-per-token), so both sides are
measured with one formula, over the same datasheet peak (--peak-tflops)."""
import argparse
import json
import time

import torch
import yaml
from transformers import LlamaConfig, LlamaForCausalLM

p = argparse.ArgumentParser()
p.add_argument("--model", required=True, help="dsmath model YAML (configs/model/*.yaml)")
p.add_argument("--layers", type=int, default=0, help="override n_layers (0: the YAML's)")
p.add_argument("--seq", type=int, default=4096)
p.add_argument("--batch", type=int, default=2)
p.add_argument("--steps", type=int, default=10)
p.add_argument("--warmup", type=int, default=3)
p.add_argument("--compile", action="store_true")
p.add_argument("--flops-per-token", type=float, default=0.0)
p.add_argument("--peak-tflops", type=float, default=989.0)
p.add_argument("--json", default="")
a = p.parse_args()

m = yaml.safe_load(open(a.model))
layers = a.layers or m["n_layers"]
cfg = LlamaConfig(vocab_size=m["vocab_size"], hidden_size=m["dim"], intermediate_size=m["ffn_dim"],
                  num_hidden_layers=layers, num_attention_heads=m["n_heads"],
                  num_key_value_heads=m.get("n_kv_heads", m["n_heads"]), max_position_embeddings=a.seq,
                  rms_norm_eps=m.get("norm_eps", 1e-6), rope_theta=m.get("rope_theta", 10000.0),
                  tie_word_embeddings=False, attn_implementation="sdpa")
torch.manual_seed(0)
with torch.device("cuda"):
    model = LlamaForCausalLM(cfg).float().train()
opt = torch.optim.AdamW(model.parameters(), lr=3e-4, betas=(0.9, 0.95), weight_decay=0.1, fused=True)
compiled = "eager"
step_model = model
if a.compile:
    try:
        step_model = torch.compile(model)
        compiled = "torch.compile"
    except Exception as e:  # noqa: BLE001 - reported in the result
        compiled = f"eager (torch.compile failed: {type(e).__name__})"

gen = torch.Generator(device="cuda").manual_seed(1)
x = torch.randint(0, cfg.vocab_size, (a.batch, a.seq), device="cuda", generator=gen)


def step():
    with torch.autocast("cuda", dtype=torch.bfloat16):
        loss = step_model(input_ids=x, labels=x).loss
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    opt.zero_grad(set_to_none=True)
    return loss


t_compile = time.perf_counter()
try:
    for _ in range(a.warmup):
        step()
except Exception as e:  # noqa: BLE001 - a compile failure shows only when the graph runs
    if step_model is model:
        raise
    compiled = f"eager (torch.compile failed at run time: {type(e).__name__})"
    step_model = model
    opt.zero_grad(set_to_none=True)
    for _ in range(a.warmup):
        step()
torch.cuda.synchronize()
warmup_s = time.perf_counter() - t_compile
t0 = time.perf_counter()
for _ in range(a.steps):
    loss = step()
torch.cuda.synchronize()
dt = time.perf_counter() - t0
tokens_per_s = a.batch * a.seq * a.steps / dt
result = {"impl": f"pytorch {torch.__version__} transformers LlamaForCausalLM, bf16 autocast, SDPA, {compiled}",
          "layers": layers, "seq": a.seq, "batch": a.batch, "tokens_per_s": tokens_per_s, "step_time_s": dt / a.steps,
          "warmup_s": warmup_s, "final_loss": float(loss), "memory_gib": torch.cuda.max_memory_allocated() / 2**30,
          "params": sum(t.numel() for t in model.parameters())}
if a.flops_per_token:
    result["mfu"] = a.flops_per_token * tokens_per_s / (a.peak_tflops * 1e12)
print(json.dumps(result))
if a.json:
    with open(a.json, "w") as f:
        json.dump(result, f, indent=2)
