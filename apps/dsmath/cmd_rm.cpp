// dsmath rm train|score|label: reward models (outcome and process) for GRPO, and Math-Shepherd step
// labels to train a process reward model on.
#include <CLI/CLI.hpp>

#include <cmath>
#include <iostream>
#include <memory>

#include "backend/create.hpp"
#include "commands.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"
#include "data/jsonl.hpp"
#include "infer/model_bundle.hpp"
#include "io/hf_model.hpp"
#include "rl/rl_data.hpp"
#include "rl/rollout.hpp"
#include "rl/step_labels.hpp"
#include "tokenizer/chat_template.hpp"
#include "train/reward_data.hpp"
#include "run_summary.hpp"
#include "train/reward_model.hpp"

namespace dsmath::app {

namespace {
void register_rm_train(CLI::App& rm) {
  add_training_command<RmConfig>(
      rm, "train", "train an outcome or process reward model on labelled solutions",
      [](const RmConfig& cfg, const RunOptions& run) {
        const TrainingSummary s = run_rm_training(cfg, run);
        std::string eval;
        if (!s.after_training.is_null())
          eval = fmt::format(", held-out AUC {:.4f}, accuracy {:.4f}", s.after_training.value("auc", 0.0),
                             s.after_training.value("accuracy", 0.0));
        print_training_summary("rm train", s, eval);
      });
}

void register_rm_score(CLI::App& rm) {
  struct Options {
    std::string model, tokenizer, input, output, separator, device = "auto";
    RewardKind kind = RewardKind::outcome;
    int batch = 16, threads = 0;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = rm.add_subcommand("score", "score solutions with a reward model (adds score / step_scores to each line)");
  cmd->add_option("-m,--model", o->model, "reward model directory, checkpoint or run directory")->required();
  cmd->add_option("--tokenizer", o->tokenizer, "tokenizer.json (default: the model directory's)");
  cmd->add_option("-i,--input", o->input, "JSONL: {question, solution} (outcome) or {question, steps} (process)")->required();
  cmd->add_option("-o,--output", o->output, "JSONL output")->required();
  auto* kind = cmd->add_option("--kind", o->kind, "outcome or process (default: what the model was trained as, else outcome)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, RewardKind>{{"outcome", RewardKind::outcome}, {"process", RewardKind::process}}));
  cmd->add_option("--step-separator", o->separator, "text between steps (process; default: the model's own, else \"\\n\")");
  cmd->add_option("--batch", o->batch, "solutions per forward pass")->capture_default_str();
  cmd->add_option("--device", o->device, "auto | cpu | cuda")->capture_default_str();
  cmd->add_option("--threads", o->threads, "CPU threads (0: all cores)");
  cmd->callback([o, kind] {
    auto backend = create_backend({o->device, o->threads, -1});
    ModelBundle m = load_model_bundle(o->model, *backend, o->tokenizer, /*require_tokenizer=*/true);
    const RewardModelFormat format =
        reward_model_format(resolve_model_dir(o->model), kind->count() > 0 ? std::optional(o->kind) : std::nullopt, o->separator,
                            "--kind / --step-separator");
    o->kind = format.kind;
    RewardScorer scorer(*m.model, *m.tokenizer, format.kind, format.step_separator, o->batch);
    std::vector<Json> records;
    std::vector<std::string> questions;
    std::vector<std::vector<std::string>> steps;
    LineReader reader(o->input);
    std::string line;
    while (reader.next(line)) {
      if (trim(line).empty()) continue;
      Json j = parse_json_object(line, reader.where());
      auto q = string_field(j, "question");
      if (!q) fail("{}: missing string \"question\"", reader.where());
      std::vector<std::string> s;
      if (o->kind == RewardKind::outcome) {
        auto sol = string_field(j, "solution");
        if (!sol) fail("{}: missing string \"solution\"", reader.where());
        s = {*sol};
      } else {
        if (!j.contains("steps") || !j["steps"].is_array()) fail("{}: missing list \"steps\"", reader.where());
        for (const auto& x : j["steps"]) {
          if (!x.is_string()) fail("{}: \"steps\" must hold strings", reader.where());
          s.push_back(x.get<std::string>());
        }
      }
      records.push_back(std::move(j));
      questions.push_back(*q);
      steps.push_back(std::move(s));
    }
    const auto scores = scorer.score(questions, steps);
    JsonlWriter writer(o->output);
    double sum = 0;
    for (size_t i = 0; i < records.size(); ++i) {
      Json& j = records[i];
      if (o->kind == RewardKind::outcome) {
        j["score"] = scores[i][0];
      } else {
        j["step_scores"] = scores[i];
        // a solution is as good as its weakest step (Lightman et al. 2023's aggregation)
        j["score"] = *std::min_element(scores[i].begin(), scores[i].end());
      }
      sum += j["score"].get<double>();
      writer.write(j);
    }
    writer.commit();
    std::cout << fmt::format("rm score: {} solutions, mean score {:.4f} -> {}\n", records.size(),
                             records.empty() ? 0.0 : sum / static_cast<double>(records.size()), o->output);
  });
}

void register_rm_label(CLI::App& rm) {
  struct Options {
    std::string model, tokenizer, input, output, separator = "\n", device = "auto";
    rl::RlDataConfig data;
    int solutions = 4, completions = 8, batch = 64, threads = 0;
    size_t limit = 0;
    SamplingConfig sampling{.temperature = 1.0, .max_new_tokens = 256};
  };
  auto o = std::make_shared<Options>();
  auto* cmd = rm.add_subcommand(
      "label", "Math-Shepherd step labels: sample solutions, complete each from every step, label the step by whether a "
               "completion reaches the reference answer (output: process records for `dsmath rm train`, data.kind: process)");
  cmd->add_option("-m,--model", o->model, "the model that samples solutions and completions (usually the SFT model)")->required();
  cmd->add_option("--tokenizer", o->tokenizer, "tokenizer.json (default: the model directory's)");
  cmd->add_option("-i,--input", o->input, "JSONL questions with reference answers ({question, answer}, as for dsmath grpo)")->required();
  cmd->add_option("-o,--output", o->output, "JSONL output: {question, answer, solution, steps, labels, correct_share}")->required();
  cmd->add_option("--solutions", o->solutions, "solutions sampled per question")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--completions", o->completions, "N: completions sampled from each step (Math-Shepherd's N)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--step-separator", o->separator, "text between steps (train the PRM with the same data.step_separator)")
      ->capture_default_str();
  cmd->add_option("--answer-style", o->data.answer_style, "gsm8k (numbers) or math (LaTeX)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, eval::AnswerStyle>{{"gsm8k", eval::AnswerStyle::gsm8k},
                                                                                  {"math", eval::AnswerStyle::math}}));
  cmd->add_option("--prompt-suffix", o->data.prompt_suffix, "instruction appended to each question (as data.prompt_suffix of dsmath grpo)");
  cmd->add_option("--temperature", o->sampling.temperature, "sampling temperature")->capture_default_str();
  cmd->add_option("--max-new-tokens", o->sampling.max_new_tokens, "tokens per solution (a completion stops at the same length)")
      ->capture_default_str();
  cmd->add_option("--seed", o->sampling.seed, "sampling seed")->capture_default_str();
  cmd->add_option("--limit", o->limit, "label only the first N questions (0: all)");
  cmd->add_option("--batch", o->batch, "sequences decoded together")->capture_default_str();
  cmd->add_option("--device", o->device, "auto | cpu | cuda")->capture_default_str();
  cmd->add_option("--threads", o->threads, "CPU threads (0: all cores)");
  cmd->callback([o] {
    auto backend = create_backend({o->device, o->threads, -1});
    ModelBundle m = load_model_bundle(o->model, *backend, o->tokenizer, /*require_tokenizer=*/true);
    const Tokenizer& tok = *m.tokenizer;
    o->data.train = {o->input};
    auto questions = rl::load_rl_questions(o->data);
    if (o->limit > 0 && questions.size() > o->limit) questions.resize(o->limit);
    const ChatFormat chat = ChatFormat::for_tokenizer(tok);
    const int context = m.model->config().max_seq_len;
    const rl::PromptedQuestions pq = rl::prompt_questions(std::move(questions), tok, chat, o->data.prompt_suffix, context);
    std::vector<int32_t> eos;
    if (tok.eos_id()) eos.push_back(static_cast<int32_t>(*tok.eos_id()));
    GenerationEngine engine(*m.model, o->batch, std::min<int>(context, static_cast<int>(pq.longest_prompt) + o->sampling.max_new_tokens));
    const auto labelled = rl::sample_and_label_steps(engine, tok, pq, o->solutions, o->completions, o->separator,
                                                     o->data.answer_style, o->sampling, eos);
    JsonlWriter writer(o->output);
    size_t steps = 0, good = 0, right = 0, written = 0;
    for (const auto& l : labelled) {
      if (l.steps.steps.empty()) continue;  // an empty solution has no step to label
      const auto& q = pq.questions[l.question];
      writer.write(Json{{"question", q.question}, {"answer", q.gold}, {"solution", l.solution}, {"steps", l.steps.steps},
                        {"labels", l.steps.labels}, {"correct_share", l.steps.correct_share}});
      ++written;
      steps += l.steps.labels.size();
      for (int v : l.steps.labels) good += v;
      right += l.steps.labels.back();
    }
    writer.commit();
    std::cout << fmt::format("rm label: {} solutions of {} questions ({} right), {} steps, {:.1f}% labelled good -> {}\n", written,
                             pq.questions.size(), right, steps, steps ? 100.0 * static_cast<double>(good) / static_cast<double>(steps) : 0.0,
                             o->output);
  });
}
}  // namespace

void register_rm_command(CLI::App& app) {
  auto* rm = app.add_subcommand("rm", "reward models: train on labelled solutions, score solutions, label steps (Math-Shepherd)");
  rm->require_subcommand(1);
  register_rm_train(*rm);
  register_rm_score(*rm);
  register_rm_label(*rm);
}

}  // namespace dsmath::app
