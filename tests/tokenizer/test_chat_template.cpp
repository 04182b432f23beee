// The DeepSeek chat format: hand-worked renderings (DeepSeek-Math README, SOURCES.md), parity
// with the Jinja chat_template of tokenizer_config.json rendered by jinja2, and the response
// loss mask.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "core/rng.hpp"
#include "reference.hpp"
#include "test_util.hpp"
#include "core/error.hpp"
#include "reference.hpp"
#include "tokenizer/chat_template.hpp"
#include "tokenizer/hf_chat_template.hpp"
#include "tokenizer/jinja_template.hpp"
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
  DSMATH_REQUIRE_REFERENCE(test::jinja2_available(), "python package `jinja2` (scripts/setup_reference.sh)");
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

// ---------------------------------------------------------------------------------------
// The Jinja engine (tokenizer/jinja_template.hpp) and tokenizer chat templates
// (tokenizer/hf_chat_template.hpp), against jinja2 in the environment transformers builds.

namespace {

// {"text"} or {"error"} per context, from hf_reference.py chat-template.
std::vector<Json> jinja2_render(const std::string& template_text, const std::vector<Json>& contexts) {
  static int counter = 0;
  const auto dir = test::temp_dir("jinja2-" + std::to_string(counter++));
  {
    std::ofstream t(dir / "template.jinja", std::ios::binary);
    t << template_text;
    std::ofstream in(dir / "in.jsonl", std::ios::binary);
    for (const auto& c : contexts) in << Json{{"context", c}}.dump() << "\n";
  }
  const std::string cmd = test::reference_python() + " '" + (test::source_dir() / "tests/tokenizer/hf_reference.py").string() +
                          "' chat-template '" + (dir / "template.jinja").string() + "' '" + (dir / "in.jsonl").string() +
                          "' '" + (dir / "out.jsonl").string() + "'";
  const auto r = test::run_command(cmd);
  REQUIRE(r.exit_code == 0);
  auto out = test::read_jsonl(dir / "out.jsonl");
  REQUIRE(out.size() == contexts.size());
  return out;
}

// Our rendering of each context; "error: ..." when the engine refused (a raise_exception or
// an error jinja2 also raises).
std::vector<Json> dsmath_render(const std::string& template_text, const std::vector<Json>& contexts) {
  std::vector<Json> out;
  const jinja::Template t = jinja::Template::parse(template_text, "test template");
  for (const auto& c : contexts) {
    try {
      out.push_back({{"text", t.render(jinja::Value::from_json(c))}});
    } catch (const Error& e) {
      out.push_back({{"error", e.what()}});
    }
  }
  return out;
}

void check_same(const std::string& name, const std::string& template_text, const std::vector<Json>& contexts) {
  const auto expected = jinja2_render(template_text, contexts);
  const auto got = dsmath_render(template_text, contexts);
  for (size_t i = 0; i < contexts.size(); ++i) {
    INFO(name << " context " << i << ": " << contexts[i].dump());
    INFO("jinja2: " << expected[i].dump() << "\ndsmath: " << got[i].dump());
    CHECK(expected[i].contains("error") == got[i].contains("error"));
    if (expected[i].contains("text") && got[i].contains("text")) CHECK(got[i]["text"] == expected[i]["text"]);
  }
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("jinja engine: the constructs chat templates use render as jinja2 renders them", "[tokenizer][chat][jinja]") {
  DSMATH_REQUIRE_REFERENCE(test::jinja2_available(), "python package `jinja2` (scripts/setup_reference.sh)");
  const Json ctx = {{"messages", {{{"role", "system"}, {"content", "  be brief  "}},
                                  {{"role", "user"}, {"content", "What is 1/2?"}},
                                  {{"role", "assistant"}, {"content", "<think>half</think>0.5"}}}},
                    {"add_generation_prompt", true},
                    {"bos_token", "<s>"},
                    {"n", 7},
                    {"x", 2.5},
                    {"flag", false},
                    {"tools", nullptr},
                    {"d", {{"b", 1}, {"a", {1, 2, "three"}}}}};
  const std::vector<std::string> templates = {
      // whitespace control, trim_blocks, lstrip_blocks
      "{% for m in messages %}\n  {{ m.role }}\n{% endfor %}",
      "a  {%- if true -%}  b  {%- endif -%}  c",
      "  {% if true %}x{% endif %}\n  {%+ if true %}y{% endif %}\n{{ 'z' }}  {# note #}\n end",
      "{%- for m in messages -%}\n{{- m.role -}}\n{%- endfor %}",
      // loop variables, filters on loops, else, break/continue
      "{% for m in messages %}{{ loop.index }}/{{ loop.length }}{{ loop.first }}{{ loop.last }}{{ loop.revindex0 }},{% endfor %}",
      "{% for m in messages if m.role != 'system' %}{{ loop.index0 }}{{ m.role }}{% else %}none{% endfor %}",
      "{% for m in [] %}x{% else %}empty{% endfor %}",
      "{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i > 4 %}{% break %}{% endif %}{{ i }}{% endfor %}",
      "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}{% for k in d %}{{ k }}{% endfor %}",
      // scoping: set in a loop does not leak, namespace does
      "{% set c = 0 %}{% set ns = namespace(c=0) %}{% for m in messages %}{% set c = c + 1 %}{% set ns.c = ns.c + 1 %}{% endfor %}{{ c }} {{ ns.c }}",
      // expressions
      "{{ n // 2 }} {{ n % 3 }} {{ n / 2 }} {{ n ** 2 }} {{ -n }} {{ x * 2 }} {{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 'ab' * 2 }}",
      "{{ n > 3 and not flag }} {{ flag or 'fallback' }} {{ 'yes' if n else 'no' }} {{ 'a' ~ n ~ x }} {{ 3 in [1, 2, 3] }} {{ 'x' not in 'abc' }}",
      "{{ messages[-1]['content'].split('</think>')[-1] }}|{{ messages[0].content | trim }}|{{ messages[0]['content'].strip() }}|",
      "{{ messages[::-1][0].role }} {{ messages[1:][0].role }} {{ 'hello'[1:3] }} {{ 'hello'[::-1] }} {{ [1,2,3,4][::2] }}",
      "{{ messages | length }} {{ d | tojson }} {{ messages[1] | tojson }} {{ 'q\"uote\\n' | tojson }} {{ d.a | tojson(indent=2) }}",
      "{{ messages | map(attribute='role') | join(', ') }} {{ messages | selectattr('role', 'equalto', 'user') | list | length }} {{ messages | rejectattr('role', 'in', ['user', 'system']) | map(attribute='role') | first }}",
      "{{ 'Hello World'.lower() }} {{ 'abc'.upper() }} {{ 'a b'.title() }} {{ 'xaxbx'.replace('x', '-') }} {{ 'abc'.startswith('ab') }} {{ 'abc'.endswith(('x', 'c')) }}",
      "{{ undefined_name }}|{{ undefined_name is defined }}|{{ tools is none }}|{{ tools is defined }}|{{ messages[9] is defined }}|{{ d.zzz | default('dflt') }}",
      "{{ n is number }} {{ x is float }} {{ 'a' is string }} {{ d is mapping }} {{ messages is iterable }} {{ n is divisibleby 7 }} {{ n is odd }}",
      "{{ none }} {{ true }} {{ False }} {{ 1.0 }} {{ 0.1 + 0.2 }} {{ [1, 'a', none] }} {{ {'k': 'v'} }} {{ 10 / 4 }} {{ 3.0 * 2 }}",
      "{{ '\\u4f60\\u597d' }} {{ \"it's\" }} {{ 'tab\\tend' }}",
      // set blocks and macros
      "{% set block %}[{{ n }}]{% endset %}{{ block }}{{ block }}",
      "{% macro turn(role, text='') %}<{{ role }}>{{ text }}</{{ role }}>{% endmacro %}{{ turn('user', 'hi') }}{{ turn(role='bot') }}",
      "{% if not add_generation_prompt is defined %}{% set add_generation_prompt = false %}{% endif %}{{ add_generation_prompt }}",
      "{{ raise_exception('roles must alternate') if n > 5 else 'ok' }}",
      "{{ messages[0].role.attribute_of_a_string }}",  // undefined, prints nothing
  };
  for (size_t i = 0; i < templates.size(); ++i) check_same("case " + std::to_string(i), templates[i], {ctx});
  // an attribute of an undefined value is an error in both
  check_same("undefined attribute", "{{ nothing.here }}", {ctx});
}

TEST_CASE("chat templates of real tokenizers render as transformers renders them", "[tokenizer][chat][jinja]") {
  DSMATH_REQUIRE_REFERENCE(test::jinja2_available(), "python package `jinja2` (scripts/setup_reference.sh)");
  std::vector<std::pair<std::string, std::string>> templates;
  for (const auto& entry : std::filesystem::directory_iterator(test::source_dir() / "tests/tokenizer/chat_templates"))
    templates.emplace_back(entry.path().stem().string(), read_text(entry.path()));
  std::sort(templates.begin(), templates.end());
  if (auto dir = test::reference_tokenizer_dir("deepseek-math"))
    templates.emplace_back("deepseek-math tokenizer_config.json",
                           Json::parse(read_text(*dir / "tokenizer_config.json"))["chat_template"].get<std::string>());
  REQUIRE(templates.size() >= 8);
  static const char* const roles[] = {"system", "user", "assistant", "user", "assistant"};
  static const char* const contents[] = {"", "What is $\\frac{1}{2}+1$?", "  spaced  ", "line\nbreak\n\n", "\xE6\x95\xB0\xE5\xAD\xA6",
                                         "<think>\nlet me see\n</think>\n\nThe answer is \\boxed{3}.", "{{ not jinja }} {% raw %}",
                                         "quote ' and \" and \\ backslash"};
  Rng rng(21);
  std::vector<Json> contexts;
  for (int i = 0; i < 120; ++i) {
    Json messages = Json::array();
    const size_t n = 1 + rng.below(5);
    // half of the conversations alternate properly (system first, then user/assistant), half are random
    const bool ordered = rng.below(2) == 0;
    for (size_t k = 0; k < n; ++k) {
      const char* role = ordered ? (k == 0 && rng.below(2) ? "system" : ((k % 2 == 0) ? "user" : "assistant"))
                                 : roles[rng.below(std::size(roles))];
      messages.push_back({{"role", role}, {"content", contents[rng.below(std::size(contents))]}});
    }
    contexts.push_back({{"messages", messages},
                        {"add_generation_prompt", rng.below(2) == 1},
                        {"bos_token", kBos},
                        {"eos_token", kEos},
                        {"tools", nullptr},
                        {"documents", nullptr}});
  }
  for (const auto& [name, text] : templates) check_same(name, text, contexts);
}

TEST_CASE("HfChatTemplate: the DeepSeek tokenizer's template gives the DeepSeek-Math README prompt", "[tokenizer][chat]") {
  const auto dir = test::reference_tokenizer_dir("deepseek-math");
  DSMATH_REQUIRE_REFERENCE(dir.has_value(), "../shared/data/tokenizers/deepseek-math");
  const HfChatTemplate t = HfChatTemplate::load(*dir / "tokenizer_config.json");
  CHECK(t.bos_token() == kBos);
  CHECK(t.renders_bos());
  const Json one = Json::array({{{"role", "user"}, {"content", "What is 2+2?"}}});
  // README @ b8b0f8c: "User: {q}\n\nAssistant:" after BOS
  CHECK(t.render(one, true) == kBos + "User: What is 2+2?\n\nAssistant:");
  CHECK(t.render(one, true) == ChatFormat(kBos, kEos).prompt("What is 2+2?"));
  const Json turns = Json::array({{{"role", "system"}, {"content", "Be brief."}},
                                  {{"role", "user"}, {"content", "q1"}},
                                  {{"role", "assistant"}, {"content", "a1"}},
                                  {{"role", "user"}, {"content", "q2"}}});
  CHECK(t.render(turns, true) == kBos + "Be brief.\n\nUser: q1\n\nAssistant: a1" + kEos + "User: q2\n\nAssistant:");
  // errors name the template and line
  CHECK_THROWS_WITH(jinja::Template::parse("{% if x %}never closed", "probe.jinja"), Catch::Contains("probe.jinja line 1"));
  CHECK_THROWS_WITH(jinja::Template::parse("line 1\n{% frobnicate %}", "probe.jinja"),
                    Catch::Contains("probe.jinja line 2") && Catch::Contains("frobnicate"));
  const auto dir2 = test::temp_dir("chat-template-config");
  std::ofstream(dir2 / "tokenizer_config.json") << R"({"bos_token": {"content": "<B>"}, "chat_template": [{"name": "default", "template": "{{ bos_token }}{{ messages[0].content }}"}, {"name": "tool_use", "template": "T"}]})";
  CHECK(HfChatTemplate::load(dir2 / "tokenizer_config.json").render(one, false) == "<B>What is 2+2?");
  CHECK(HfChatTemplate::load(dir2 / "tokenizer_config.json", "tool_use").render(one, false) == "T");
  CHECK_THROWS_WITH(HfChatTemplate::load(dir2 / "tokenizer_config.json", "rag"), Catch::Contains("default, tool_use"));
}
