// dsmath generate: sample completions from a model for prompts given on the command line or
// in a JSONL file.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "backend/create.hpp"
#include "commands.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "core/strings.hpp"
#include "core/timer.hpp"
#include "data/jsonl.hpp"
#include "infer/generation_engine.hpp"
#include "infer/model_bundle.hpp"
#include "infer/stop_strings.hpp"
#include "tokenizer/chat_template.hpp"

namespace dsmath::app {

namespace {
struct GenerateOptions {
  std::string model, tokenizer, input, field = "prompt", output, device = "auto";
  std::vector<std::string> prompts, stops;
  bool chat = false, with_logprobs = false;
  int samples = 1, batch = 16, threads = 0;
  SamplingConfig sampling;
};

void run_generate(const GenerateOptions& o) {
  if (o.prompts.empty() == o.input.empty())
    fail_hint("give prompts with --prompt TEXT (repeatable) or a JSONL file with --input FILE", "generate: no prompts (or both --prompt and --input)");
  auto backend = create_backend({o.device, o.threads, -1});
  ModelBundle m = load_model_bundle(o.model, *backend, o.tokenizer, /*require_tokenizer=*/true);
  const Tokenizer& tok = *m.tokenizer;

  std::vector<std::string> texts = o.prompts;
  if (!o.input.empty()) {
    LineReader reader(o.input);
    std::string line;
    while (reader.next(line)) {
      if (trim(line).empty()) continue;
      const Json j = parse_json_object(line, reader.where());
      auto text = string_field(j, o.field);
      if (!text) fail_hint("set --field to the key holding the prompt", "{}: no string field '{}'", reader.where(), o.field);
      texts.push_back(*text);
    }
  }
  const ChatFormat chat = ChatFormat::for_tokenizer(tok);
  std::vector<GenerationRequest> requests;
  for (const auto& t : texts) {
    // chat: "<bos>User: {t}\n\nAssistant:" (BOS is in the text); plain: the tokenizer's own BOS
    const std::string prompt = o.chat ? chat.prompt(t) : t;
    const auto ids = tok.encode(prompt, /*add_special_tokens=*/!o.chat);
    for (int s = 0; s < o.samples; ++s) requests.push_back({std::vector<int32_t>(ids.begin(), ids.end())});
  }
  std::vector<int32_t> eos;
  if (tok.eos_id()) eos.push_back(static_cast<int32_t>(*tok.eos_id()));
  GenerationEngine engine(*m.model, o.batch);
  Progress progress("generate", requests.size(), "sequences");
  Stopwatch clock;
  size_t total_tokens = 0;
  auto gens = engine.generate(requests, o.sampling, eos, stop_strings_check(tok, o.stops), [&](size_t done, size_t tokens) {
    total_tokens = tokens;
    progress.update(done);
  });
  progress.finish();

  std::unique_ptr<JsonlWriter> writer;
  if (!o.output.empty()) writer = std::make_unique<JsonlWriter>(o.output);
  for (size_t i = 0; i < gens.size(); ++i) {
    const std::string completion = completion_text(tok, gens[i].tokens, o.stops);
    if (writer) {
      Json j{{"prompt", texts[i / static_cast<size_t>(o.samples)]},
             {"sample", i % static_cast<size_t>(o.samples)},
             {"completion", completion},
             {"finish_reason", finish_reason_name(gens[i].finish)},
             {"n_tokens", gens[i].tokens.size()}};
      if (o.with_logprobs) {
        j["token_ids"] = gens[i].tokens;
        j["logprobs"] = gens[i].logprobs;
      }
      writer->write(j);
    } else {
      std::cout << completion << "\n";
      if (gens.size() > 1) std::cout << "----\n";
    }
  }
  if (writer) writer->commit();
  const double secs = clock.seconds();
  log::info("generate: {} completions, {} tokens in {:.1f} s ({} tokens/s){}", gens.size(), total_tokens, secs,
            human_count(static_cast<double>(total_tokens) / secs), writer ? ", written to " + o.output : "");
}
}  // namespace

void register_generate_command(CLI::App& app) {
  auto o = std::make_shared<GenerateOptions>();
  auto* cmd = app.add_subcommand("generate", "sample completions from a model (prompts from --prompt or a JSONL file)");
  cmd->add_option("-m,--model", o->model, "model directory, checkpoint or run directory")->required();
  cmd->add_option("--tokenizer", o->tokenizer, "tokenizer.json (default: the model directory's)");
  cmd->add_option("-p,--prompt", o->prompts, "prompt text (repeatable)");
  cmd->add_option("-i,--input", o->input, "JSONL file of prompts");
  cmd->add_option("--field", o->field, "JSONL key holding the prompt")->capture_default_str();
  cmd->add_option("-o,--output", o->output, "write JSONL results here (default: print completions)");
  cmd->add_flag("--chat", o->chat, "wrap each prompt in the chat template (User: ...\\n\\nAssistant:)");
  cmd->add_option("-n,--samples", o->samples, "completions per prompt")->capture_default_str();
  cmd->add_option("--temperature", o->sampling.temperature, "0 = greedy")->capture_default_str();
  cmd->add_option("--top-p", o->sampling.top_p, "nucleus mass")->capture_default_str();
  cmd->add_option("--top-k", o->sampling.top_k, "0 = no limit")->capture_default_str();
  cmd->add_option("--max-new-tokens", o->sampling.max_new_tokens, "tokens per completion")->capture_default_str();
  cmd->add_option("--seed", o->sampling.seed, "sampling seed")->capture_default_str();
  cmd->add_option("--stop", o->stops, "stop string (repeatable)");
  cmd->add_option("--batch", o->batch, "sequences decoded together (0: as many as fit in 80% of free memory)")->capture_default_str();
  cmd->add_flag("--logprobs", o->with_logprobs, "include token ids and their log-probabilities in the JSONL");
  cmd->add_option("--device", o->device, "auto | cpu | cuda")->capture_default_str();
  cmd->add_option("--threads", o->threads, "CPU threads (0: all cores)");
  cmd->callback([o] { run_generate(*o); });
}

}  // namespace dsmath::app
