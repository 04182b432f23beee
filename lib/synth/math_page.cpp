// Math pages: what the classifier should find and what pretraining learns arithmetic from.
#include <array>

#include <fmt/format.h>

#include "synth/page_text.hpp"
#include "synth/text_template.hpp"
#include "synth/word_lists.hpp"

namespace dsmath::synth {

namespace {

constexpr std::array<std::string_view, 8> kSkills{"addition",       "subtraction",      "multiplication",
                                                  "division",       "money",            "two steps",
                                                  "three steps",    "equal groups"};
constexpr std::array<SlotList, 1> kMathSlots{{{"skill", kSkills}}};

constexpr std::array<std::string_view, 8> kWorkedTitles{
    "Solved word problems, set {#1-99}",
    "Practice word problems with step by step solutions",
    "Math homework help: word problems with {skill}",
    "Grade {#2-5} math: word problems and answers",
    "Arithmetic word problems explained",
    "Worksheet {#1-60}: multi-step word problems",
    "Word problems about {skill} with worked answers",
    "Math practice {#1-40}: read, plan, solve, check"};

constexpr std::array<std::string_view, 8> kWorkedIntros{
    "Each problem below is solved step by step. Read the question, find the numbers, and write one equation for "
    "each step.",
    "These practice problems use addition, subtraction, multiplication and division. Check every step before you "
    "move on.",
    "Try each problem on your own first, then compare your work with the solution.",
    "A good way to solve a word problem is to ask what you know, what you need, and which operation connects them.",
    "Remember that the answer of one step is often the starting number of the next step.",
    "Write the units next to every number so that you know what each result means.",
    "In every solution we write the equation first and the result after the equals sign.",
    "Word problems hide simple arithmetic inside a short story. Find the numbers and the question first."};

constexpr std::array<std::string_view, 6> kWorkedClosings{
    "Want more practice? The next worksheet has {#4-9} more problems.",
    "If you got a different answer, go back and check each equation.",
    "Tip: estimate the answer first, then see if your result is close.",
    "Teachers may print this page for class. Answers are included.",
    "Next lesson: word problems with {skill}.",
    "Keep practicing: a few problems a day builds strong math skills."};

struct OperationLesson {
  std::string_view name;
  Op op;
  std::array<std::string_view, 3> titles;
  std::string_view explanation;  // {a} {b} {c}: a op b = c, filled in by the lesson
};

const std::array<OperationLesson, 4> kLessons{{
    {"addition",
     Op::add,
     {"How to add numbers in word problems", "Addition: putting groups together", "Adding step by step"},
     "Addition puts two groups together. To find {a} + {b}, start at {a} and count on {b} more to reach {c}."},
    {"subtraction",
     Op::subtract,
     {"How to subtract in word problems", "Subtraction: taking away", "Finding what is left"},
     "Subtraction takes a part away from a whole. If you have {a} and {b} are taken away, {a} - {b} = {c} are left."},
    {"multiplication",
     Op::multiply,
     {"How to multiply in word problems", "Multiplication: equal groups", "Times tables in stories"},
     "Multiplication counts equal groups. {a} groups of {b} make {a} * {b} = {c} in all."},
    {"division",
     Op::divide,
     {"How to divide in word problems", "Division: sharing equally", "Equal groups and division"},
     "Division shares a number into equal groups. {a} shared into {b} equal groups gives {a} / {b} = {c} in each "
     "group."},
}};

// A true fact a op b = c with numbers of the size the problems use.
ArithmeticStep random_fact(Rng& rng, Op op, const ProblemLimits& l) {
  const int64_t big = static_cast<int64_t>(l.max_number) * l.max_factor;
  switch (op) {
    case Op::add: {
      const int64_t a = uniform_int(rng, 1, big), b = uniform_int(rng, 1, l.max_number);
      return {a, op, b, a + b};
    }
    case Op::subtract: {
      const int64_t a = uniform_int(rng, 2, big), b = uniform_int(rng, 1, std::min<int64_t>(a - 1, l.max_number));
      return {a, op, b, a - b};
    }
    case Op::multiply: {
      const int64_t a = uniform_int(rng, 2, l.max_number), b = uniform_int(rng, 2, l.max_factor);
      return {a, op, b, a * b};
    }
    case Op::divide: {
      const int64_t q = uniform_int(rng, 1, l.max_number), d = uniform_int(rng, 2, l.max_factor);
      return {q * d, op, d, q};
    }
  }
  return {};
}

std::string fill_fact(std::string_view text, const ArithmeticStep& f) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{' && i + 2 < text.size() && text[i + 2] == '}') {
      const char k = text[i + 1];
      out += std::to_string(k == 'a' ? f.left : k == 'b' ? f.right : f.result);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string qa_block(const WordProblem& p) {
  return fmt::format("Q: {}\nA: {}", p.question, worked_solution(p, qa_final_line(p.answer)));
}

PageText worked_problems_page(Rng& rng, ProblemSource& problems) {
  PageText page;
  page.title = fill_template(rng, kWorkedTitles[rng.below(kWorkedTitles.size())], kMathSlots);
  std::string body = fill_template(rng, kWorkedIntros[rng.below(kWorkedIntros.size())], kMathSlots);
  const bool numbered = rng.below(4) == 0;  // "Problem 1." / "Solution." instead of Q/A
  const int count = static_cast<int>(uniform_int(rng, 3, 5));
  for (int i = 0; i < count; ++i) {
    const WordProblem p = problems.training(rng);
    body += "\n\n";
    body += numbered ? fmt::format("Problem {}. {}\nSolution. {}", i + 1, p.question,
                                   worked_solution(p, qa_final_line(p.answer)))
                     : qa_block(p);
  }
  if (rng.below(2) == 0) body += "\n\n" + fill_template(rng, kWorkedClosings[rng.below(kWorkedClosings.size())], kMathSlots);
  page.text = page.title + "\n\n" + body;
  return page;
}

PageText lesson_page(Rng& rng, ProblemSource& problems) {
  const OperationLesson& lesson = kLessons[rng.below(kLessons.size())];
  const ProblemLimits& l = problems.limits();
  PageText page;
  page.title = std::string(lesson.titles[rng.below(lesson.titles.size())]);
  std::string body = fill_fact(lesson.explanation, random_fact(rng, lesson.op, l));
  body += " For example:";
  const int examples = static_cast<int>(uniform_int(rng, 3, 6));
  for (int i = 0; i < examples; ++i) {
    body += i > 0 ? ", " : " ";
    body += random_fact(rng, lesson.op, l).text();
  }
  body += ".";
  body += fmt::format("\n\nNow let us use {} in word problems.", lesson.name);
  const int count = static_cast<int>(uniform_int(rng, 1, 2));
  for (int i = 0; i < count; ++i) {
    body += "\n\n";
    body += qa_block(problems.training(rng));
  }
  page.text = page.title + "\n\n" + body;
  return page;
}

PageText facts_page(Rng& rng, const ProblemLimits& l) {
  constexpr std::array<Op, 4> kOps{Op::add, Op::subtract, Op::multiply, Op::divide};
  const bool mixed = rng.below(3) == 0;
  const OperationLesson& lesson = kLessons[rng.below(kLessons.size())];
  PageText page;
  page.title = mixed ? fmt::format("Mixed arithmetic drill {}", uniform_int(rng, 1, 99))
                     : fmt::format("{} facts: practice sheet {}", lesson.name, uniform_int(rng, 1, 99));
  page.title = capitalized(std::move(page.title));
  std::string body = "Say each fact out loud, then cover the answers and test yourself.";
  const int count = static_cast<int>(uniform_int(rng, 12, 20));
  for (int i = 0; i < count; ++i) {
    body += '\n';
    body += random_fact(rng, mixed ? kOps[rng.below(kOps.size())] : lesson.op, l).text();
  }
  page.text = page.title + "\n\n" + body;
  return page;
}

}  // namespace

PageText math_page(Rng& rng, ProblemSource& problems) {
  const uint64_t kind = rng.below(20);  // 55% worked problems, 20% lessons, 25% facts
  if (kind < 11) return worked_problems_page(rng, problems);
  if (kind < 15) return lesson_page(rng, problems);
  return facts_page(rng, problems.limits());
}

}  // namespace dsmath::synth
