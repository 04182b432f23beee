#include "train/reward_data.hpp"

#include "core/error.hpp"
#include "core/strings.hpp"
#include "data/jsonl.hpp"

namespace dsmath {

RewardInput encode_reward_input(const ChatFormat& chat, const Tokenizer& tokenizer, const std::string& question,
                                const std::vector<std::string>& steps, RewardKind kind, const std::string& separator) {
  std::string solution;
  for (size_t i = 0; i < steps.size(); ++i) solution += (i ? separator : "") + steps[i];
  const std::vector<ChatMessage> messages{{"user", question}, {"assistant", solution}};
  const RenderedChat rendered = chat.render(messages, false);
  std::vector<uint32_t> ids;
  std::vector<TokenSpan> spans;
  tokenizer.encode_into(rendered.text, /*add_special_tokens=*/false, ids, &spans);
  RewardInput in;
  in.ids.assign(ids.begin(), ids.end());
  if (kind == RewardKind::outcome) {
    in.scored.push_back(static_cast<int32_t>(in.ids.size()) - 1);
    return in;
  }
  // the response span is " {content}{eos}": step i ends at the byte after its text
  DSMATH_CHECK(!rendered.response_spans.empty(), "rendered chat has no response");
  size_t end = rendered.response_spans.back().first + 1;  // past the space after "Assistant:"
  for (size_t i = 0; i < steps.size(); ++i) {
    end += (i ? separator.size() : 0) + steps[i].size();
    // the last token that starts before the step's end byte
    int32_t pos = -1;
    for (size_t t = 0; t < spans.size(); ++t)
      if (spans[t].begin < end) pos = static_cast<int32_t>(t);
    in.scored.push_back(pos);
  }
  return in;
}

namespace {
std::optional<int> label_of(const Json& v) {
  if (v.is_boolean()) return v.get<bool>() ? 1 : 0;
  if (v.is_number_integer() && (v.get<int>() == 0 || v.get<int>() == 1)) return v.get<int>();
  return std::nullopt;
}
}  // namespace

std::vector<RewardRecord> load_reward_records(const std::vector<std::string>& files, const RmDataConfig& config,
                                              size_t& skipped_invalid) {
  std::vector<RewardRecord> out;
  for (const auto& file : files) {
    LineReader reader(file);
    std::string line;
    while (reader.next(line)) {
      if (trim(line).empty()) continue;
      std::string problem;
      RewardRecord r;
      r.where = reader.where();
      try {
        const Json j = parse_json_object(line, reader.where());
        auto q = string_field(j, config.question_field);
        if (!q) problem = fmt::format("missing string \"{}\"", config.question_field);
        else r.question = *q;
        if (problem.empty() && config.kind == RewardKind::outcome) {
          auto s = string_field(j, config.solution_field);
          if (!s) problem = fmt::format("missing string \"{}\"", config.solution_field);
          else if (!j.contains(config.label_field) || !label_of(j[config.label_field]))
            problem = fmt::format("\"{}\" must be 0 or 1 (or true/false)", config.label_field);
          else {
            r.steps = {*s};
            r.labels = {*label_of(j[config.label_field])};
          }
        } else if (problem.empty()) {
          if (!j.contains("steps") || !j["steps"].is_array() || j["steps"].empty()) problem = "\"steps\" must be a non-empty list of strings";
          else if (!j.contains("labels") || !j["labels"].is_array() || j["labels"].size() != j["steps"].size())
            problem = "\"labels\" must list one 0/1 label per step";
          else {
            for (size_t i = 0; i < j["steps"].size() && problem.empty(); ++i) {
              if (!j["steps"][i].is_string()) problem = fmt::format("steps[{}] is not a string", i);
              else if (!label_of(j["labels"][i])) problem = fmt::format("labels[{}] must be 0 or 1", i);
              else {
                r.steps.push_back(j["steps"][i].get<std::string>());
                r.labels.push_back(*label_of(j["labels"][i]));
              }
            }
          }
        }
      } catch (const Error& e) {
        problem = e.what();
      }
      if (!problem.empty()) {
        reject_record(reader.where(), problem, config.skip_invalid, skipped_invalid);
        continue;
      }
      out.push_back(std::move(r));
    }
  }
  return out;
}

std::vector<PackedExample> reward_examples(const std::vector<RewardRecord>& records, const RmDataConfig& config,
                                           const Tokenizer& tokenizer, size_t& truncated, size_t& dropped) {
  const ChatFormat chat = ChatFormat::for_tokenizer(tokenizer);
  std::vector<RewardInput> inputs(records.size());
#pragma omp parallel for schedule(dynamic, 64)
  for (size_t i = 0; i < records.size(); ++i)
    inputs[i] = encode_reward_input(chat, tokenizer, records[i].question, records[i].steps, config.kind, config.step_separator);
  std::vector<PackedExample> out;
  for (size_t i = 0; i < records.size(); ++i) {
    RewardInput& in = inputs[i];
    const int limit = config.seq_len;
    if (static_cast<int>(in.ids.size()) > limit) {
      if (config.too_long == TooLongPolicy::drop || config.kind == RewardKind::outcome) {
        ++dropped;  // an outcome label sits on the last token: truncating would lose it
        continue;
      }
      in.ids.resize(static_cast<size_t>(limit));
      ++truncated;
    }
    PackedExample e;
    e.ids = std::move(in.ids);
    e.targets.assign(e.ids.size(), -1);
    size_t kept = 0;
    for (size_t k = 0; k < in.scored.size(); ++k)
      if (in.scored[k] >= 0 && in.scored[k] < static_cast<int32_t>(e.ids.size())) {
        e.targets[static_cast<size_t>(in.scored[k])] = records[i].labels[k];
        ++kept;
      }
    if (kept == 0) {
      ++dropped;
      continue;
    }
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace dsmath
