#include "select/scoring.hpp"

#include <algorithm>
#include <numeric>

#include "core/error.hpp"
#include "core/timer.hpp"
#include "data/jsonl.hpp"
#include "select/dedup.hpp"
#include "select/math_classifier.hpp"
#include "select/page_pipeline.hpp"

namespace dsmath::select {

ScoreReport score_pages(const std::vector<std::filesystem::path>& inputs, const std::filesystem::path& model,
                        const std::filesystem::path& output, const DataConfig& config, InputFormat format) {
  const MathClassifier classifier(model);
  PageSource source(inputs, format);
  JsonlWriter out(output);
  ScoreReport report;
  double score_sum = 0;
  const auto stats = run_page_pipeline(
      source, page_fields(config), config.resolved_threads(), "score",
      [&](Page& page, int) {
        page.value = classifier.score(page.text);
        page.output = json_with_score(page, config.score_field, page.value);
      },
      [&](std::vector<Page>& batch) {
        for (const Page& page : batch) {
          if (!page.error.empty()) continue;
          out.write_line(page.output);
          score_sum += page.value;
          report.at_least_half += page.value >= 0.5;
        }
      });
  stats.fail_if_all_malformed(source);
  out.commit();
  report.pages = stats.good_pages();
  report.malformed = stats.malformed;
  report.bytes = stats.bytes;
  report.mean_score = report.pages > 0 ? score_sum / static_cast<double>(report.pages) : 0.0;
  report.seconds = stats.seconds;
  return report;
}

double page_tokens(double text_bytes, std::optional<double> token_field, const SelectionConfig& config) {
  if (token_field && *token_field >= 0) return *token_field;
  return text_bytes / config.bytes_per_token;
}

SelectReport select_pages(const std::vector<std::filesystem::path>& inputs, const std::filesystem::path& output,
                          const DataConfig& config, InputFormat format) {
  Stopwatch clock;
  const SelectionConfig& sc = config.select;
  if (!sc.budget_tokens && !sc.budget_pages && !sc.threshold)
    fail_hint("pass --budget-tokens, --budget-pages or --threshold (or set select.* in the config)",
              "select needs a token budget, a page budget or a score threshold");
  if (sc.budget_tokens && sc.budget_pages)
    fail_hint("give one of them", "select.budget_tokens and select.budget_pages are both set");
  const int threads = config.resolved_threads();
  const PageFields fields = page_fields(config);
  const std::string missing_score = fmt::format("no numeric '{}' field (run `dsmath data score` first)", config.score_field);
  auto check_score = [&](Page& page, int) {
    if (!page.score) page.error = missing_score;
    page.value = page_tokens(static_cast<double>(page.text.size()), page.n_tokens, sc);
  };
  SelectReport report;

  // Pass 1 (budgets only): the score and tokens of every record, then the set to keep.
  std::vector<uint8_t> keep;
  const bool ranked = sc.budget_tokens || sc.budget_pages;
  if (ranked) {
    std::vector<float> scores;
    std::vector<float> tokens;
    PageSource source(inputs, format);
    run_page_pipeline(source, fields, threads, "select: ranking", check_score, [&](std::vector<Page>& batch) {
      for (const Page& page : batch) {
        const bool usable = page.error.empty() && (!sc.threshold || *page.score >= *sc.threshold);
        scores.push_back(usable ? static_cast<float>(*page.score) : -1.0f);  // scores are probabilities in [0, 1]
        tokens.push_back(page.error.empty() ? static_cast<float>(page.value) : 0.0f);
      }
    });
    std::vector<uint32_t> order(scores.size());
    std::iota(order.begin(), order.end(), 0u);
    // highest score first; ties in input order, so the selection is deterministic
    std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return scores[a] > scores[b]; });
    keep.assign(scores.size(), 0);
    double kept_tokens = 0;
    uint64_t kept_pages = 0;
    for (uint32_t i : order) {
      if (scores[i] < 0) break;
      if (sc.budget_pages && kept_pages >= static_cast<uint64_t>(*sc.budget_pages)) break;
      if (sc.budget_tokens && kept_tokens >= static_cast<double>(*sc.budget_tokens)) break;  // the last page may cross it
      keep[i] = 1;
      kept_tokens += tokens[i];
      ++kept_pages;
    }
  }

  // Pass 2: write the kept pages in input order.
  PageSource source(inputs, format);
  JsonlWriter out(output);
  size_t index = 0;
  const auto stats = run_page_pipeline(source, fields, threads, "select", check_score, [&](std::vector<Page>& batch) {
    for (const Page& page : batch) {
      const size_t i = index++;
      if (ranked && i >= keep.size())
        fail_hint("do not modify the inputs while select runs", "the inputs grew between the two passes");
      if (!page.error.empty()) continue;
      report.tokens_in += page.value;
      const bool kept = ranked ? keep[i] != 0 : *page.score >= *sc.threshold;
      if (!kept) continue;
      out.write_line(page.json);
      ++report.pages_out;
      report.tokens_out += page.value;
      if (!report.lowest_kept_score || *page.score < *report.lowest_kept_score) report.lowest_kept_score = *page.score;
    }
  });
  report.pages_in = stats.good_pages();
  report.malformed = stats.malformed;
  if (report.pages_in == 0 && report.malformed > 0)
    fail_hint(fmt::format("score the pages first: dsmath data score --model MODEL -o scored.jsonl INPUT"),
              "no input page has a usable '{}' field ({} records skipped; the first is in the warnings above)",
              config.score_field, report.malformed);
  out.commit();
  report.seconds = clock.seconds();
  return report;
}

}  // namespace dsmath::select
