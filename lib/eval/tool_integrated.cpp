#include "eval/tool_integrated.hpp"

#include <algorithm>
#include <optional>

#include "core/log.hpp"
#include "core/strings.hpp"
#include "eval/program_answer.hpp"
#include "infer/stop_strings.hpp"
#include "sandbox/sandbox_pool.hpp"

namespace dsmath::eval {

namespace {

std::vector<std::string> split_on(std::string_view text, std::string_view sep) {
  std::vector<std::string> parts;
  size_t pos = 0;
  for (size_t at; (at = text.find(sep, pos)) != std::string_view::npos; pos = at + sep.size())
    parts.emplace_back(text.substr(pos, at - pos));
  parts.emplace_back(text.substr(pos));
  return parts;
}

// DeepSeek keeps long tool results short: the first and the last 50 characters.
std::string shorten(std::string s) {
  if (s.size() > 100) s = s.substr(0, 50) + "..." + s.substr(s.size() - 50);
  return s;
}

}  // namespace

std::string tool_program(std::string_view text) {
  if (!trim(text).ends_with("```")) return "";
  std::string padded(text);
  if (padded.starts_with("```python")) padded = "hey\n" + padded;  // so that the first piece is not a block
  std::vector<std::string> blocks;
  for (const auto& piece : split_on(padded, "```python")) {
    if (piece.find("```") == std::string::npos) continue;  // text before the first block
    std::string block(trim(std::string_view(piece).substr(0, piece.find("```"))));
    if (!block.empty()) blocks.push_back(std::move(block));
  }
  if (blocks.empty()) return "";
  std::string code;
  for (size_t b = 0; b + 1 < blocks.size(); ++b)
    for (const auto& line : split(blocks[b], '\n'))
      // earlier blocks run again for their definitions, not to print their output twice
      if (line.starts_with("    ") || line.starts_with("import") || line.starts_with("def ") ||
          line.find("print(") == std::string::npos)
        code += line + "\n";
  code += blocks.back();
  return std::string(trim(code));
}

std::string tool_turn(const sandbox::SandboxResult& run) {
  std::string result = shorten(std::string(trim(run.stdout_text)));
  if (result.empty() || !run.ok()) {
    std::string error;
    if (run.reason == sandbox::StopReason::timeout) {
      error = "Timeout Error";  // what DeepSeek's executor reports for its 10 s timeout
    } else {
      const std::string_view err = trim(run.stderr_text);
      const size_t nl = err.rfind('\n');
      error = std::string(nl == std::string_view::npos ? err : err.substr(nl + 1));
      if (error.empty()) error = run.describe();
    }
    if (!run.ok()) result = "Runtime errors: " + shorten(error);
  }
  return "\n```output\n" + std::string(trim(result)) + "\n```\n";
}

std::vector<ToolCompletion> generate_with_tools(const GenerateFn& generate, const Tokenizer& tokenizer,
                                                const std::vector<std::string>& prompts,
                                                const std::vector<std::string>& stops, const ProgramConfig& config,
                                                bool add_special_tokens) {
  std::vector<ToolCompletion> out(prompts.size());
  std::vector<size_t> active(prompts.size());
  for (size_t i = 0; i < active.size(); ++i) active[i] = i;
  std::optional<sandbox::Sandbox> sb;
  const StopCheck format_stop = stop_strings_check(tokenizer, stops);
  const StopCheck tool_stop = stop_strings_check(tokenizer, {std::string(kToolOutputFence)});
  std::vector<std::string> all_stops = stops;
  all_stops.emplace_back(kToolOutputFence);
  size_t executed = 0;

  for (int round = 0; round < config.max_rounds && !active.empty(); ++round) {
    std::vector<GenerationRequest> requests;
    for (size_t i : active) {
      // the whole text so far is the next prompt, re-encoded as DeepSeek re-sends it
      const auto ids = tokenizer.encode(prompts[i] + out[i].text, add_special_tokens);
      requests.push_back({std::vector<int32_t>(ids.begin(), ids.end())});
    }
    std::vector<char> called_tool(requests.size(), 0);
    const StopCheck check = [&](size_t r, std::span<const int32_t> g) -> int {
      const int f = format_stop ? format_stop(r, g) : -1;
      const int t = tool_stop(r, g);
      if (t >= 0 && (f < 0 || t <= f)) {
        called_tool[r] = 1;
        return t;
      }
      return f;
    };
    const auto gens = generate(requests, check);
    std::vector<size_t> calling;
    std::vector<std::string> programs;
    for (size_t r = 0; r < gens.size(); ++r) {
      const size_t i = active[r];
      std::string piece = completion_text(tokenizer, gens[r].tokens, all_stops);
      piece.erase(piece.find_last_not_of(" \t\r\n") + 1);  // DeepSeek: output.rstrip()
      out[i].text += piece;
      out[i].finish = gens[r].finish;
      out[i].generated_tokens += static_cast<int64_t>(gens[r].tokens.size());
      if (gens[r].finish != FinishReason::stop || !called_tool[r]) continue;  // EOS, a format stop or the budget
      std::string code = tool_program(out[i].text);
      if (code.empty()) continue;
      calling.push_back(i);
      programs.push_back(neutralize_comments(code));
    }
    if (!programs.empty()) {
      if (!sb) {
        sb.emplace(config.sandbox);
        sb->check_python_packages();
      }
      const auto runs = sandbox::run_programs(*sb, programs);
      for (size_t k = 0; k < runs.size(); ++k) {
        out[calling[k]].text += tool_turn(runs[k]);
        ++out[calling[k]].programs_run;
      }
      executed += runs.size();
    }
    active = std::move(calling);  // only those that handed the turn to the tool continue
    log::info("tool-integrated: round {}: {} programs run, {} completions continue", round + 1, programs.size(),
              active.size());
  }
  log::info("tool-integrated: {} completions, {} programs run", prompts.size(), executed);
  return out;
}

}  // namespace dsmath::eval
