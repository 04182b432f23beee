#pragma once
// Tool-integrated reasoning (DeepSeekMath section 5.1.2; DeepSeek-Math's
// run_tool_integrated_eval.py): generation stops at "```output", the ```python blocks written
// so far run in the sandbox, their stdout (or the error) is appended as the tool's turn
//   \n```output\n<result>\n```\n
// and generation continues, for up to config.max_rounds generation calls per completion.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "eval/program_config.hpp"
#include "infer/generation_engine.hpp"
#include "sandbox/sandbox_result.hpp"
#include "tokenizer/tokenizer.hpp"

namespace dsmath::eval {

// The stop string that hands the turn to the tool.
inline constexpr std::string_view kToolOutputFence = "```output";

// The program of the text so far, as DeepSeek's extract_code builds it: "" unless the text
// ends with a closing ```; every ```python block, earlier ones without their print lines
// (except indented, import and def lines), the last one whole.
std::string tool_program(std::string_view text);

// The tool's turn for one run: its stdout (stripped; longer than 100 characters: the first
// and last 50 around "..."), or "Runtime errors: " and the error's last line (same cut).
std::string tool_turn(const sandbox::SandboxResult& run);

// One generation call: the engine's generate() with the sampling and EOS ids bound (a seam
// for tests, which script the model's side).
using GenerateFn = std::function<std::vector<Generation>(std::span<const GenerationRequest>, const StopCheck&)>;

// One completion with its tool turns: the model's text and the tool's, as the answer extraction
// reads it; how its last generation call ended; the tokens the model generated over all rounds
// (the tool's turns not counted); the programs it ran.
struct ToolCompletion {
  std::string text;
  FinishReason finish = FinishReason::eos;
  int64_t generated_tokens = 0;
  int programs_run = 0;
};

// Generates one completion per prompt text with tool calls in between. `stops` are the
// prompt format's stop strings (a tool call is recognized beside them); every round re-encodes
// prompt + text so far, with the tokenizer's special tokens when `add_special_tokens` (as the
// prompt format asks for its first round).
std::vector<ToolCompletion> generate_with_tools(const GenerateFn& generate, const Tokenizer& tokenizer,
                                                const std::vector<std::string>& prompts,
                                                const std::vector<std::string>& stops, const ProgramConfig& config,
                                                bool add_special_tokens = true);

}  // namespace dsmath::eval
