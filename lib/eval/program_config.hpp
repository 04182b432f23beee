#pragma once
// How model-written programs take part in an evaluation (EvalConfig::program): not at all
// (chain-of-thought), program-of-thought (DeepSeek-Math's run_pal_eval.py: the completion is
// a program, its value is the answer), or tool-integrated reasoning (run_tool_integrated_eval.py:
// generation stops at each code block, the block runs, its output joins the text).
#include "config/schema.hpp"
#include "sandbox/sandbox_config.hpp"

namespace dsmath::eval {

enum class ProgramMode {
  none,             // grade the completion's text
  solution_call,    // PAL GSM8K: the completion defines solution(); grade str(solution())
  answer_variable,  // PAL MATH: a program block and an imports block; grade str(answer)
  printed,          // grade what the program prints (its stdout, stripped)
  tool,             // tool-integrated: run each ```python block, append its output, continue
};

struct ProgramConfig {
  ProgramMode mode = ProgramMode::none;
  int max_rounds = 2;  // tool: generation calls per problem (DeepSeek's n_iters = 2)
  sandbox::SandboxConfig sandbox;

  template <class V>
  void visit(V& v) {
    using config::Check;
    v("mode", mode,
      "none (grade the text), solution_call (PAL GSM8K), answer_variable (PAL MATH), printed (the program's "
      "stdout), tool (tool-integrated reasoning)");
    v("max_rounds", max_rounds, "tool: generation rounds per problem, each possibly ending in a code block that runs",
      Check().at_least(1));
    v("sandbox", sandbox, "the sandbox model-written programs run in (docs/eval.md)");
  }
};

}  // namespace dsmath::eval

namespace dsmath::config {
template <>
struct EnumNames<eval::ProgramMode> {
  static constexpr std::array<std::pair<eval::ProgramMode, std::string_view>, 5> values{{
      {eval::ProgramMode::none, "none"},
      {eval::ProgramMode::solution_call, "solution_call"},
      {eval::ProgramMode::answer_variable, "answer_variable"},
      {eval::ProgramMode::printed, "printed"},
      {eval::ProgramMode::tool, "tool"},
  }};
};
}  // namespace dsmath::config
