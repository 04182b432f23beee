// Parity with TRL (issue 18): on one tiny Llama that dsmath writes as a Hugging Face checkpoint,
// with the same prompts, completions and rewards, dsmath's group advantages, GRPO loss and DPO
// loss, and the gradients of both with respect to every parameter tensor, equal what TRL 1.16's
// own code computes (tests/rl/trl_reference.py: GRPOTrainer._compute_loss,
// DPOTrainer._compute_loss, on CPU in fp32).
//
// Pairs of dsmath aggregation <-> TRL loss_type checked (trl/trainer/grpo_trainer.py l.3153-3174):
//   sequence_mean <-> "grpo"     mean over a sequence's tokens, then over the sequences;
//   token_mean    <-> "bnpo"     tokens of the batch summed / their count (local batch);
//   token_mean    <-> "dapo"     the same, normalized by num_items_in_batch (the generation
//                                batch's tokens), equal here because the step is one micro-batch;
//   dr_grpo       <-> "dr_grpo"  tokens summed / (sequences x max_completion_length), with
//                                scale_rewards "none" (Dr. GRPO's A = r - mean).
// plus "grpo" off-policy: pi_old given per token, 0.4 away in log-ratio on some tokens, so the
// clip engages on both sides of the trust region.
//
// The settings are the paper's (beta 0.04, eps 0.2, k3 KL), which in TRL 1.16 means
// use_bias_correction_kl=False (its default True multiplies the KL by the ratio, DeepSeek-V3.2).
//
// Measured on the change that added this test (x86-64, CPU backend, 1 thread): per-token
// log-probs of pi and pi_ref within 1.5e-6 of TRL's (absolute, mean log-prob -4.2); losses within
// 3e-8 (GRPO) and 1.2e-7 (DPO, loss 0.69) absolute; every gradient tensor within 1.3e-6 of its
// largest entry. The tolerances below leave about an order of magnitude for other CPUs. With
// TRL's default ratio-weighted KL the gradients differ by 10% (the last case): the comparison
// can tell.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "backend/cpu/cpu_backend.hpp"
#include "core/files.hpp"
#include "core/json.hpp"
#include "core/rng.hpp"
#include "io/hf_model.hpp"
#include "model/transformer.hpp"
#include "reference.hpp"
#include "rl/coefficients.hpp"
#include "rl/dpo_loss.hpp"
#include "rl/policy_update.hpp"
#include "test_util.hpp"
#include "tiny_model_config.hpp"

using namespace dsmath;
using namespace dsmath::rl;

namespace {
constexpr int kGroup = 4, kQuestions = 3, kMaxNewTokens = 8;
constexpr double kBeta = 0.04, kEps = 0.2, kDpoBeta = 0.1;
// fp32 tolerances: log-probs absolute, losses absolute, gradients relative to the tensor's largest entry
constexpr double kLogpTol = 1e-5, kLossTol = 1e-6, kGradTol = 1e-5;

// trl_reference.py's exit status when a package is not installed; the shell's when there is no
// interpreter at all
constexpr int kMissingPackage = 3, kNoInterpreter = 127;

ModelConfig tiny_llama() {
  ModelConfig c = test::model_shape(48, 64, 2, 4, 2, 96);  // GQA: 2 KV heads for 4 query heads
  c.max_seq_len = 32;
  c.init_std = 0.1;  // larger than a real init, so that the log-probs are not all near uniform
  return c;
}

struct GrpoCase {
  const char* name;
  LossAggregation aggregation;
  bool scale_rewards;
  bool off_policy;
  const char* trl_loss_type;
  bool trl_ratio_weighted_kl = false;  // TRL's use_bias_correction_kl (its default): not the paper's
};

const GrpoCase kCases[] = {
    {"grpo", LossAggregation::sequence_mean, true, false, "grpo"},
    {"bnpo", LossAggregation::token_mean, true, false, "bnpo"},
    {"dapo", LossAggregation::token_mean, true, false, "dapo"},
    {"dr_grpo", LossAggregation::dr_grpo, false, false, "dr_grpo"},
    {"grpo_off_policy", LossAggregation::sequence_mean, true, true, "grpo"},
    // TRL's default KL: the same loss on-policy (the ratio is 1), another gradient (it is not
    // constant); the case shows the comparison can tell the two apart
    {"grpo_trl_default_kl", LossAggregation::sequence_mean, true, false, "grpo", true},
};

// The log-ratio log pi - log pi_old an off-policy token is given: 0.4 lies outside the clip range
// (log 1.2 = 0.18, log 0.8 = -0.22) on either side, 0.05 inside, both far from its edges.
double off_policy_log_ratio(size_t sample, size_t token) {
  static constexpr double shifts[] = {0.4, -0.4, 0.05, -0.05};
  return shifts[(sample + token) % 4];
}

struct Measured {
  double worst = 0;  // largest |ours - theirs| / scale
  std::string where;
};

// Every parameter tensor of `model`: dsmath's gradient against TRL's, relative to the largest
// entry of TRL's.
Measured gradient_difference(const Transformer& model, const std::vector<float>& ours, const Json& theirs) {
  Measured m;
  for (const ParamInfo& t : model.layout().tensors()) {
    INFO(t.name);
    REQUIRE(theirs.contains(t.name));
    const auto ref = theirs.at(t.name).get<std::vector<double>>();
    REQUIRE(static_cast<int64_t>(ref.size()) == t.numel);
    double scale = 0, diff = 0;
    for (int64_t i = 0; i < t.numel; ++i) {
      scale = std::max(scale, std::fabs(ref[static_cast<size_t>(i)]));
      diff = test::worse(diff, std::fabs(ours[static_cast<size_t>(t.offset + i)] - ref[static_cast<size_t>(i)]));
    }
    REQUIRE(scale > 0);  // every tensor takes part in the loss
    if (diff / scale > m.worst) m = {diff / scale, t.name};
  }
  return m;
}

double max_abs_difference(const std::vector<std::vector<float>>& ours, const Json& theirs) {
  double worst = 0;
  for (size_t r = 0; r < ours.size(); ++r) {
    const auto ref = theirs.at(r).get<std::vector<double>>();
    REQUIRE(ref.size() == ours[r].size());
    for (size_t j = 0; j < ref.size(); ++j) worst = test::worse(worst, std::fabs(ours[r][j] - ref[j]));
  }
  return worst;
}
}  // namespace

TEST_CASE("dsmath's GRPO and DPO losses, gradients and advantages equal TRL's on the same checkpoint", "[grpo][dpo][trl]") {
  CpuBackend backend(1);
  const ModelConfig config = tiny_llama();
  Transformer policy(config, backend), reference(config, backend, {false});
  const std::vector<float> weights = policy.init_parameters(31);
  // the reference: the policy moved a little, so that the KL term is small but not zero
  std::vector<float> ref_weights = weights;
  Rng noise(32);
  for (const ParamInfo& t : policy.layout().tensors())
    for (int64_t i = 0; i < t.numel; ++i) ref_weights[static_cast<size_t>(t.offset + i)] += static_cast<float>(0.02 * noise.normal());
  reference.set_parameters(ref_weights);
  const auto dir = test::temp_dir("trl_parity");
  fs::create_directories(dir / "policy");
  fs::create_directories(dir / "reference");
  write_hf_model(dir / "policy", config, weights, DType::f32);
  write_hf_model(dir / "reference", config, ref_weights, DType::f32);

  // 3 questions x G = 4 outputs of 2-8 tokens; group 2's rewards are all equal (advantage 0: only
  // the KL term moves those outputs)
  const double rewards[kQuestions][kGroup] = {{1, 0, 0, 1}, {0.5, 0.2, 0.9, 0.2}, {1, 1, 1, 1}};
  Rng rng(33);
  std::vector<RolloutSample> samples(kQuestions * kGroup);
  Json samples_json = Json::array();
  for (int q = 0; q < kQuestions; ++q) {
    std::vector<int32_t> prompt(static_cast<size_t>(3 + q));
    for (auto& t : prompt) t = 1 + static_cast<int32_t>(rng.below(47));  // token 0 is TRL's padding
    for (int g = 0; g < kGroup; ++g) {
      RolloutSample& s = samples[static_cast<size_t>(q * kGroup + g)];
      s.prompt = prompt;
      s.completion.resize(2 + rng.below(kMaxNewTokens - 1));
      for (auto& t : s.completion) t = 1 + static_cast<int32_t>(rng.below(47));
      samples_json.push_back({{"prompt", s.prompt}, {"completion", s.completion}, {"reward", rewards[q][g]}});
    }
  }
  double total_tokens = 0;
  for (const auto& s : samples) total_tokens += static_cast<double>(s.completion.size());
  completion_logprobs(reference, samples, static_cast<int>(samples.size()), 0, &RolloutSample::ref_logp);
  std::vector<RolloutSample> current = samples;  // the policy's own log-probs, to shift into an off-policy pi_old
  completion_logprobs(policy, current, static_cast<int>(samples.size()), 0, &RolloutSample::old_logp);

  Json cases_json = Json::array();
  for (const GrpoCase& c : kCases) {
    Json old = nullptr;
    if (c.off_policy) {
      old = Json::array();
      for (size_t i = 0; i < samples.size(); ++i) {
        std::vector<float> row(current[i].old_logp.size());
        for (size_t j = 0; j < row.size(); ++j) row[j] = current[i].old_logp[j] - static_cast<float>(off_policy_log_ratio(i, j));
        old.push_back(row);
      }
    }
    cases_json.push_back({{"name", c.name}, {"loss_type", c.trl_loss_type}, {"scale_rewards", c.scale_rewards ? "group" : "none"},
                          {"beta", kBeta}, {"epsilon", kEps}, {"old_logp", old},
                          {"use_bias_correction_kl", c.trl_ratio_weighted_kl}});
  }
  // DPO pairs, within a question: (first, second) output of each group
  Json pairs_json = Json::array();
  for (int q = 0; q < kQuestions; ++q) {
    const auto& w = samples[static_cast<size_t>(q * kGroup)];
    const auto& l = samples[static_cast<size_t>(q * kGroup + 1)];
    pairs_json.push_back({{"prompt", w.prompt}, {"chosen", w.completion}, {"rejected", l.completion}});
  }
  write_file_atomic(dir / "inputs.json", Json{{"policy", (dir / "policy").string()},
                                              {"reference", (dir / "reference").string()},
                                              {"group_size", kGroup},
                                              {"max_new_tokens", kMaxNewTokens},
                                              {"dpo_beta", kDpoBeta},
                                              {"samples", samples_json},
                                              {"grpo_cases", cases_json},
                                              {"pairs", pairs_json}}
                                             .dump());
  const auto run = test::run_command(test::reference_python() + " '" + (test::source_dir() / "tests/rl/trl_reference.py").string() +
                                     "' '" + dir.string() + "'");
  // the script is its own probe: importing TRL's trainers takes most of this test's time
  DSMATH_REQUIRE_REFERENCE(run.exit_code != kMissingPackage && run.exit_code != kNoInterpreter,
                           run.output << " (torch, transformers, accelerate, trl: scripts/setup_reference.sh)");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  const Json trl = Json::parse(read_file(dir / "trl.json"));
  REQUIRE(trl["trl_version"] == "1.16.0");
  REQUIRE(trl["grpo"].size() == std::size(kCases));

  std::vector<std::vector<float>> ref_logp;
  for (const auto& s : samples) ref_logp.push_back(s.ref_logp);

  for (size_t k = 0; k < std::size(kCases); ++k) {
    const GrpoCase& c = kCases[k];
    const Json& theirs = trl["grpo"][k];
    INFO("GRPO case " << c.name << " (TRL loss_type " << c.trl_loss_type << ")");
    // advantages: dsmath's per-group phase against TRL's (mean / std per group, + 1e-4)
    std::vector<double> ours_adv;
    for (int q = 0; q < kQuestions; ++q) {
      std::vector<SampleRewards> group(kGroup);
      std::vector<int> n_tokens(kGroup);
      for (int g = 0; g < kGroup; ++g) {
        group[static_cast<size_t>(g)].total = rewards[q][g];
        n_tokens[static_cast<size_t>(g)] = static_cast<int>(samples[static_cast<size_t>(q * kGroup + g)].completion.size());
      }
      const auto coeff = group_coefficients(AdvantageKind::outcome, group, n_tokens, {true, 1e-4, c.scale_rewards});
      for (int g = 0; g < kGroup; ++g) {
        auto& s = samples[static_cast<size_t>(q * kGroup + g)];
        s.advantages = coeff.per_token[static_cast<size_t>(g)];
        ours_adv.push_back(s.advantages.front());
        s.old_logp.clear();
        if (c.off_policy) s.old_logp = cases_json[k]["old_logp"][static_cast<size_t>(q * kGroup + g)].get<std::vector<float>>();
      }
    }
    for (size_t i = 0; i < ours_adv.size(); ++i) CHECK(ours_adv[i] == Approx(theirs["advantages"][i].get<double>()).epsilon(0).margin(1e-6));

    std::vector<const RolloutSample*> ptrs;
    for (const auto& s : samples) ptrs.push_back(&s);
    const TokenBatch batch = rollout_batch(ptrs, 0);
    GrpoLossConfig loss_config;
    loss_config.beta = kBeta;
    loss_config.clip_low = loss_config.clip_high = kEps;
    loss_config.aggregation = c.aggregation;
    UpdateStats stats;
    policy.zero_grads();
    policy.forward(batch, true);
    std::vector<float> dlogp(static_cast<size_t>(batch.size()), 0.0f);
    const double loss = grpo_objective(ptrs, loss_config, static_cast<double>(samples.size()), total_tokens, kMaxNewTokens,
                                       /*use_kl=*/true, false, nullptr, stats)(batch, policy.logprobs(), dlogp);
    policy.backward(dlogp);

    std::vector<std::vector<float>> logp;
    for (const auto& s : current) logp.push_back(s.old_logp);
    const double logp_diff = max_abs_difference(logp, theirs["logp"]);
    const double ref_diff = max_abs_difference(ref_logp, theirs["ref_logp"]);
    CHECK(logp_diff < kLogpTol);
    CHECK(ref_diff < kLogpTol);
    CHECK(loss == Approx(theirs["loss"].get<double>()).epsilon(0).margin(kLossTol));
    CHECK(stats.kl_sum / stats.tokens == Approx(theirs["kl"].get<double>()).epsilon(1e-5));
    CHECK(stats.kl_sum > 0);
    // the same tokens clipped (TRL's clip_ratio/region_mean: a share of the batch's tokens)
    CHECK(stats.clipped == Approx(theirs["clip_region"].get<double>() * total_tokens).margin(1e-6));
    if (c.off_policy) CHECK(stats.clipped > 0);
    const Measured g = gradient_difference(policy, policy.get_grads(), theirs["grads"]);
    INFO("largest relative gradient difference " << g.worst << " in " << g.where);
    if (c.trl_ratio_weighted_kl) CHECK(g.worst > 100 * kGradTol);
    else CHECK(g.worst < kGradTol);
  }

  {
    INFO("DPO, sigmoid loss, sequence log-probs summed over the completion");
    std::vector<RolloutSample> rows;
    for (const Json& p : pairs_json) {
      for (const char* side : {"chosen", "rejected"}) {
        RolloutSample& r = rows.emplace_back();
        r.prompt = p["prompt"].get<std::vector<int32_t>>();
        r.completion = p[side].get<std::vector<int32_t>>();
      }
    }
    std::vector<const RolloutSample*> ptrs;
    for (const auto& r : rows) ptrs.push_back(&r);
    const TokenBatch batch = rollout_batch(ptrs, 0);
    reference.forward(batch, false);
    const std::vector<double> ref_seq = row_logprobs(batch, reference.logprobs());
    DpoStats stats;
    policy.zero_grads();
    policy.forward(batch, true);
    std::vector<float> dlogp(static_cast<size_t>(batch.size()), 0.0f);
    const double loss = dpo_objective(ref_seq, kDpoBeta, kQuestions, stats)(batch, policy.logprobs(), dlogp);
    policy.backward(dlogp);
    const Json& theirs = trl["dpo"];
    CHECK(loss == Approx(theirs["loss"].get<double>()).epsilon(0).margin(kLossTol));
    // TRL's rewards/margins: beta times the mean log-ratio margin
    CHECK(kDpoBeta * stats.margin_sum / stats.pairs == Approx(theirs["rewards_margins"].get<double>()).margin(1e-6));
    CHECK(stats.accuracy_sum / stats.pairs == theirs["rewards_accuracies"].get<double>());
    const Measured g = gradient_difference(policy, policy.get_grads(), theirs["grads"]);
    INFO("largest relative gradient difference " << g.worst << " in " << g.where);
    CHECK(g.worst < kGradTol);
  }
}
