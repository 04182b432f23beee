// End to end on the CPU: a tiny model fine-tuned a little on single-digit addition, then GRPO
// with the rule reward; the sampled reward and the greedy accuracy on held-out questions (a split
// of the question space that neither SFT nor GRPO sees) must rise.
#include <catch2/catch.hpp>

#include <fstream>
#include <numeric>

#include "core/json.hpp"
#include "pretrain_fixture.hpp"
#include "sft_fixture.hpp"

using namespace dsmath;
using Catch::Contains;

namespace {
void write_tasks(const fs::path& dir) {
  Rng rng(11);
  std::ofstream rl(dir / "rl.jsonl"), held(dir / "heldout.jsonl");
  // the final answer is the last word of the worked solution ("... The answer is N.")
  auto final_answer = [](const std::string& solution) {
    const auto end = solution.find_last_of("0123456789");
    return solution.substr(solution.find_last_of(' ', end) + 1, end - solution.find_last_of(' ', end));
  };
  // RL questions from the training split, the held-out set is the other 30 questions, each once:
  // nothing held out is trained on, by SFT or GRPO
  for (int i = 0; i < 300; ++i) {
    auto [q, a] = test::arithmetic_pair(rng, test::Split::train);
    rl << Json{{"question", q}, {"answer", final_answer(a)}}.dump() << "\n";
  }
  for (int x = 0; x < 10; ++x)
    for (int y = 0; y < 10; ++y)
      if (test::is_heldout_question(x, y)) {
        auto [q, a] = test::arithmetic_pair_of(x, y);
        held << Json{{"question", q}, {"answer", a + " #### " + final_answer(a)}}.dump() << "\n";  // GSM8K format
      }
  std::ofstream(dir / "eval.yaml") << "benchmark: gsm8k\ndata: " << (dir / "heldout.jsonl").string() << "\n"
                                   << "prompt: {kind: chat, chat_template: \"User: {question}\\n\\nAssistant:\"}\n"
                                   << "sampling: {temperature: 0, max_new_tokens: 32}\n";
}

double accuracy(const std::string& output) {
  const auto at = output.find("pass@1");
  REQUIRE(at != std::string::npos);
  return std::stod(output.substr(output.find_first_of("0123456789", at + 6))) / 100.0;
}

std::vector<double> rewards(const fs::path& run) {
  std::vector<double> r;
  std::ifstream in(run / "metrics.jsonl");
  std::string line;
  while (std::getline(in, line)) r.push_back(Json::parse(line)["reward_mean"].get<double>());
  return r;
}
}  // namespace

TEST_CASE("GRPO with the rule reward raises reward and held-out accuracy of a tiny model", "[grpo][cli]") {
  auto dir = test::temp_dir("grpo_e2e");
  const auto tok = test::tiny_tokenizer(dir);
  const auto base = test::tiny_base_model(dir, tok, 64);
  test::arithmetic_sft_file(dir, 300, 2, test::Split::train);
  write_tasks(dir);
  // a little SFT: some answers right, far from all
  std::ofstream(dir / "sft.yaml") << "stage: sft\ninit: {from: " << base.string() << "}\n"
                                  << "data: {train: [" << (dir / "sft.jsonl").string() << "], seq_len: 128}\n"
                                  << "optim: {lr_peak: 3.0e-3, warmup_steps: 10}\n"
                                  << "train: {micro_batch_size: 8, global_batch_size: 16, max_steps: 90}\n"
                                  << "checkpoint: {every_steps: 0}\nruntime: {device: cpu, threads: 1}\n";
  REQUIRE(test::run_dsmath("sft -c " + (dir / "sft.yaml").string() + " --run-dir " + (dir / "sft").string()).exit_code == 0);
  const std::string eval = "eval run -c " + (dir / "eval.yaml").string() + " --threads 1 -m ";
  auto before = test::run_dsmath(eval + (dir / "sft").string() + " -o " + (dir / "eval-sft").string());
  REQUIRE(before.exit_code == 0);
  std::ofstream(dir / "grpo.yaml") << "stage: grpo\ninit: {from: " << (dir / "sft").string() << "}\n"
                                   << "data: {train: [" << (dir / "rl.jsonl").string() << "], prompt_suffix: \"\"}\n"
                                   << "rollout: {questions_per_step: 16, group_size: 8, sampling: {max_new_tokens: 24}}\n"
                                   << "optim: {lr_peak: 2.0e-4}\ntrain: {micro_batch_size: 32, max_steps: 200}\n"
                                   << "checkpoint: {every_steps: 50}\nlog_samples_every: 50\nruntime: {device: cpu, threads: 1}\n";
  auto grpo = test::run_dsmath("grpo -c " + (dir / "grpo.yaml").string() + " --run-dir " + (dir / "grpo").string());
  INFO(grpo.output);
  REQUIRE(grpo.exit_code == 0);
  auto after = test::run_dsmath(eval + (dir / "grpo").string() + " -o " + (dir / "eval-grpo").string());
  REQUIRE(after.exit_code == 0);
  const auto r = rewards(dir / "grpo");
  REQUIRE(r.size() == 200);
  const double early = std::accumulate(r.begin(), r.begin() + 40, 0.0) / 40;
  const double late = std::accumulate(r.end() - 40, r.end(), 0.0) / 40;
  const double acc_before = accuracy(before.output), acc_after = accuracy(after.output);
  WARN("GRPO: sampled reward " << early << " -> " << late << "; held-out greedy accuracy " << acc_before << " -> " << acc_after);
  CHECK(late > early + 0.05);
  CHECK(acc_after > acc_before);  // on 30 questions never trained on
  // the run directory has what users look for
  CHECK(fs::exists(dir / "grpo" / "samples.jsonl"));
  std::ifstream metrics(dir / "grpo" / "metrics.jsonl");
  std::string first;
  std::getline(metrics, first);
  for (const char* key : {"reward_mean", "reward_std", "accuracy", "kl", "entropy", "clip_fraction", "completion_length_mean",
                          "completion_length_max", "truncated_fraction", "zero_std_group_fraction", "logprob_mismatch",
                          "time_generation_s", "time_scoring_s", "time_training_s", "reward_rule_mean"})
    CHECK(Json::parse(first).contains(key));
  CHECK(Json::parse(first)["logprob_mismatch"].get<double>() < 1e-5);  // CPU: sampler and trainer agree
}

TEST_CASE("a GRPO run killed mid-way resumes to the same result", "[grpo][cli]") {
  auto dir = test::temp_dir("grpo_resume");
  const auto tok = test::tiny_tokenizer(dir);
  const auto base = test::tiny_base_model(dir, tok);
  write_tasks(dir);
  std::ofstream(dir / "grpo.yaml") << "stage: grpo\ninit: {from: " << base.string() << "}\n"
                                   << "data: {train: [" << (dir / "rl.jsonl").string() << "], prompt_suffix: \"\"}\n"
                                   << "rollout: {questions_per_step: 4, group_size: 4, sampling: {max_new_tokens: 12}}\n"
                                   << "algorithm: {beta: 0.04}\niterative: {every_steps: 3}\n"
                                   << "optim: {lr_peak: 1.0e-3}\ntrain: {micro_batch_size: 16, max_steps: 8}\n"
                                   << "checkpoint: {every_steps: 2}\nruntime: {device: cpu, threads: 1}\n";
  const std::string cmd = "grpo -c " + (dir / "grpo.yaml").string() + " --run-dir ";
  REQUIRE(test::run_dsmath(cmd + (dir / "full").string()).exit_code == 0);
  auto killed = test::run_command("DSMATH_FAULT_INJECT=kill_after_step:5 " + std::string(DSMATH_BINARY) + " " + cmd +
                                  (dir / "resumed").string());
  CHECK(killed.exit_code == 137);
  auto resumed = test::run_dsmath(cmd + (dir / "resumed").string() + " --resume");
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  // the reference model was refreshed at step 3 and saved: the resumed run continues identically,
  // weights, AdamW moments and trainer state alike
  const fs::path full = dir / "full" / "checkpoints" / "step-0000008", again = dir / "resumed" / "checkpoints" / "step-0000008";
  CHECK(read_file(full / "model.safetensors") == read_file(again / "model.safetensors"));
  CHECK(read_file(full / "optimizer-rank0.safetensors") == read_file(again / "optimizer-rank0.safetensors"));
  auto state = [](const fs::path& d) {
    Json j = Json::parse(read_file(d / "trainer_state.json"));
    j.erase("time");
    return j;
  };
  CHECK(state(full) == state(again));
  // and every step's metrics are the same numbers (timings aside), steps 1-5 from before the kill
  auto metrics = [](const fs::path& run) {
    auto m = test::read_metrics(run);
    for (auto& line : m)
      for (const char* k : {"time", "time_generation_s", "time_scoring_s", "time_training_s", "step_time_s", "rollout_tokens_per_s"})
        line.erase(k);
    return m;
  };
  const auto m_full = metrics(dir / "full"), m_resumed = metrics(dir / "resumed");
  REQUIRE(m_full.size() == 8);
  REQUIRE(m_resumed.size() == 8);
  for (size_t i = 0; i < 8; ++i) CHECK(m_full[i] == m_resumed[i]);
}

TEST_CASE("GRPO with a reward model: iterative RL retrains it on rule-labelled samples", "[grpo][cli]") {
  auto dir = test::temp_dir("grpo_rm");
  const auto tok = test::tiny_tokenizer(dir);
  const auto base = test::tiny_base_model(dir, tok);
  write_tasks(dir);
  {
    std::ofstream labelled(dir / "rm.jsonl");
    Rng rng(3);
    for (int i = 0; i < 40; ++i) {
      auto [q, a] = test::arithmetic_pair(rng);
      labelled << Json{{"question", q}, {"solution", a}, {"label", i % 2}}.dump() << "\n";
    }
  }
  std::ofstream(dir / "rm.yaml") << "stage: rm\ninit: {from: " << base.string() << "}\n"
                                 << "data: {train: [" << (dir / "rm.jsonl").string() << "], seq_len: 96}\n"
                                 << "train: {micro_batch_size: 8, global_batch_size: 8, max_steps: 3}\n"
                                 << "checkpoint: {every_steps: 0}\nruntime: {device: cpu, threads: 1}\n";
  REQUIRE(test::run_dsmath("rm train -c " + (dir / "rm.yaml").string() + " --run-dir " + (dir / "rm").string()).exit_code == 0);
  std::ofstream(dir / "grpo.yaml") << "stage: grpo\ninit: {from: " << base.string() << "}\n"
                                   << "data: {train: [" << (dir / "rl.jsonl").string() << "], prompt_suffix: \"\"}\n"
                                   << "rollout: {questions_per_step: 4, group_size: 4, sampling: {max_new_tokens: 12}}\n"
                                   << "rewards: [{kind: rule, weight: 1.0}, {kind: model, model: " << (dir / "rm").string()
                                   << ", weight: 0.5}]\n"
                                   << "iterative: {every_steps: 2, reward_model_steps: 3, reward_model_optim: {lr_peak: 1.0e-3, "
                                      "schedule: cosine, warmup_steps: 1}}\n"
                                   << "optim: {lr_peak: 1.0e-3}\ntrain: {micro_batch_size: 16, max_steps: 4}\n"
                                   << "checkpoint: {every_steps: 4}\nruntime: {device: cpu, threads: 1}\n";
  auto r = test::run_dsmath("grpo -c " + (dir / "grpo.yaml").string() + " --run-dir " + (dir / "grpo").string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.output, Contains("reward model trained 3 steps") && Contains("reference model is now the policy of step 2"));
  // the history replayed (10%: round(0.1 / 0.9 x 32 new samples) = 4) includes the reward model's
  // own 40 training solutions, read through the config its checkpoint stores; at step 2 there is
  // no earlier RL sample, so all 4 come from them
  CHECK_THAT(r.output, Contains("replay includes its 40 original training solutions") &&
                           Contains("on 32 new + 4 replayed samples (4 of its original training data"));
  // its own schedule over each iteration's 3 steps, worked by hand: step 1 ends the 1-step warmup
  // at the peak, step 3 ends the cosine at lr_min_ratio (0.1) of it
  CHECK_THAT(r.output, Contains("LR 0.001 -> 0.0001)"));
  const auto saved = dir / "grpo" / "checkpoints" / "step-0000004";
  REQUIRE(fs::exists(saved / "reward_model" / "model.safetensors"));
  CHECK(read_file(saved / "reward_model" / "model.safetensors") !=
        read_file(dir / "rm" / "checkpoints" / "step-0000003" / "model.safetensors"));  // it learned
  CHECK(fs::exists(saved / "reference.safetensors"));
  const auto first = test::read_metrics(dir / "grpo").front();
  CHECK(first.contains("reward_model_mean"));
  CHECK(first.contains("reward_rule_mean"));
  // killed after step 3 (before its checkpoint: step 2, just after the reward model retrained),
  // resumed: the replay buffers (steps 1-2) come back from the checkpoint, so step 4 replays the same
  // samples and the reward model and policy end identical
  const std::string cmd = "grpo -c " + (dir / "grpo.yaml").string() + " --set checkpoint.every_steps=1 --run-dir ";
  REQUIRE(test::run_dsmath(cmd + (dir / "full").string()).exit_code == 0);
  auto killed = test::run_command("DSMATH_FAULT_INJECT=kill_after_step:3 " + std::string(DSMATH_BINARY) + " " + cmd +
                                  (dir / "resumed").string());
  CHECK(killed.exit_code == 137);
  REQUIRE(fs::exists(dir / "resumed" / "checkpoints" / "step-0000002" / "reward_model_replay.jsonl"));
  auto resumed = test::run_dsmath(cmd + (dir / "resumed").string() + " --resume");
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  for (const char* f : {"reward_model/model.safetensors", "model.safetensors"})
    CHECK(read_file(dir / "full" / "checkpoints" / "step-0000004" / f) ==
          read_file(dir / "resumed" / "checkpoints" / "step-0000004" / f));
}

namespace {
// A process reward model trained 3 steps on 40 hand-labelled solutions of two steps, joined by
// `separator`.
fs::path process_reward_model(const fs::path& dir, const fs::path& base, const std::string& separator = ". ") {
  {
    std::ofstream labelled(dir / "prm.jsonl");
    Rng rng(4);
    for (int i = 0; i < 40; ++i) {
      auto [q, a] = test::arithmetic_pair(rng);
      const auto cut = a.find(". ");
      labelled << Json{{"question", q}, {"steps", {a.substr(0, cut), a.substr(cut + 2)}}, {"labels", {1, i % 2}}}.dump()
               << "\n";
    }
  }
  std::ofstream(dir / "prm.yaml") << "stage: rm\ninit: {from: " << base.string() << "}\n"
                                  << "data: {train: [" << (dir / "prm.jsonl").string() << "], kind: process, step_separator: " << Json(separator).dump()
                                  << ", seq_len: 96}\ntrain: {micro_batch_size: 8, global_batch_size: 8, max_steps: 3}\n"
                                  << "checkpoint: {every_steps: 0}\nruntime: {device: cpu, threads: 1}\n";
  REQUIRE(test::run_dsmath("rm train -c " + (dir / "prm.yaml").string() + " --run-dir " + (dir / "prm").string()).exit_code == 0);
  return dir / "prm";
}
}  // namespace

TEST_CASE("GRPO with process supervision from a process reward model", "[grpo][cli]") {
  auto dir = test::temp_dir("grpo_prm");
  const auto tok = test::tiny_tokenizer(dir);
  const auto base = test::tiny_base_model(dir, tok);
  write_tasks(dir);
  process_reward_model(dir, base);
  std::ofstream(dir / "grpo.yaml") << "stage: grpo\ninit: {from: " << base.string() << "}\n"
                                   << "data: {train: [" << (dir / "rl.jsonl").string() << "], prompt_suffix: \"\"}\n"
                                   << "rollout: {questions_per_step: 4, group_size: 4, sampling: {max_new_tokens: 16}}\n"
                                   << "rewards: [{kind: model, model: " << (dir / "prm").string()
                                   << ", model_kind: process}]\n"  // its step separator is the one it was trained with
                                   << "algorithm: {advantage: process}\n"
                                   << "optim: {lr_peak: 1.0e-3}\ntrain: {micro_batch_size: 16, max_steps: 3}\n"
                                   << "checkpoint: {every_steps: 0}\nruntime: {device: cpu, threads: 1}\n";
  auto r = test::run_dsmath("grpo -c " + (dir / "grpo.yaml").string() + " --run-dir " + (dir / "grpo").string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto m = test::read_metrics(dir / "grpo");
  REQUIRE(m.size() == 3);
  CHECK(m.back()["reward_model_mean"].get<double>() > 0.0);  // sigmoid scores: always positive
  // the steps are split as the model was trained (its checkpoint's data.step_separator): another
  // separator, or the model taken for an outcome reward model, is refused before any step
  auto other_separator = test::run_dsmath("grpo -c " + (dir / "grpo.yaml").string() +
                                          " --set 'rewards=[{kind: model, model: " + (dir / "prm").string() +
                                          ", model_kind: process, step_separator: \"\\n\"}]' --run-dir " + (dir / "sep").string());
  CHECK(other_separator.exit_code == 1);
  CHECK_THAT(other_separator.output, Contains("was trained with step separator \". \", not \"\\n\""));
  auto as_outcome = test::run_dsmath("grpo -c " + (dir / "grpo.yaml").string() + " --set algorithm.advantage=outcome --set 'rewards=[{kind: model, model: " +
                                     (dir / "prm").string() + ", model_kind: outcome}]' --run-dir " + (dir / "outcome").string());
  CHECK(as_outcome.exit_code == 1);
  CHECK_THAT(as_outcome.output, Contains("was trained as a process reward model"));
  // process advantages without a process reward model are refused
  auto bad = test::run_dsmath("grpo -c " + (dir / "grpo.yaml").string() + " --set 'rewards=[{kind: rule}]' --run-dir " +
                              (dir / "bad").string());
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.output, Contains("needs exactly one process reward model"));
  // nor beside another reward, which the process advantage would silently ignore
  auto mixed = test::run_dsmath("grpo -c " + (dir / "grpo.yaml").string() + " --set 'rewards=[{kind: model, model: " +
                                (dir / "prm").string() + ", model_kind: process}, {kind: rule}]' --run-dir " +
                                (dir / "mixed").string());
  CHECK(mixed.exit_code == 1);
  CHECK_THAT(mixed.output, Contains("uses only the process reward model's step scores"));
  // Online RFT keeps what the rule grader accepts: a model reward with it is refused
  auto rft = test::run_dsmath("grpo -c " + (dir / "grpo.yaml").string() + " --set algorithm.advantage=online_rft --run-dir " +
                              (dir / "rft").string());
  CHECK(rft.exit_code == 1);
  CHECK_THAT(rft.output, Contains("online_rft keeps the outputs the rule grader accepts"));
}

TEST_CASE("iterative GRPO+PS retrains the process reward model on Math-Shepherd labels", "[grpo][cli]") {
  auto dir = test::temp_dir("grpo_prm_iterative");
  const auto tok = test::tiny_tokenizer(dir);
  const auto base = test::tiny_base_model(dir, tok);
  write_tasks(dir);
  // steps split at spaces: the untrained policy writes no sentences, but words, so that every
  // output has several steps to complete
  const auto prm = process_reward_model(dir, base, " ");
  std::ofstream(dir / "grpo.yaml") << "stage: grpo\ninit: {from: " << base.string() << "}\n"
                                   << "data: {train: [" << (dir / "rl.jsonl").string() << "], prompt_suffix: \"\"}\n"
                                   << "rollout: {questions_per_step: 4, group_size: 4, sampling: {max_new_tokens: 16}}\n"
                                   << "rewards: [{kind: model, model: " << prm.string() << ", model_kind: process}]\n"
                                   << "algorithm: {advantage: process}\n"
                                   << "iterative: {every_steps: 2, reward_model_steps: 3, process_label_solutions: 6, "
                                      "process_label_completions: 2}\n"
                                   << "optim: {lr_peak: 1.0e-3}\ntrain: {micro_batch_size: 16, max_steps: 4}\n"
                                   << "checkpoint: {every_steps: 1}\nruntime: {device: cpu, threads: 1}\n";
  const std::string cmd = "grpo -c " + (dir / "grpo.yaml").string() + " --run-dir ";
  auto r = test::run_dsmath(cmd + (dir / "full").string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  // each iteration labels 6 of its 32 outputs; the replay (round(0.1 / 0.9 x 6) = 1) draws from
  // the model's 40 original solutions and, at step 4, the 6 of step 2
  CHECK_THAT(r.output, Contains("Math-Shepherd labels for 6 of the iteration's 32 outputs") &&
                           Contains("replay includes its 40 original training solutions") &&
                           Contains("process reward model trained 3 steps on 6 new + 1 replayed samples"));
  const auto saved = dir / "full" / "checkpoints" / "step-0000004";
  REQUIRE(fs::exists(saved / "reward_model" / "model.safetensors"));
  CHECK(read_file(saved / "reward_model" / "model.safetensors") !=
        read_file(prm / "checkpoints" / "step-0000003" / "model.safetensors"));  // it learned
  // the labelled history in the checkpoint: 12 process records after two iterations, each with a
  // label per step
  size_t earlier = 0;
  for (const auto& j : test::read_jsonl(saved / "reward_model_replay.jsonl")) {
    CHECK(j["buffer"] == "earlier");
    CHECK(j["steps"].size() == j["labels"].size());
    earlier += 1;
  }
  CHECK(earlier == 12);
  // killed in step 4 after the reward model retrained, before the checkpoint: step 3's checkpoint
  // holds its 16 outputs waiting to be labelled; resumed from it, the labels, the reward model and
  // the policy end identical
  auto killed = test::run_command("DSMATH_FAULT_INJECT=kill_after_step:4 " + std::string(DSMATH_BINARY) + " " + cmd +
                                  (dir / "resumed").string());
  CHECK(killed.exit_code == 137);
  size_t waiting = 0;
  for (const auto& j : test::read_jsonl(dir / "resumed" / "checkpoints" / "step-0000003" / "reward_model_replay.jsonl"))
    waiting += j["buffer"] == "to_label";
  CHECK(waiting == 16);
  auto resumed = test::run_dsmath(cmd + (dir / "resumed").string() + " --resume");
  INFO(resumed.output);
  REQUIRE(resumed.exit_code == 0);
  for (const char* f : {"reward_model/model.safetensors", "model.safetensors", "reward_model_replay.jsonl"})
    CHECK(read_file(saved / f) == read_file(dir / "resumed" / "checkpoints" / "step-0000004" / f));
  // only one reward model can be the one retrained, and retraining needs one
  auto two = test::run_dsmath(cmd + (dir / "two").string() + " --set 'rewards=[{kind: model, model: " + prm.string() +
                              ", model_kind: process}, {kind: model, model: " + prm.string() + ", model_kind: process}]'" +
                              " --set algorithm.advantage=outcome");
  CHECK(two.exit_code == 1);
  CHECK_THAT(two.output, Contains("rewards has 2 reward models"));
  auto none = test::run_dsmath(cmd + (dir / "none").string() + " --set 'rewards=[{kind: rule}]' --set algorithm.advantage=outcome");
  CHECK(none.exit_code == 1);
  CHECK_THAT(none.output, Contains("rewards has 0 reward models"));
}

TEST_CASE("Online RFT as a GRPO coefficient: only correct outputs get a gradient", "[grpo][cli]") {
  auto dir = test::temp_dir("grpo_online_rft");
  const auto tok = test::tiny_tokenizer(dir);
  const auto base = test::tiny_base_model(dir, tok);
  write_tasks(dir);
  std::ofstream(dir / "grpo.yaml") << "stage: grpo\ninit: {from: " << base.string() << "}\n"
                                   << "data: {train: [" << (dir / "rl.jsonl").string() << "], prompt_suffix: \"\"}\n"
                                   << "rollout: {questions_per_step: 4, group_size: 4, sampling: {max_new_tokens: 8}}\n"
                                   << "algorithm: {beta: 0, advantage: online_rft}\n"
                                   << "optim: {lr_peak: 1.0e-3}\ntrain: {micro_batch_size: 16, max_steps: 2}\n"
                                   << "checkpoint: {every_steps: 0}\nlog_samples_every: 1\nruntime: {device: cpu, threads: 1}\n";
  auto r = test::run_dsmath("grpo -c " + (dir / "grpo.yaml").string() + " --run-dir " + (dir / "grpo").string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  // every logged sample's coefficient is its rule verdict: 1 or 0
  std::ifstream samples(dir / "grpo" / "samples.jsonl");
  std::string line;
  int n = 0;
  while (std::getline(samples, line)) {
    const Json s = Json::parse(line);
    CHECK(s["advantage"].get<double>() == (s["correct"].get<bool>() ? 1.0 : 0.0));
    ++n;
  }
  CHECK(n == 8);  // a group of 4 at each of the 2 steps
}
