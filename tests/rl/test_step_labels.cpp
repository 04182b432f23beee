// Math-Shepherd step labels (rl/step_labels.hpp): hand-worked labels from a scripted completer,
// then `dsmath rm label` end to end on a tiny model, its output training a process reward model.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>

#include "core/json.hpp"
#include "rl/step_labels.hpp"
#include "sft_fixture.hpp"

using namespace dsmath;
using Catch::Contains;

namespace {
// Completions chosen by the prefix's text, for every one of the n samples in turn.
rl::StepCompleter scripted(const std::map<std::string, std::vector<std::string>>& by_prefix, std::vector<rl::StepPrefix>& seen) {
  return [&by_prefix, &seen](std::span<const rl::StepPrefix> prefixes, int n) {
    std::vector<std::string> out;
    for (const auto& p : prefixes) {
      seen.push_back(p);
      const auto& options = by_prefix.at(p.text);
      for (int k = 0; k < n; ++k) out.push_back(options[static_cast<size_t>(k) % options.size()]);
    }
    return out;
  };
}
}  // namespace

TEST_CASE("step labels: hard and soft estimation from completions of each step's prefix", "[rl][step_labels]") {
  const auto dir = test::temp_dir("step_labels");
  const Tokenizer tok = Tokenizer::load(test::tiny_tokenizer(dir));
  // a right solution of three steps, a wrong one of two, a one-step one and an empty one
  const std::vector<rl::SolutionToLabel> solutions = {
      {"q1", "10", {}, "2 plus 3 is 5. 5 plus 5 is 10. The answer is \\boxed{10}.", {}},
      {"q2", "7", {}, "3 plus 3 is 6. The answer is \\boxed{6}.", {}},
      {"q3", "4", {}, "The answer is \\boxed{4}.", {}},
      {"q4", "1", {}, "  ", {}},
  };
  // worked by hand, 4 completions per prefix (the options repeat to fill 4):
  //   q1 step 1 ("2 plus 3 is 5"): 1 of 2 options reaches 10 -> share 2/4, label 1
  //   q1 step 2 ("... 5 plus 5 is 10"): both wrong -> share 0, label 0 (a step can be
  //     labelled bad after a good one: the label is what completions from it reach)
  //   q1 step 3: the solution itself, right -> 1
  //   q2 step 1 ("3 plus 3 is 6"): 1 of 4 reaches 7 -> share 1/4, label 1; step 2: wrong -> 0
  //   q3: one step, its own verdict (right) -> 1, nothing sampled; q4: no step
  const std::map<std::string, std::vector<std::string>> completions = {
      {"2 plus 3 is 5", {". 5 plus 5 is 10. The answer is \\boxed{10}.", ". The answer is \\boxed{5}."}},
      {"2 plus 3 is 5. 5 plus 5 is 10", {". The answer is \\boxed{11}.", ". So \\boxed{9}."}},
      {"3 plus 3 is 6", {". The answer is \\boxed{6}.", ". 6 plus 1 is 7. The answer is \\boxed{7}.", ". \\boxed{6}", " no"}},
  };
  std::vector<rl::StepPrefix> seen;
  const auto labels = rl::label_steps(solutions, tok, ". ", 4, eval::AnswerStyle::gsm8k, scripted(completions, seen));
  REQUIRE(labels.size() == 4);
  CHECK(labels[0].steps == std::vector<std::string>{"2 plus 3 is 5", "5 plus 5 is 10", "The answer is \\boxed{10}."});
  CHECK(labels[0].labels == std::vector<int>{1, 0, 1});
  CHECK(labels[0].correct_share == std::vector<double>{0.5, 0.0, 1.0});
  CHECK(labels[1].labels == std::vector<int>{1, 0});
  CHECK(labels[1].correct_share == std::vector<double>{0.25, 0.0});
  CHECK(labels[2].labels == std::vector<int>{1});
  CHECK(labels[3].steps.empty());
  CHECK(labels[3].labels.empty());
  // three prefixes were completed, each cut after the token that ends its step (the separator is
  // the model's to write): the tokens are the head of the solution's own encoding
  REQUIRE(seen.size() == 3);
  for (const auto& p : seen) {
    const auto whole = tok.encode(solutions[p.solution].solution, false);
    REQUIRE(p.tokens.size() < whole.size());
    CHECK(std::equal(p.tokens.begin(), p.tokens.end(), whole.begin()));
    CHECK(tok.decode(std::vector<uint32_t>(p.tokens.begin(), p.tokens.end()), false) == p.text);
  }
  // no completions, or a completer that loses some, is an error, not a silent label
  CHECK_THROWS_WITH(rl::label_steps(solutions, tok, ". ", 0, eval::AnswerStyle::gsm8k, scripted(completions, seen)),
                    Contains("0 completions per step"));
  const rl::StepCompleter short_one = [](std::span<const rl::StepPrefix>, int) { return std::vector<std::string>{"x"}; };
  CHECK_THROWS_WITH(rl::label_steps(solutions, tok, ". ", 2, eval::AnswerStyle::gsm8k, short_one),
                    Contains("returned 1 completions for 3 prefixes x 2"));
}

TEST_CASE("dsmath rm label: Math-Shepherd labels from a model, a process reward model trained on them", "[rl][step_labels][cli]") {
  auto dir = test::temp_dir("rm_label");
  const auto tok = test::tiny_tokenizer(dir);
  const auto base = test::tiny_base_model(dir, tok);
  {
    std::ofstream q(dir / "questions.jsonl");
    Rng rng(5);
    for (int i = 0; i < 6; ++i) {
      auto [a, b] = test::arithmetic_operands(rng);
      q << Json{{"question", test::arithmetic_pair_of(a, b).first}, {"answer", std::to_string(a + b)}}.dump() << "\n";
    }
  }
  const std::string label = "rm label -m " + base.string() + " -i " + (dir / "questions.jsonl").string() +
                            " --solutions 3 --completions 2 --step-separator '. ' --prompt-suffix '' --max-new-tokens 24"
                            " --device cpu --threads 1 -o ";
  auto r = test::run_dsmath(label + (dir / "labels.jsonl").string());
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
  const auto records = test::read_jsonl(dir / "labels.jsonl");
  CHECK_THAT(r.output, Contains(std::to_string(records.size()) + " solutions of 6 questions"));
  CHECK(records.size() <= 18);  // 3 per question, minus empty solutions
  REQUIRE(!records.empty());
  for (const auto& j : records) {
    const auto steps = j["steps"].get<std::vector<std::string>>();
    const auto labels = j["labels"].get<std::vector<int>>();
    const auto share = j["correct_share"].get<std::vector<double>>();
    REQUIRE(steps.size() == labels.size());
    REQUIRE(share.size() == labels.size());
    for (size_t k = 0; k < labels.size(); ++k) {
      CHECK(labels[k] == (share[k] > 0 ? 1 : 0));      // hard estimation: any right completion
      CHECK((share[k] == 0.0 || share[k] == 0.5 || share[k] == 1.0));  // 2 completions per step
    }
    // the steps are the solution's pieces between separators
    std::string joined;
    for (size_t k = 0; k < steps.size(); ++k) joined += (k ? ". " : "") + steps[k];
    CHECK(j["solution"].get<std::string>().find(joined) != std::string::npos);
  }
  // the same seed labels the same way; another seed samples other solutions
  REQUIRE(test::run_dsmath(label + (dir / "again.jsonl").string()).exit_code == 0);
  CHECK(read_file(dir / "again.jsonl") == read_file(dir / "labels.jsonl"));
  REQUIRE(test::run_dsmath(label + (dir / "other.jsonl").string() + " --seed 9").exit_code == 0);
  CHECK(read_file(dir / "other.jsonl") != read_file(dir / "labels.jsonl"));
  // the output is what `dsmath rm train` takes for a process reward model
  std::ofstream(dir / "prm.yaml") << "stage: rm\ninit: {from: " << base.string() << "}\n"
                                  << "data: {train: [" << (dir / "labels.jsonl").string()
                                  << "], kind: process, step_separator: \". \", seq_len: 96}\n"
                                  << "train: {micro_batch_size: 4, global_batch_size: 4, max_steps: 2}\n"
                                  << "checkpoint: {every_steps: 0}\nruntime: {device: cpu, threads: 1}\n";
  auto trained = test::run_dsmath("rm train -c " + (dir / "prm.yaml").string() + " --run-dir " + (dir / "prm").string());
  INFO(trained.output);
  CHECK(trained.exit_code == 0);
  // a question file without answers is refused with the line that lacks one
  std::ofstream(dir / "bad.jsonl") << Json{{"question", "What is 1 plus 1?"}}.dump() << "\n";
  auto bad = test::run_dsmath("rm label -m " + base.string() + " -i " + (dir / "bad.jsonl").string() + " -o " +
                              (dir / "bad_out.jsonl").string() + " --device cpu --threads 1");
  CHECK(bad.exit_code != 0);
  CHECK_THAT(bad.output, Contains("bad.jsonl:1"));
  CHECK(!fs::exists(dir / "bad_out.jsonl"));
}
