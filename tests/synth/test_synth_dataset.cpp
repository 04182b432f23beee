// The files of `dsmath data synth`: byte-identical for a seed, held-out problems absent from
// every other file, web pages of both classes on math, mixed and other domains, and copies
// that the dedup rules see as copies (checked with word 5-gram Jaccard computed here).
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "core/files.hpp"
#include "core/json.hpp"
#include "eval/benchmark.hpp"
#include "eval/grade_sample.hpp"
#include "eval/prompt_format.hpp"
#include "select/url.hpp"
#include "synth/synth_dataset.hpp"
#include "test_util.hpp"
#include "tokenizer/chat_template.hpp"

using namespace dsmath;
using namespace dsmath::synth;

namespace {

SynthSpec small_spec(uint64_t seed) {
  SynthSpec spec;
  spec.seed = seed;
  spec.sft_problems = 300;
  spec.rl_problems = 100;
  spec.heldout_problems = 100;
  spec.web.pages = 600;
  spec.web.duplicate_fraction = 0.05;
  spec.seed_pages = 60;
  spec.extra_documents = 20;
  return spec;
}

// Words as the dedup stage defines them (runs of ASCII letters and digits, lowercased), and
// the set of their 5-grams.
std::set<std::string> shingles(const std::string& text) {
  std::vector<std::string> words;
  std::string w;
  for (char c : text + " ") {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!w.empty()) {
      words.push_back(w);
      w.clear();
    }
  }
  std::set<std::string> out;
  for (size_t i = 0; i + 5 <= words.size(); ++i) {
    std::string s;
    for (size_t j = i; j < i + 5; ++j) s += words[j] + " ";
    out.insert(s);
  }
  return out;
}

double jaccard(const std::set<std::string>& a, const std::set<std::string>& b) {
  size_t common = 0;
  for (const auto& s : a) common += b.count(s);
  return static_cast<double>(common) / static_cast<double>(a.size() + b.size() - common);
}

const std::vector<std::string> kFiles{"web.jsonl",   "web_labels.jsonl", "seed_math.jsonl", "pretrain_extra.jsonl",
                                      "sft.jsonl",   "rl.jsonl",         "heldout.jsonl",   "prompts.json"};

}  // namespace

TEST_CASE("the same seed writes the same bytes and another seed other bytes") {
  const auto dir = test::temp_dir("synth-determinism");
  const auto summary = write_synth_dataset(small_spec(7), dir / "a");
  write_synth_dataset(small_spec(7), dir / "b");
  write_synth_dataset(small_spec(8), dir / "c");
  std::set<std::string> written;
  for (const auto& f : summary) {
    written.insert(f.file);
    CHECK(std::filesystem::file_size(dir / "a" / f.file) == f.bytes);
  }
  CHECK(written == std::set<std::string>(kFiles.begin(), kFiles.end()));
  for (const auto& name : kFiles) {
    INFO(name);
    const std::string a = read_file(dir / "a" / name);
    CHECK(!a.empty());
    CHECK(a == read_file(dir / "b" / name));
    CHECK(a != read_file(dir / "c" / name));
  }
  // no temporary files left behind by the atomic writers
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir / "a")) ++entries;
  CHECK(entries == kFiles.size());
}

TEST_CASE("record counts and formats of every file") {
  const auto dir = test::temp_dir("synth-formats");
  const SynthSpec spec = small_spec(3);
  write_synth_dataset(spec, dir);
  const auto sft = test::read_jsonl(dir / "sft.jsonl");
  const auto rl = test::read_jsonl(dir / "rl.jsonl");
  const auto heldout = test::read_jsonl(dir / "heldout.jsonl");
  const auto web = test::read_jsonl(dir / "web.jsonl");
  CHECK(sft.size() == spec.sft_problems);
  CHECK(rl.size() == spec.rl_problems);
  CHECK(heldout.size() == spec.heldout_problems);
  CHECK(web.size() == spec.web.pages);
  CHECK(test::read_jsonl(dir / "seed_math.jsonl").size() == spec.seed_pages);
  CHECK(test::read_jsonl(dir / "pretrain_extra.jsonl").size() == spec.extra_documents);
  for (const auto& r : sft) {
    REQUIRE(r["messages"].size() == 2);
    CHECK(r["messages"][0]["role"] == "user");
    CHECK(r["messages"][1]["role"] == "assistant");
  }
  for (const auto& r : rl) {
    CHECK(r["question"].is_string());
    CHECK(r["answer"].get<std::string>().find_first_not_of("0123456789") == std::string::npos);
  }
  for (const auto& r : web) {
    CHECK(r.size() == 2);
    CHECK(r["url"].get<std::string>().starts_with("http"));
    CHECK(!r["text"].get<std::string>().empty());
  }

  // held-out loads as a GSM8K benchmark, and its reference solutions grade 100%
  const auto bench = eval::load_benchmark(eval::BenchmarkKind::gsm8k, dir / "heldout.jsonl");
  REQUIRE(bench.problems.size() == heldout.size());
  const auto stops = eval::default_stop_markers(eval::AnswerStyle::gsm8k);
  for (size_t i = 0; i < heldout.size(); ++i) {
    const std::string solution = heldout[i]["answer"];
    CHECK(eval::grade_completion(solution, bench.problems[i].gold, bench.style, stops).correct);
  }
  // SFT responses grade 100% against the result of their last equation (found here by regex)
  static const std::regex kLastResult(R"(= (\d+)[^=]*$)");
  for (const auto& r : sft) {
    const std::string response = r["messages"][1]["content"];
    std::smatch m;
    REQUIRE(std::regex_search(response, m, kLastResult));
    const auto grade = eval::grade_completion(response, m[1].str(), eval::AnswerStyle::gsm8k, stops);
    CHECK(grade.correct);
    CHECK(grade.extracted == m[1].str());
    CHECK(response.ends_with("The answer is \\boxed{" + m[1].str() + "}."));
  }
}

TEST_CASE("SFT prompts are the prompts dsmath eval shows an instruct model") {
  const auto dir = test::temp_dir("synth-sft-prompt");
  SynthSpec spec = small_spec(4);
  write_synth_dataset(spec, dir);
  const auto eval_format = eval::chat_format(std::string(eval::kInstructTemplate));
  const ChatFormat chat("", "<eos>");
  const auto sft = test::read_jsonl(dir / "sft.jsonl");
  for (size_t i = 0; i < 20; ++i) {
    const std::string user = sft[i]["messages"][0]["content"];
    const std::string question = user.substr(0, user.size() - kInstructInstruction.size());
    const std::vector<ChatMessage> messages{{"user", user}};
    CHECK(chat.render(messages, true).text == eval_format.render(question));
  }
}

TEST_CASE("held-out questions appear in no other file") {
  const auto dir = test::temp_dir("synth-disjoint");
  write_synth_dataset(small_spec(5), dir);
  std::string everything_else;
  for (const auto& name : kFiles)
    if (name != "heldout.jsonl") everything_else += read_file(dir / name);
  // questions hold no character that JSON escapes, so a copy would appear verbatim
  for (const auto& r : test::read_jsonl(dir / "heldout.jsonl")) {
    const std::string question = r["question"];
    INFO(question);
    REQUIRE(Json(question).dump() == "\"" + question + "\"");
    CHECK(everything_else.find(question) == std::string::npos);
  }
  // training files do share questions among themselves (held-out is the only reserved set)
  std::set<std::string> rl_questions;
  for (const auto& r : test::read_jsonl(dir / "rl.jsonl")) rl_questions.insert(r["question"].get<std::string>());
  CHECK(rl_questions.size() > 90);
}

TEST_CASE("web pages: both classes, mixed domains, and copies that dedup sees as copies") {
  const auto dir = test::temp_dir("synth-web");
  SynthSpec spec = small_spec(6);
  write_synth_dataset(spec, dir);
  const auto web = test::read_jsonl(dir / "web.jsonl");
  const auto labels = test::read_jsonl(dir / "web_labels.jsonl");
  REQUIRE(labels.size() == web.size());
  std::map<std::string, size_t> index_of;
  std::map<std::string, std::pair<size_t, size_t>> math_and_all_by_host;
  size_t math = 0, url_copies = 0, near_copies = 0;
  for (size_t i = 0; i < web.size(); ++i) {
    const std::string url = web[i]["url"];
    CHECK(labels[i]["url"] == url);
    const bool is_math = labels[i]["math"];
    math += is_math;
    if (labels[i]["copy_of"].is_null()) {
      CHECK(index_of.emplace(url, i).second);  // original URLs are unique
      const std::string host(select::normalized_host(select::normalize_url(url)));
      math_and_all_by_host[host].first += is_math;
      ++math_and_all_by_host[host].second;
      continue;
    }
    // every copy comes after its original
    const std::string original = labels[i]["copy_of"];
    REQUIRE(index_of.count(original) == 1);
    const Json& o = web[index_of[original]];
    CHECK(labels[index_of[original]]["math"] == labels[i]["math"]);
    if (labels[i]["copy_kind"] == "url") {
      ++url_copies;
      CHECK(url != original);
      CHECK(select::normalize_url(url) == select::normalize_url(o["url"].get<std::string>()));
      CHECK(web[i]["text"] == o["text"]);
    } else {
      ++near_copies;
      CHECK(labels[i]["copy_kind"] == "near");
      CHECK(select::normalize_url(url) != select::normalize_url(o["url"].get<std::string>()));
      CHECK(web[i]["text"] != o["text"]);
      // MinHash 14x8 clusters a pair at Jaccard 0.8 with probability 0.92 (docs/data.md)
      CHECK(jaccard(shingles(web[i]["text"]), shingles(o["text"])) >= 0.8);
    }
  }
  const size_t copies = url_copies + near_copies;
  CHECK(copies == 30);  // 5% of 600
  CHECK(url_copies >= 5);
  CHECK(near_copies >= 5);
  const double math_fraction = static_cast<double>(math) / static_cast<double>(web.size());
  CHECK(math_fraction > 0.3);
  CHECK(math_fraction < 0.4);
  // math-only, other-only and mixed domains; a mixed one has well over 10% math pages
  size_t math_hosts = 0, other_hosts = 0, mixed_hosts = 0;
  for (const auto& [host, counts] : math_and_all_by_host) {
    if (counts.first == counts.second) ++math_hosts;
    else if (counts.first == 0) ++other_hosts;
    else {
      ++mixed_hosts;
      CHECK(static_cast<double>(counts.first) / static_cast<double>(counts.second) > 0.2);
    }
  }
  CHECK(math_hosts >= 3);
  CHECK(other_hosts >= 8);
  CHECK(mixed_hosts == 3);
  // originals are not near-duplicates of each other: only the intended copies are
  std::vector<std::set<std::string>> originals;
  for (size_t i = 0; i < web.size() && originals.size() < 250; ++i)
    if (labels[i]["copy_of"].is_null()) originals.push_back(shingles(web[i]["text"]));
  double highest = 0;
  for (size_t a = 0; a < originals.size(); ++a)
    for (size_t b = a + 1; b < originals.size(); ++b) highest = std::max(highest, jaccard(originals[a], originals[b]));
  CHECK(highest < 0.5);
  // seed pages are math pages on hosts web.jsonl never uses
  for (const auto& r : test::read_jsonl(dir / "seed_math.jsonl")) {
    const std::string host(select::normalized_host(select::normalize_url(r["url"].get<std::string>())));
    CHECK(math_and_all_by_host.count(host) == 0);
  }
}

TEST_CASE("the few-shot prompt file loads in eval and renders Q/A prompts") {
  const auto dir = test::temp_dir("synth-prompts");
  write_synth_dataset(small_spec(9), dir);
  const auto zero = eval::load_few_shot_format(dir / "prompts.json", "synth_qa_0_shot");
  CHECK(zero.render("How many?") == "Q: How many?\nA:");
  const auto two = eval::load_few_shot_format(dir / "prompts.json", "synth_qa_2_shot");
  const std::string prompt = two.render("How many?");
  CHECK(prompt.starts_with("Q: "));
  CHECK(prompt.ends_with("\n\n\nQ: How many?\nA:"));
  CHECK(std::count(prompt.begin(), prompt.end(), 'Q') >= 3);
  CHECK(two.stop_words == std::vector<std::string>{"\nQ:", "\n\n"});
}

TEST_CASE("bad specs are errors before anything is written") {
  const auto dir = test::temp_dir("synth-bad");
  SynthSpec spec = small_spec(1);
  spec.heldout_problems = 0;
  CHECK_THROWS_WITH(write_synth_dataset(spec, dir / "out"), Catch::Contains("held-out set is empty"));
  spec = small_spec(1);
  spec.web.math_fraction = 1.5;
  CHECK_THROWS_WITH(write_synth_dataset(spec, dir / "out"), Catch::Contains("math fraction"));
  CHECK(!std::filesystem::exists(dir / "out"));
}
