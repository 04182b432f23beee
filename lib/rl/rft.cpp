#include "rl/rft_config.hpp"

#include "backend/create.hpp"
#include "core/error.hpp"
#include "core/files.hpp"
#include "core/log.hpp"
#include "dist/launch.hpp"
#include "infer/stop_strings.hpp"
#include "rl/offline_samples.hpp"
#include "tokenizer/chat_template.hpp"
#include "train/model_setup.hpp"
#include "train/sft.hpp"

namespace dsmath::rl {

namespace fs = std::filesystem;

RftSummary run_rft(const RftConfig& cfg, const RunOptions& run) {
  RftSummary summary;
  const fs::path data_file = run.run_dir / "rft.jsonl";
  if (!(run.resume && fs::exists(data_file))) {
    // the data source: the initial model's own samples, kept when the rule grader accepts them
    auto backend = create_backend({cfg.runtime.device, cfg.runtime.threads, -1});
    auto comm = create_communicator(cfg.dist, run.run_dir / ".heartbeat", backend.get());
    if (comm->world_size() > 1)
      fail_hint("run dsmath rft on one process (the fine-tuning can then run data-parallel with dsmath sft on rft.jsonl)",
                "dsmath rft samples on a single rank; {} ranks were started", comm->world_size());
    const std::string tokenizer_path = resolve_tokenizer_path(cfg.tokenizer, cfg.init, "RFT renders its prompts with it");
    const Tokenizer tokenizer = Tokenizer::load(tokenizer_path);
    const ModelConfig model_config = resolve_model_config(cfg.model, cfg.init);
    check_tokenizer_fits(tokenizer, model_config.vocab_size, cfg.init.from);
    Transformer model(model_config, *backend, TransformerOptions{false});
    initialize_weights(model, cfg.init);
    const PromptedQuestions pq = prompt_questions(load_rl_questions(cfg.data), tokenizer, ChatFormat::for_tokenizer(tokenizer),
                                                  cfg.data.prompt_suffix, model_config.max_seq_len);
    const GradedOutputs g = sample_and_grade(model, *backend, *comm, tokenizer, pq, cfg.samples, cfg.data.answer_style);
    std::string text;
    for (size_t q = 0; q < g.right.size(); ++q)
      for (const auto& tokens : g.right[q]) {
        text += Json{{"prompt", pq.questions[q].question + cfg.data.prompt_suffix},
                     {"response", completion_text(tokenizer, tokens, {})}}
                    .dump() +
                "\n";
        ++summary.kept;
      }
    summary.sampled = g.sampled;
    if (summary.kept == 0)
      fail_hint("sample more outputs per question (samples.samples_per_question) or start from a stronger SFT model",
                "RFT: none of the {} outputs sampled from {} is correct", g.sampled, cfg.init.from);
    make_directories(run.run_dir);
    write_file_atomic(data_file, text);
    log::info("RFT: kept {} distinct correct outputs of {} sampled ({} questions)", summary.kept, g.sampled, pq.questions.size());
  }
  // the fine-tuning: SFT of the initial model on the kept outputs
  SftConfig sft;
  sft.stage = "sft";
  sft.run_name = cfg.run_name;
  sft.model = cfg.model;
  sft.init = cfg.init;
  sft.data.train = {data_file.string()};
  sft.data.seq_len = cfg.seq_len;
  sft.optim = cfg.optim;
  sft.train = cfg.train;
  sft.checkpoint = cfg.checkpoint;
  sft.runtime = cfg.runtime;
  sft.dist = cfg.dist;
  sft.tokenizer = cfg.tokenizer;
  summary.sft = run_sft(sft, run);
  return summary;
}

}  // namespace dsmath::rl
