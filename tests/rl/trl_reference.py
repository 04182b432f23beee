"""TRL's own GRPO and DPO losses and gradients on a checkpoint dsmath wrote (tests/rl/test_trl_parity.cpp).

usage: trl_reference.py DIR   reads DIR/inputs.json, writes DIR/trl.json

The reference is TRL 1.16 itself wherever TRL exposes the code as a callable: the log-probs come
from the fused LM head TRL patches onto the model (trl/trainer/utils.py add_fused_lm_head) through
GRPOTrainer._get_per_token_logps_and_entropies, the GRPO loss from GRPOTrainer._compute_loss, the
DPO batch from DataCollatorForPreference and the DPO loss from DPOTrainer._compute_loss. The
trainers are made with object.__new__ (their __init__ wants datasets, tokenizers and reward
functions this check has no use for) and given the attributes their __init__ would copy from a
real GRPOConfig / DPOConfig (grpo_trainer.py l.782-990, dpo_trainer.py l.801-975).

Re-typed, because TRL computes it inline in the 400-line _generate_and_score_completions: the
group advantages of grpo_trainer.py l.2761-2788 (multi_objective_aggregation
"sum_then_normalize", one reward function). The script asserts that those lines are still in the
installed source, so a TRL that changes them fails here instead of comparing against a stale copy.
"""
import collections
import inspect
import json
import os
import sys
import warnings
from pathlib import Path

# quiet: the C++ test shows this script's output when it fails
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
warnings.filterwarnings("ignore", category=FutureWarning)  # deprecations inside transformers/TRL, not ours

MISSING_PACKAGE = 3  # the exit status the C++ test reads as "reference not installed"
try:
    import torch
    import transformers
    import trl
    from accelerate import Accelerator
    from transformers import LlamaForCausalLM
    from trl import DPOConfig, GRPOConfig
    from trl.trainer.dpo_trainer import DataCollatorForPreference, DPOTrainer
    from trl.trainer.grpo_trainer import GRPOTrainer
    from trl.trainer.utils import add_fused_lm_head, nanstd, pad
except ImportError as e:
    print(f"missing python package: {e.name}")
    sys.exit(MISSING_PACKAGE)


def load(path):
    model = LlamaForCausalLM.from_pretrained(path, dtype=torch.float32, attn_implementation="eager")
    model.train()  # _compute_loss reads model.training for its mode; the tiny Llama has no dropout
    return model


# grpo_trainer.py l.2761-2788 (sum_then_normalize), for one reward function of weight 1
ADVANTAGE_LINES = [
    "mean_grouped_rewards = torch.nanmean(rewards.view(-1, num_generations), dim=1)",
    "std_rewards = nanstd(rewards.view(-1, num_generations), dim=1)",
    "advantages = rewards - mean_grouped_rewards",
    "advantages = advantages / (std_rewards + 1e-4)",
]


def trl_advantages(rewards, num_generations, scale_rewards):
    source = inspect.getsource(GRPOTrainer._generate_and_score_completions)
    for line in ADVANTAGE_LINES:
        assert line in source, f"TRL {trl.__version__} no longer computes advantages as re-typed here: {line!r}"
    rewards = torch.tensor(rewards, dtype=torch.float32)  # TRL's rewards_per_func is float32
    mean_grouped_rewards = torch.nanmean(rewards.view(-1, num_generations), dim=1)
    mean_grouped_rewards = mean_grouped_rewards.repeat_interleave(num_generations, dim=0)
    std_rewards = nanstd(rewards.view(-1, num_generations), dim=1).repeat_interleave(num_generations, dim=0)
    advantages = rewards - mean_grouped_rewards
    if scale_rewards != "none":
        advantages = advantages / (std_rewards + 1e-4)
    return advantages


def gradients(model):
    return {name: p.grad.detach().flatten().tolist() for name, p in model.named_parameters() if p.grad is not None}


def grpo_case(case, data, out_dir):
    args = GRPOConfig(
        output_dir=str(out_dir), report_to="none", use_cpu=True, bf16=False,
        beta=case["beta"], epsilon=case["epsilon"], loss_type=case["loss_type"], scale_rewards=case["scale_rewards"],
        num_generations=data["group_size"], max_completion_length=data["max_new_tokens"],
        # false: the paper's k3 KL (eq. 3-4); TRL 1.16's default true weights it by the ratio (DeepSeek-V3.2)
        use_bias_correction_kl=case["use_bias_correction_kl"],
    )
    model, ref_model = load(data["policy"]), load(data["reference"])
    t = object.__new__(GRPOTrainer)
    # after the config: TrainingArguments resets accelerate's state
    t.args, t.accelerator, t.model, t.ref_model = args, Accelerator(cpu=True), model, ref_model
    # what GRPOTrainer.__init__ copies from args (l.782-990) and _compute_loss reads
    t.beta, t.loss_type, t.temperature = args.beta, args.loss_type, args.temperature
    t.epsilon_low = args.epsilon
    t.epsilon_high = args.epsilon_high if args.epsilon_high is not None else args.epsilon
    t.max_completion_length, t.num_generations = args.max_completion_length, args.num_generations
    t.importance_sampling_level, t.off_policy_mask_threshold = args.importance_sampling_level, args.off_policy_mask_threshold
    t.top_entropy_quantile, t.use_vllm = args.top_entropy_quantile, args.use_vllm
    t.vllm_importance_sampling_correction = args.vllm_importance_sampling_correction
    t.entropy_coef, t.use_adaptive_entropy = args.entropy_coef, args.use_adaptive_entropy
    t._entropy_bonus_enabled = t.entropy_coef != 0.0 or t.use_adaptive_entropy
    t.aux_loss_enabled = False
    t.current_gradient_accumulation_steps = 1  # one micro-batch is the whole step, as in the C++ side
    t._metrics = {"train": collections.defaultdict(list), "eval": collections.defaultdict(list)}
    # l.1068-1077: the fused head divides the logits by the sampling temperature
    add_fused_lm_head(model, temperature=t.temperature, outputs=("log_probs", "entropy"))
    add_fused_lm_head(ref_model, temperature=t.temperature)

    samples = data["samples"]
    # TRL's layout: prompts left-padded, completions right-padded (_generate_and_score_completions)
    prompt_ids = pad([torch.tensor(s["prompt"]) for s in samples], padding_value=0, padding_side="left")
    prompt_mask = pad([torch.ones(len(s["prompt"]), dtype=torch.long) for s in samples], padding_value=0, padding_side="left")
    completion_ids = pad([torch.tensor(s["completion"]) for s in samples], padding_value=0, padding_side="right")
    completion_mask = pad([torch.ones(len(s["completion"]), dtype=torch.long) for s in samples], padding_value=0,
                          padding_side="right")
    input_ids = torch.cat([prompt_ids, completion_ids], dim=1)
    attention_mask = torch.cat([prompt_mask, completion_mask], dim=1)
    with torch.no_grad():  # as TRL computes pi_ref (l.2710-2720)
        ref_logps, _, _ = t._get_per_token_logps_and_entropies(ref_model, input_ids, attention_mask, completion_ids.size(1))
    advantages = trl_advantages([s["reward"] for s in samples], data["group_size"], args.scale_rewards)
    inputs = {
        "prompt_ids": prompt_ids, "prompt_mask": prompt_mask,
        "completion_ids": completion_ids, "completion_mask": completion_mask,
        "advantages": advantages, "ref_per_token_logps": ref_logps,
        "num_items_in_batch": completion_mask.sum(),
    }
    if case["old_logp"] is not None:  # off-policy: pi_old given per token, padded with 0 (masked)
        inputs["old_per_token_logps"] = pad([torch.tensor(o, dtype=torch.float32) for o in case["old_logp"]],
                                            padding_value=0.0, padding_side="right")
    model.zero_grad()
    loss = t._compute_loss(model, inputs)
    loss.backward()
    with torch.no_grad():
        logps, _, _ = t._get_per_token_logps_and_entropies(model, input_ids, attention_mask, completion_ids.size(1))
    lengths = [len(s["completion"]) for s in samples]
    return {
        "name": case["name"], "loss": loss.item(), "advantages": advantages.tolist(),
        "logp": [row[:n] for row, n in zip(logps.tolist(), lengths)],
        "ref_logp": [row[:n] for row, n in zip(ref_logps.tolist(), lengths)],
        "kl": t._metrics["train"]["kl"][-1],
        "clip_region": t._metrics["train"]["clip_ratio/region_mean"][-1],
        "grads": gradients(model),
    }


def dpo(data, out_dir):
    args = DPOConfig(output_dir=str(out_dir), report_to="none", use_cpu=True, bf16=False, beta=data["dpo_beta"])
    assert args.loss_type == ["sigmoid"], f"DPOConfig's default loss_type is {args.loss_type}"
    model, ref_model = load(data["policy"]), load(data["reference"])
    t = object.__new__(DPOTrainer)
    # after the config: TrainingArguments resets accelerate's state
    t.args, t.accelerator, t.model, t.ref_model = args, Accelerator(cpu=True), model, ref_model
    # what DPOTrainer.__init__ copies from args (l.801-820) and _compute_loss reads
    t.beta, t.precompute_ref_logps = args.beta, args.precompute_ref_log_probs
    t.loss_types = args.loss_type
    t.loss_weights = args.loss_weights or [1.0] * len(t.loss_types)
    t.ld_alpha, t.f_divergence_type = args.ld_alpha, args.f_divergence_type
    t.f_alpha_divergence_coef = args.f_alpha_divergence_coef
    t.label_smoothing, t.use_weighting = args.label_smoothing, args.use_weighting
    t.aux_loss_enabled = False
    t._metrics = {"train": collections.defaultdict(list), "eval": collections.defaultdict(list)}
    t._total_train_tokens, t._tp_size = 0, 1
    # l.956-962
    add_fused_lm_head(model, outputs=("log_probs", "entropy", "mean_logits", "is_top1"))
    add_fused_lm_head(ref_model)
    batch = DataCollatorForPreference(pad_token_id=0)(
        [{"prompt_ids": p["prompt"], "chosen_ids": p["chosen"], "rejected_ids": p["rejected"]} for p in data["pairs"]])
    model.zero_grad()
    loss = t._compute_loss(model, batch, return_outputs=False)
    loss.backward()
    m = t._metrics["train"]
    return {"loss": loss.item(), "rewards_margins": m["rewards/margins"][-1],
            "rewards_accuracies": m["rewards/accuracies"][-1], "grads": gradients(model)}


def main():
    out_dir = Path(sys.argv[1])
    data = json.loads((out_dir / "inputs.json").read_text())
    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    result = {"trl_version": trl.__version__, "grpo": [grpo_case(c, data, out_dir) for c in data["grpo_cases"]],
              "dpo": dpo(data, out_dir)}
    (out_dir / "trl.json").write_text(json.dumps(result))


if __name__ == "__main__":
    main()
