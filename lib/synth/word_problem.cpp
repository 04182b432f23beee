#include "synth/word_problem.hpp"

#include <algorithm>
#include <array>
#include <functional>

#include <fmt/format.h>

#include "core/error.hpp"
#include "synth/word_lists.hpp"

namespace dsmath::synth {

char op_symbol(Op op) {
  switch (op) {
    case Op::add: return '+';
    case Op::subtract: return '-';
    case Op::multiply: return '*';
    case Op::divide: return '/';
  }
  return '?';
}

std::string ArithmeticStep::text() const { return fmt::format("{} {} {} = {}", left, op_symbol(op), right, result); }

void ProblemLimits::validate() const {
  if (min_steps < 1 || max_steps > 3 || min_steps > max_steps)
    fail_hint("use 1 <= --min-steps <= --max-steps <= 3", "problem steps: min {} and max {} are out of range",
              min_steps, max_steps);
  if (max_number < 5)
    fail_hint("use --max-number 5 or more", "problem numbers: max_number {} leaves too few problems", max_number);
  if (max_factor < 2)
    fail_hint("use --max-factor 2 or more", "problem numbers: max_factor {} allows no multiplication", max_factor);
  if (max_answer < 2 * max_number)
    fail_hint("use --max-answer at least twice --max-number", "problem numbers: max_answer {} is below 2 * max_number ({})",
              max_answer, 2 * max_number);
}

namespace {

// A problem being written: question sentences, solution sentences, and the steps that the
// solution computes. A step whose result is not a whole number in [1, cap] spoils the story,
// which the caller then draws again.
class Story {
 public:
  Story(const ProblemLimits& limits, std::string_view topic) : limits_(limits) { problem_.topic = topic; }

  int64_t calc(int64_t left, Op op, int64_t right, int64_t cap = 0) {
    if (cap <= 0) cap = limits_.max_answer;
    int64_t result = 0;
    switch (op) {
      case Op::add: result = left + right; break;
      case Op::subtract: result = left - right; break;
      case Op::multiply: result = left * right; break;
      case Op::divide:
        if (right == 0 || left % right != 0) ok_ = false;
        result = right == 0 ? 0 : left / right;
        break;
    }
    if (left < 1 || right < 1 || result < 1 || result > cap) ok_ = false;  // "eats 0 of them" is no step
    problem_.steps.push_back({left, op, right, result});
    return result;
  }
  // text of the last calc: "3 + 5 = 8"
  std::string eq() const { return problem_.steps.back().text(); }

  void ask(std::string sentence) { question_.push_back(std::move(sentence)); }
  void say(std::string sentence) { problem_.solution.push_back(std::move(sentence)); }
  void variant(std::string_view v) {
    if (!variant_.empty()) variant_ += ',';
    variant_ += v;
  }
  bool ok() const { return ok_; }
  const ProblemLimits& limits() const { return limits_; }

  WordProblem finish() {
    DSMATH_CHECK(!problem_.steps.empty() && problem_.steps.size() == problem_.solution.size(),
                 "topic {}: {} steps, {} solution sentences", problem_.topic, problem_.steps.size(),
                 problem_.solution.size());
    problem_.answer = problem_.steps.back().result;
    for (size_t i = 0; i < question_.size(); ++i) {
      if (i > 0) problem_.question += ' ';
      problem_.question += question_[i];
    }
    problem_.signature = problem_.topic + "|" + variant_;
    for (const auto& s : problem_.steps) {
      problem_.signature += '|';
      problem_.signature += s.text();
    }
    return std::move(problem_);
  }

 private:
  const ProblemLimits& limits_;
  WordProblem problem_;
  std::vector<std::string> question_;
  std::string variant_;
  bool ok_ = true;
};

// Numbers a question states: counts and amounts 2..max_number, multipliers 2..max_factor.
int64_t amount(Rng& rng, const ProblemLimits& l) { return uniform_int(rng, 2, l.max_number); }
int64_t factor(Rng& rng, const ProblemLimits& l) { return uniform_int(rng, 2, l.max_factor); }
// A part taken away from `whole`: 1..min(max_number, whole - 1); 0 when whole < 2.
int64_t part_of(Rng& rng, const ProblemLimits& l, int64_t whole) {
  if (whole < 2) return 0;
  return uniform_int(rng, 1, std::min<int64_t>(l.max_number, whole - 1));
}
// A divisor of `value` in 2..max_factor that leaves a quotient of at least 1; 0 when none.
int64_t divisor_of(Rng& rng, const ProblemLimits& l, int64_t value) {
  std::vector<int64_t> divisors;
  for (int64_t d = 2; d <= l.max_factor; ++d)
    if (value >= d && value % d == 0) divisors.push_back(d);
  return divisors.empty() ? 0 : divisors[rng.below(divisors.size())];
}
// Distinct names.
std::array<std::string_view, 3> three_names(Rng& rng) {
  std::array<std::string_view, 3> out{};
  for (size_t i = 0; i < out.size(); ++i) {
    do {
      out[i] = pick(rng, kPersonNames);
    } while (std::find(out.begin(), out.begin() + static_cast<long>(i), out[i]) != out.begin() + static_cast<long>(i));
  }
  return out;
}
bool coin(Rng& rng) { return rng.below(2) == 0; }

// Collecting things: a holder gains and loses objects, someone has "n times as many", or the
// objects go into equal groups.
void collection(Rng& rng, int steps, Story& s) {
  const auto& l = s.limits();
  const auto names = three_names(rng);
  const Noun& obj = pick(rng, kCollectibles);
  std::string_view holder = names[0];
  int64_t v = amount(rng, l);
  s.ask(fmt::format("{} has {} {}.", holder, v, obj.plural));
  std::string final_question;
  for (int i = 0; i < steps; ++i) {
    const bool last = i + 1 == steps;
    const uint64_t kind = rng.below(last ? 4 : 3);
    if (kind == 0 && i == 0) {
      const int64_t f = factor(rng, l);
      v = s.calc(v, Op::multiply, f);
      holder = names[1];
      s.variant("times");
      s.ask(fmt::format("{} has {} times as many {} as {}.", holder, f, obj.plural, names[0]));
      s.say(fmt::format("{} has {} {}.", holder, s.eq(), obj.plural));
    } else if (kind == 3) {
      const int64_t d = divisor_of(rng, l, v);
      v = s.calc(v, Op::divide, d);
      s.variant("groups");
      s.ask(fmt::format("Then {} puts the {} into {} equal groups.", holder, obj.plural, d));
      s.say(fmt::format("Each group has {} {}.", s.eq(), obj.plural));
      final_question = fmt::format("How many {} are in each group?", obj.plural);
    } else if (kind == 1 || v < 2) {
      const int64_t n = amount(rng, l);
      static constexpr std::array<std::string_view, 4> kGain{"finds", "buys", "gets", "wins"};
      const std::string_view verb = kGain[rng.below(kGain.size())];
      v = s.calc(v, Op::add, n);
      s.variant("more");
      s.ask(fmt::format("Then {} {} {} more {}.", holder, verb, n, obj.plural));
      s.say(fmt::format("{} {} {} more, so {} has {} {}.", holder, verb, n, holder, s.eq(), obj.plural));
    } else {
      const int64_t n = part_of(rng, l, v);
      const std::string_view other = holder == names[2] ? names[0] : names[2];
      v = s.calc(v, Op::subtract, n);
      s.variant("fewer");
      if (coin(rng)) {
        s.ask(fmt::format("Then {} gives {} {} to {}.", holder, n, obj.plural, other));
        s.say(fmt::format("{} gives away {}, so {} has {} {}.", holder, n, holder, s.eq(), obj.plural));
      } else {
        s.ask(fmt::format("Then {} loses {} {}.", holder, n, obj.plural));
        s.say(fmt::format("{} loses {}, so {} has {} {}.", holder, n, holder, s.eq(), obj.plural));
      }
    }
  }
  if (final_question.empty()) final_question = fmt::format("How many {} does {} have now?", obj.plural, holder);
  s.ask(final_question);
}

// The smallest bill above `total` (sometimes the next one up), for "how much change".
int64_t bill_above(Rng& rng, int64_t total) {
  static constexpr std::array<int64_t, 7> kBills{10, 20, 50, 100, 200, 500, 1000};
  for (size_t i = 0; i < kBills.size(); ++i) {
    if (kBills[i] > total) return kBills[std::min(kBills.size() - 1, i + (rng.below(3) == 0 ? 1 : 0))];
  }
  return kBills.back();
}

// Shopping: n items at a price, another item, change from a bill; or money minus a price.
void shopping(Rng& rng, int steps, Story& s) {
  const auto& l = s.limits();
  const auto names = three_names(rng);
  const std::string_view who = names[0];
  const Noun& item = pick(rng, kShopItems);
  Noun other = pick(rng, kShopItems);
  while (other.plural == item.plural) other = pick(rng, kShopItems);
  if (steps == 1 && coin(rng)) {
    const int64_t money = uniform_int(rng, 3, 2 * l.max_number);
    const int64_t price = part_of(rng, l, money);
    s.variant("left");
    s.ask(fmt::format("{} has {} dollars. {} buys a {} for {} dollars.", who, money, who, item.singular, price));
    s.calc(money, Op::subtract, price);
    s.say(fmt::format("{} has {} dollars left.", who, s.eq()));
    s.ask(fmt::format("How much money does {} have left?", who));
    return;
  }
  const int64_t count = factor(rng, l), price = amount(rng, l);
  s.ask(fmt::format("{} buys {} {} for {} dollars each.", who, count, item.plural, price));
  int64_t total = s.calc(count, Op::multiply, price);
  s.say(fmt::format("The {} cost {} dollars.", item.plural, s.eq()));
  std::string final_question = fmt::format("How much does {} spend?", who);
  const bool with_other = steps == 3 || (steps == 2 && coin(rng));
  if (with_other) {
    const int64_t other_price = amount(rng, l);
    s.variant("also");
    s.ask(fmt::format("{} also buys a {} for {} dollars.", who, other.singular, other_price));
    const int64_t before = total;
    total = s.calc(before, Op::add, other_price);
    s.say(fmt::format("With the {}, {} spends {} dollars.", other.singular, who, s.eq()));
    final_question = fmt::format("How much does {} spend in all?", who);
  }
  if (steps == 3 || (steps == 2 && !with_other)) {
    const int64_t bill = bill_above(rng, total);
    s.variant("change");
    s.ask(fmt::format("{} pays with a {} dollar bill.", who, bill));
    s.calc(bill, Op::subtract, total);
    s.say(fmt::format("The change is {} dollars.", s.eq()));
    final_question = fmt::format("How much change does {} get?", who);
  }
  s.ask(final_question);
}

// Baking and sharing: trays of n, some eaten, the rest shared equally.
void sharing(Rng& rng, int steps, Story& s) {
  const auto& l = s.limits();
  const auto names = three_names(rng);
  const std::string_view who = names[0];
  const Noun& food = pick(rng, kBakedGoods);
  // which of (bake, eat, share) the story has
  bool bake = true, eat = false, share = false;
  if (steps == 1) {
    bake = coin(rng);
    share = !bake;
  } else if (steps == 2) {
    const uint64_t v = rng.below(3);
    bake = v != 2;
    eat = v != 1;
    share = v != 0;
  } else {
    eat = share = true;
  }
  int64_t v = 0;
  std::string final_question;
  if (bake) {
    const int64_t trays = factor(rng, l), per_tray = amount(rng, l);
    s.variant("bake");
    s.ask(fmt::format("{} bakes {} trays of {} with {} {} on each tray.", who, trays, food.plural, per_tray, food.plural));
    v = s.calc(trays, Op::multiply, per_tray);
    s.say(fmt::format("{} bakes {} {}.", who, s.eq(), food.plural));
    final_question = fmt::format("How many {} does {} bake?", food.plural, who);
  } else {
    v = uniform_int(rng, 4, std::min<int64_t>(l.max_answer, 2 * l.max_number));
    s.ask(fmt::format("{} has {} {}.", who, v, food.plural));
  }
  if (eat) {
    int64_t eaten = part_of(rng, l, v);
    if (share) {
      // eat so many that the rest can be shared without a remainder
      const int64_t friends = factor(rng, l);
      std::vector<int64_t> options;
      for (int64_t e = 1; e <= std::min<int64_t>(l.max_number, v - 1); ++e)
        if ((v - e) % friends == 0) options.push_back(e);
      eaten = options.empty() ? 0 : options[rng.below(options.size())];
    }
    s.variant("eat");
    s.ask(fmt::format("{} eats {} of them.", who, eaten));
    v = s.calc(v, Op::subtract, eaten);
    s.say(fmt::format("{} has {} {} left.", who, s.eq(), food.plural));
    final_question = fmt::format("How many {} are left?", food.plural);
  }
  if (share) {
    const int64_t friends = divisor_of(rng, l, v);
    s.variant("share");
    s.ask(fmt::format("{} shares {} equally among {} friends.", who, eat ? "the rest" : "them", friends));
    s.calc(v, Op::divide, friends);
    s.say(fmt::format("Each friend gets {} {}.", s.eq(), food.plural));
    final_question = fmt::format("How many {} does each friend get?", food.plural);
  }
  s.ask(final_question);
}

// Ages: older or younger than a child, a relative n times as old, in some years.
void ages(Rng& rng, int steps, Story& s) {
  const auto& l = s.limits();
  constexpr int64_t kOldest = 99;
  const auto names = three_names(rng);
  const std::string_view relative = pick(rng, kRelatives);
  const int64_t child = uniform_int(rng, 2, std::min<int64_t>(15, l.max_number));
  s.ask(fmt::format("{} is {} years old.", names[0], child));
  int64_t age = 0;
  if (coin(rng) || child < 3) {
    const int64_t d = uniform_int(rng, 1, std::min<int64_t>(10, l.max_number));
    s.variant("older");
    s.ask(fmt::format("{} is {} years older than {}.", names[1], d, names[0]));
    age = s.calc(child, Op::add, d, kOldest);
  } else {
    const int64_t d = uniform_int(rng, 1, child - 1);
    s.variant("younger");
    s.ask(fmt::format("{} is {} years younger than {}.", names[1], d, names[0]));
    age = s.calc(child, Op::subtract, d, kOldest);
  }
  s.say(fmt::format("{} is {} years old.", names[1], s.eq()));
  std::string subject(names[1]);
  const bool times = steps == 3 || (steps == 2 && coin(rng));
  if (times) {
    const int64_t f = uniform_int(rng, 2, std::min<int64_t>(4, l.max_factor));
    subject = fmt::format("{}'s {}", names[1], relative);
    s.variant("times");
    s.ask(fmt::format("{} is {} times as old as {}.", subject, f, names[1]));
    age = s.calc(age, Op::multiply, f, kOldest);
    s.say(fmt::format("{} is {} years old.", subject, s.eq()));
  }
  if (steps == 3 || (steps == 2 && !times)) {
    const int64_t years = uniform_int(rng, 2, std::min<int64_t>(20, l.max_number));
    s.variant("later");
    s.ask(fmt::format("How old will {} be in {} years?", subject, years));
    s.calc(age, Op::add, years, kOldest);
    s.say(fmt::format("In {} years {} will be {} years old.", years, subject, s.eq()));
  } else {
    s.ask(fmt::format("How old is {}?", subject));
  }
}

// Travel: speed times hours, more km, km left of a trip; or distance shared over hours.
void travel(Rng& rng, int steps, Story& s) {
  const auto& l = s.limits();
  const std::string_view vehicle = pick(rng, kVehicles);
  const int64_t speed = amount(rng, l), hours = factor(rng, l);
  if (steps == 1 && coin(rng)) {
    const int64_t km = speed * hours;
    s.variant("per-hour");
    s.ask(fmt::format("A {} travels {} km in {} hours. It goes the same distance each hour. How many km does it travel "
                      "each hour?",
                      vehicle, km, hours));
    s.calc(km, Op::divide, hours);
    s.say(fmt::format("Each hour it travels {} km.", s.eq()));
    return;
  }
  s.ask(fmt::format("A {} travels {} km each hour for {} hours.", vehicle, speed, hours));
  int64_t km = s.calc(hours, Op::multiply, speed);
  s.say(fmt::format("In {} hours it travels {} km.", hours, s.eq()));
  std::string final_question = "How far does it travel?";
  const bool more = steps == 3 || (steps == 2 && coin(rng));
  if (more) {
    const int64_t extra = amount(rng, l);
    s.variant("more");
    s.ask(fmt::format("Then it travels {} more km.", extra));
    km = s.calc(km, Op::add, extra);
    s.say(fmt::format("In all it travels {} km.", s.eq()));
    final_question = "How far does it travel in all?";
  }
  if (steps == 3 || (steps == 2 && !more)) {
    const int64_t trip = km + amount(rng, l);
    s.variant("left");
    s.ask(fmt::format("The whole trip is {} km long.", trip));
    s.calc(trip, Op::subtract, km);
    s.say(fmt::format("There are {} km left.", s.eq()));
    final_question = "How many km are left?";
  }
  s.ask(final_question);
}

// Earning and saving: pay times periods, spending, a gift, equal jars.
void savings(Rng& rng, int steps, Story& s) {
  const auto& l = s.limits();
  const auto names = three_names(rng);
  const std::string_view who = names[0];
  if (steps == 1 && coin(rng)) {
    const int64_t saved = amount(rng, l), more = amount(rng, l);
    s.variant("piggy");
    s.ask(fmt::format("{} has {} dollars in a piggy bank and saves {} more dollars.", who, saved, more));
    s.calc(saved, Op::add, more);
    s.say(fmt::format("{} has {} dollars.", who, s.eq()));
    s.ask(fmt::format("How much money does {} have now?", who));
    return;
  }
  const std::string_view unit = pick(rng, kTimeUnits);
  const int64_t pay = amount(rng, l), periods = factor(rng, l);
  s.ask(fmt::format("{} earns {} dollars each {} for {} {}s.", who, pay, unit, periods, unit));
  int64_t money = s.calc(periods, Op::multiply, pay);
  s.say(fmt::format("{} earns {} dollars.", who, s.eq()));
  std::string final_question = fmt::format("How much money does {} earn?", who);
  const uint64_t second = steps >= 2 ? rng.below(3) : 3;  // 0 gift, 1 spend, 2 jars
  if (second == 0 || steps == 3) {
    const int64_t gift = amount(rng, l);
    s.variant("gift");
    s.ask(fmt::format("{} also gets a gift of {} dollars from {}.", who, gift, names[1]));
    money = s.calc(money, Op::add, gift);
    s.say(fmt::format("With the gift {} has {} dollars.", who, s.eq()));
    final_question = fmt::format("How much money does {} have?", who);
  }
  if (second == 1 || (steps == 3 && coin(rng))) {
    const Noun& item = pick(rng, kShopItems);
    const int64_t price = part_of(rng, l, money);
    s.variant("spend");
    s.ask(fmt::format("Then {} spends {} dollars on a {}.", who, price, item.singular));
    money = s.calc(money, Op::subtract, price);
    s.say(fmt::format("{} has {} dollars left.", who, s.eq()));
    final_question = fmt::format("How much money does {} have left?", who);
  } else if (second == 2 || steps == 3) {
    const int64_t jars = divisor_of(rng, l, money);
    s.variant("jars");
    s.ask(fmt::format("{} puts the money equally into {} jars.", who, jars));
    s.calc(money, Op::divide, jars);
    s.say(fmt::format("Each jar gets {} dollars.", s.eq()));
    final_question = "How many dollars go into each jar?";
  }
  s.ask(final_question);
}

// Garden: rows of plants, some do not grow, more are planted.
void garden(Rng& rng, int steps, Story& s) {
  const auto& l = s.limits();
  const auto names = three_names(rng);
  const std::string_view who = names[0];
  const Noun& plant = pick(rng, kPlants);
  const int64_t rows = factor(rng, l), per_row = amount(rng, l);
  s.ask(fmt::format("{} plants {} rows of {} with {} {} in each row.", who, rows, plant.plural, per_row, plant.plural));
  int64_t count = s.calc(rows, Op::multiply, per_row);
  s.say(fmt::format("{} plants {} {}.", who, s.eq(), plant.plural));
  std::string final_question = fmt::format("How many {} does {} plant?", plant.plural, who);
  const bool lost = steps == 3 || (steps == 2 && coin(rng));
  if (lost) {
    const int64_t dead = part_of(rng, l, count);
    s.variant("lost");
    s.ask(fmt::format("{} of the {} do not grow.", dead, plant.plural));
    count = s.calc(count, Op::subtract, dead);
    s.say(fmt::format("{} {} grow.", s.eq(), plant.plural));
    final_question = fmt::format("How many {} grow?", plant.plural);
  }
  if (steps == 3 || (steps == 2 && !lost)) {
    const int64_t more = amount(rng, l);
    s.variant("more");
    s.ask(fmt::format("Then {} plants {} more {}.", who, more, plant.plural));
    s.calc(count, Op::add, more);
    s.say(fmt::format("Now there are {} {}.", s.eq(), plant.plural));
    final_question = fmt::format("How many {} are in the garden now?", plant.plural);
  }
  s.ask(final_question);
}

// Classroom: girls plus boys, equal groups, things per group or per student.
void classroom(Rng& rng, int steps, Story& s) {
  const auto& l = s.limits();
  const Noun& thing = pick(rng, kClassroomItems);
  const int64_t girls = amount(rng, l), boys = amount(rng, l);
  s.ask(fmt::format("A class has {} girls and {} boys.", girls, boys));
  int64_t students = s.calc(girls, Op::add, boys);
  s.say(fmt::format("The class has {} students.", s.eq()));
  std::string final_question = "How many students are in the class?";
  const bool groups = steps == 3 || (steps == 2 && coin(rng));
  int64_t group_count = 0;
  if (groups) {
    const int64_t size = divisor_of(rng, l, students);
    s.variant("groups");
    s.ask(fmt::format("The teacher puts the students into groups of {}.", size));
    group_count = s.calc(students, Op::divide, size);
    s.say(fmt::format("There are {} groups.", s.eq()));
    final_question = "How many groups are there?";
  }
  if (steps == 3) {
    const int64_t each = factor(rng, l);
    s.variant("per-group");
    s.ask(fmt::format("Each group gets {} {}.", each, thing.plural));
    s.calc(group_count, Op::multiply, each);
    s.say(fmt::format("The groups get {} {}.", s.eq(), thing.plural));
    final_question = fmt::format("How many {} do the groups get in all?", thing.plural);
  } else if (steps == 2 && !groups) {
    const int64_t each = factor(rng, l);
    s.variant("per-student");
    s.ask(fmt::format("Each student gets {} {}.", each, thing.plural));
    s.calc(students, Op::multiply, each);
    s.say(fmt::format("The students get {} {}.", s.eq(), thing.plural));
    final_question = fmt::format("How many {} do the students get?", thing.plural);
  }
  s.ask(final_question);
}

using TopicWriter = void (*)(Rng&, int, Story&);
struct Topic {
  std::string_view name;
  TopicWriter write;
};
constexpr std::array<Topic, 8> kTopics{{{"collection", collection},
                                        {"shopping", shopping},
                                        {"sharing", sharing},
                                        {"ages", ages},
                                        {"travel", travel},
                                        {"savings", savings},
                                        {"garden", garden},
                                        {"classroom", classroom}}};

}  // namespace

const std::vector<std::string_view>& problem_topics() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& t : kTopics) out.push_back(t.name);
    return out;
  }();
  return names;
}

WordProblem generate_problem(Rng& rng, const ProblemLimits& limits) {
  const Topic& topic = kTopics[rng.below(kTopics.size())];
  const int steps = static_cast<int>(uniform_int(rng, limits.min_steps, limits.max_steps));
  // Redraw the numbers (same topic and step count, so the mix stays as drawn) until every
  // step is whole and in range; with validated limits a few tries suffice.
  for (int attempt = 0; attempt < 1000; ++attempt) {
    Story story(limits, topic.name);
    topic.write(rng, steps, story);
    if (story.ok()) return story.finish();
  }
  fail_hint("raise --max-number, --max-factor or --max-answer", "could not draw a valid {}-step '{}' problem in 1000 tries",
            steps, topic.name);
}

std::string qa_final_line(int64_t answer) { return fmt::format("The answer is {}.", answer); }
std::string chat_final_line(int64_t answer) { return fmt::format("The answer is \\boxed{{{}}}.", answer); }
std::string gsm8k_final_line(int64_t answer) { return fmt::format("#### {}", answer); }

std::string worked_solution(const WordProblem& problem, std::string_view final_line) {
  std::string out;
  for (const auto& sentence : problem.solution) out += sentence + " ";
  out += final_line;
  return out;
}

std::string gsm8k_solution(const WordProblem& problem) {
  std::string out;
  for (const auto& sentence : problem.solution) out += sentence + "\n";
  return out + gsm8k_final_line(problem.answer);
}

}  // namespace dsmath::synth
