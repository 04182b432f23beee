// The DeepSeek chat format: hand-worked renderings (DeepSeek-Math README, SOURCES.md), parity
// with the Jinja chat_template of tokenizer_config.json rendered by jinja2, and the response
// loss mask.
#include <catch2/catch.hpp>

#include <fstream>

#include "core/rng.hpp"
#include "reference.hpp"
#include "test_util.hpp"
#include "tokenizer/chat_template.hpp"
#include "tokenizer_test_util.hpp"

using namespace dsmath;

namespace {

const std::string kBos = "<\xEF\xBD\x9C" "begin\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>";
const std::string kEos = "<\xEF\xBD\x9C" "end\xE2\x96\x81of\xE2\x96\x81sentence\xEF\xBD\x9C>";

std::vector<ChatMessage> conversation(std::initializer_list<std::pair<const char*, std::string>> turns) {
  std::vector<ChatMessage> out;
  for (const auto& [role, content] : turns) out.push_back({role, content});
  return out;
}

}  // namespace

TEST_CASE("chat format renders the DeepSeek-Math README layout", "[tokenizer][chat]") {
  const ChatFormat format(kBos, kEos);
  // README @ b8b0f8c lines 182-192: User: {q}\n\nAssistant: {a}<eos>User: {q2}\n\nAssistant:
  const auto chat = format.render(conversation({{"user", "q1"}, {"assistant", "a1"}, {"user", "q2"}}), true);
  CHECK(chat.text == kBos + "User: q1\n\nAssistant: a1" + kEos + "User: q2\n\nAssistant:");
  REQUIRE(chat.response_spans.size() == 1);
  CHECK(chat.text.substr(chat.response_spans[0].first, chat.response_spans[0].second - chat.response_spans[0].first) ==
        " a1" + kEos);
  CHECK(format.prompt("What is 2+2?") == kBos + "User: What is 2+2?\n\nAssistant:");
  const auto with_system = format.render(conversation({{"system", "Be brief."}, {"user", "hi"}}), false);
  CHECK(with_system.text == kBos + "Be brief.\n\nUser: hi\n\n");
  CHECK_THROWS_WITH(format.render(conversation({{"tool", "x"}}), false), Catch::Contains("role 'tool'"));
  // invalid UTF-8 in content is repaired before rendering, so spans index the text
  const auto repaired = format.render(conversation({{"assistant", "a\xFF"}}), false);
  CHECK(repaired.text == kBos + "Assistant: a\xEF\xBF\xBD" + kEos);
}

TEST_CASE("chat format matches the Jinja chat_template rendered by jinja2", "[tokenizer][chat][parity]") {
  const auto dir = test::reference_tokenizer_dir("deepseek-math");
  DSMATH_REQUIRE_REFERENCE(dir.has_value(), "../shared/data/tokenizers/deepseek-math");
  DSMATH_REQUIRE_REFERENCE(test::jinja2_available(), "python packages `jinja2` and `tokenizers` (scripts/setup_reference.sh)");
  const Tokenizer* tok = test::reference_tokenizer("deepseek-math");
  // the template text written into trained tokenizers is the one DeepSeek ships
  CHECK(tok->chat_template() == std::string(kChatTemplateJinja));
  const ChatFormat format = ChatFormat::for_tokenizer(*tok);
  CHECK(format.bos() == kBos);
  CHECK(format.eos() == kEos);
  static const char* const roles[] = {"system", "user", "assistant"};
  static const char* const contents[] = {"", "What is $\\frac{1}{2}+1$?", " spaced ", "line\nbreak\n\n",
                                         "\xE6\x95\xB0\xE5\xAD\xA6", "The answer is \\boxed{3}.", "{{ not jinja }}"};
  Rng rng(9);
  std::vector<std::vector<ChatMessage>> conversations;
  std::vector<Json> inputs;
  std::vector<bool> generation_prompt;
  for (int i = 0; i < 200; ++i) {
    std::vector<ChatMessage> c;
    Json messages = Json::array();
    const size_t n = rng.below(6);
    for (size_t k = 0; k < n; ++k) {
      c.push_back({roles[rng.below(3)], contents[rng.below(std::size(contents))]});
      messages.push_back({{"role", c.back().role}, {"content", c.back().content}});
    }
    generation_prompt.push_back(rng.below(2) == 1);
    inputs.push_back({{"messages", messages}, {"add_generation_prompt", generation_prompt.back()}});
    conversations.push_back(std::move(c));
  }
  const auto expected = test::jinja_render_chat(*dir / "tokenizer_config.json", inputs);
  for (size_t i = 0; i < conversations.size(); ++i) {
    INFO("conversation " << i << ": " << inputs[i].dump());
    CHECK(format.render(conversations[i], generation_prompt[i]).text == expected[i]);
  }
}

TEST_CASE("chat encoding: ids of the rendered text with a loss mask on responses and the prompt as a prefix", "[tokenizer][chat]") {
  for (const std::string name : {"deepseek-math", "gpt2"}) {
    const Tokenizer* tok = test::reference_tokenizer(name);
    if (!test::reference_present(tok != nullptr, "../shared/data/tokenizers/" + name)) continue;
    const ChatFormat format = ChatFormat::for_tokenizer(*tok);
    std::ifstream in(*test::shared_data_dir() / "gsm8k" / "test.jsonl");
    std::string line;
    for (int i = 0; i < 100 && std::getline(in, line); ++i) {
      const auto j = Json::parse(line);
      const auto q = j["question"].get<std::string>(), a = j["answer"].get<std::string>();
      const auto messages = conversation({{"user", q}, {"assistant", a}, {"user", "Why?"}, {"assistant", "3 steps"}});
      const auto chat = format.encode(*tok, messages, false);
      const auto rendered = format.render(messages, false);
      INFO(name << " gsm8k test line " << i + 1);
      CHECK(chat.ids == tok->encode(rendered.text, false));
      REQUIRE(chat.loss_mask.size() == chat.ids.size());
      // the masked tokens are exactly the two responses, EOS included
      std::vector<uint32_t> targets;
      for (size_t k = 0; k < chat.ids.size(); ++k)
        if (chat.loss_mask[k]) targets.push_back(chat.ids[k]);
      auto expected_targets = tok->encode(" " + a + format.eos(), false);
      for (uint32_t id : tok->encode(" 3 steps" + format.eos(), false)) expected_targets.push_back(id);
      CHECK(targets == expected_targets);
      // GRPO: the generation prompt's ids are a prefix of the full conversation's ids, and the
      // first response token is the first target
      const auto prompt_ids = tok->encode(format.prompt(q), false);
      REQUIRE(prompt_ids.size() < chat.ids.size());
      CHECK(std::equal(prompt_ids.begin(), prompt_ids.end(), chat.ids.begin()));
      CHECK(chat.loss_mask[prompt_ids.size()] == 1);
      CHECK(chat.loss_mask[prompt_ids.size() - 1] == 0);
    }
  }
  SUCCEED();
}
