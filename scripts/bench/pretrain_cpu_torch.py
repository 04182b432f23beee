#!/usr/bin/env python3
"""PyTorch (eager, CPU, fp32) reference for scripts/bench/pretrain_cpu.sh: the same LLaMA
shape, batch, sequence length, optimizer and thread count as the dsmath run, on random tokens.
Prints one JSON line: tokens/s over the timed steps."""
import argparse
import json
import time

import torch
from transformers import LlamaConfig, LlamaForCausalLM

p = argparse.ArgumentParser()
p.add_argument("--vocab", type=int, required=True)
p.add_argument("--dim", type=int, required=True)
p.add_argument("--layers", type=int, required=True)
p.add_argument("--heads", type=int, required=True)
p.add_argument("--kv-heads", type=int, required=True)
p.add_argument("--ffn", type=int, required=True)
p.add_argument("--seq", type=int, required=True)
p.add_argument("--batch", type=int, required=True)
p.add_argument("--threads", type=int, required=True)
p.add_argument("--steps", type=int, default=20)
p.add_argument("--warmup", type=int, default=3)
a = p.parse_args()

torch.set_num_threads(a.threads)
torch.manual_seed(0)
cfg = LlamaConfig(vocab_size=a.vocab, hidden_size=a.dim, intermediate_size=a.ffn, num_hidden_layers=a.layers,
                  num_attention_heads=a.heads, num_key_value_heads=a.kv_heads, max_position_embeddings=a.seq,
                  rms_norm_eps=1e-6, rope_theta=10000.0, tie_word_embeddings=False, attn_implementation="sdpa")
model = LlamaForCausalLM(cfg).float().train()
opt = torch.optim.AdamW(model.parameters(), lr=3e-4, betas=(0.9, 0.95), weight_decay=0.1, foreach=True)
gen = torch.Generator().manual_seed(1)
times = []
for step in range(a.warmup + a.steps):
    x = torch.randint(0, a.vocab, (a.batch, a.seq + 1), generator=gen)
    t0 = time.perf_counter()
    out = model(input_ids=x[:, :-1], labels=x[:, :-1].clone())  # HF shifts labels internally
    out.loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    opt.zero_grad(set_to_none=True)
    times.append(time.perf_counter() - t0)
timed = times[a.warmup:]
tokens = a.batch * a.seq * len(timed)
print(json.dumps({"impl": "pytorch-eager", "torch": torch.__version__, "threads": a.threads,
                  "tokens_per_s": tokens / sum(timed), "step_time_s": sum(timed) / len(timed)}))
