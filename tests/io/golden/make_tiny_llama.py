#!/usr/bin/env python3
"""Golden files for the Hugging Face interop test (tests/io/test_hf_golden.cpp).

Makes two tiny random LlamaForCausalLM models with transformers (CPU, fp32 math) and saves,
for a fixed input, the logits at every position:
  tiny-llama-gqa/     fp32, untied embeddings, grouped-query attention, one model.safetensors
  tiny-llama-tied/    bf16 weights, tied embeddings, sharded (model.safetensors.index.json)
Run from the repository root:  python3 tests/io/golden/make_tiny_llama.py
"""
import json
import pathlib

import torch
from transformers import LlamaConfig, LlamaForCausalLM

HERE = pathlib.Path(__file__).parent
INPUT_IDS = [1, 17, 42, 5, 63, 8, 8, 30, 2, 51]


def make(name, dtype, tie, kv_heads, shard_size):
    torch.manual_seed(1234)
    cfg = LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=80, num_hidden_layers=2,
                      num_attention_heads=4, num_key_value_heads=kv_heads, max_position_embeddings=64,
                      rms_norm_eps=1e-6, rope_theta=10000.0, tie_word_embeddings=tie, initializer_range=0.2,
                      bos_token_id=1, eos_token_id=2, attn_implementation="eager")
    model = LlamaForCausalLM(cfg).eval()
    out = HERE / name
    out.mkdir(exist_ok=True)
    model.to(dtype).save_pretrained(out, max_shard_size=shard_size, safe_serialization=True)
    # the reference logits come from the saved (possibly bf16-rounded) weights, computed in fp32
    ref = LlamaForCausalLM.from_pretrained(out, torch_dtype=torch.float32, attn_implementation="eager").eval()
    with torch.no_grad():
        logits = ref(torch.tensor([INPUT_IDS])).logits[0]
    (out / "golden_logits.json").write_text(json.dumps({"input_ids": INPUT_IDS, "logits": logits.tolist()}))


make("tiny-llama-gqa", torch.float32, tie=False, kv_heads=2, shard_size="10GB")
make("tiny-llama-tied", torch.bfloat16, tie=True, kv_heads=4, shard_size="20KB")
print("written", sorted(p.name for p in HERE.iterdir()))
