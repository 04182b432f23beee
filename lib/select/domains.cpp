#include "select/domains.hpp"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/strings.hpp"
#include "core/timer.hpp"
#include "data/jsonl.hpp"
#include "select/dedup.hpp"
#include "select/page_pipeline.hpp"
#include "select/url.hpp"

namespace dsmath::select {
namespace {

struct Counts {
  uint64_t seen = 0, selected = 0;
};

// Runs the pipeline over `inputs` with each page's normalized URL in page.output.
template <class Consume>
PipelineStats for_each_normalized_url(const std::vector<std::filesystem::path>& inputs, const DataConfig& config,
                                      InputFormat format, const std::string& label, Consume&& consume) {
  PageSource source(inputs, format);
  auto stats = run_page_pipeline(
      source, page_fields(config), config.resolved_threads(), label,
      [](Page& page, int) { page.output = page.url.empty() ? std::string() : normalize_url(page.url); },
      [&](std::vector<Page>& batch) {
        for (const Page& page : batch)
          if (page.error.empty()) consume(page);
      });
  stats.fail_if_all_malformed(source);
  return stats;
}

}  // namespace

DomainsReport find_math_domains(const std::vector<std::filesystem::path>& seen,
                                const std::vector<std::filesystem::path>& selected, const DomainsOutputs& outputs,
                                const DataConfig& config, InputFormat format) {
  const auto& marks_path = outputs.marks;
  const auto& auto_mark_fraction = outputs.auto_mark_fraction;
  Stopwatch clock;
  const DomainsConfig& dc = config.domains;
  DomainsReport report;
  std::unordered_map<std::string, Counts> domains;
  std::unordered_map<std::string, Counts> prefixes;  // of selected pages only

  auto selected_stats = for_each_normalized_url(selected, config, format, "domains: selected", [&](const Page& page) {
    ++report.pages_selected;
    if (page.output.empty()) return;
    ++domains[std::string(normalized_host(page.output))].selected;
    for (int depth = 1; depth <= dc.prefix_depth; ++depth)
      if (auto prefix = path_prefix(page.output, depth)) ++prefixes[*prefix].selected;
  });
  auto seen_stats = for_each_normalized_url(seen, config, format, "domains: seen", [&](const Page& page) {
    ++report.pages_seen;
    if (page.output.empty()) {
      ++report.pages_without_url;
      return;
    }
    ++domains[std::string(normalized_host(page.output))].seen;
    for (int depth = 1; depth <= dc.prefix_depth; ++depth) {
      auto prefix = path_prefix(page.output, depth);
      if (!prefix) break;
      auto it = prefixes.find(*prefix);
      if (it != prefixes.end()) ++it->second.seen;
    }
  });
  report.malformed = selected_stats.malformed + seen_stats.malformed;
  report.domains_seen = domains.size();

  std::unordered_map<std::string, size_t> listed;  // domain -> index in math_domains
  for (const auto& [domain, counts] : domains) {
    if (counts.seen < static_cast<uint64_t>(dc.min_seen_pages)) continue;
    DomainStats stats{domain, counts.seen, counts.selected, {}};
    if (stats.fraction() <= dc.min_fraction) continue;
    if (counts.selected > counts.seen)
      log::warn("domain {}: {} pages selected but only {} seen; pass every scored page as --seen", domain,
                counts.selected, counts.seen);
    listed[domain] = report.math_domains.size();
    report.math_domains.push_back(std::move(stats));
  }
  for (const auto& [prefix, counts] : prefixes) {
    auto it = listed.find(std::string(normalized_host(prefix)));
    if (it != listed.end()) report.math_domains[it->second].prefixes.push_back({prefix, counts.seen, counts.selected});
  }
  for (auto& d : report.math_domains) {
    std::sort(d.prefixes.begin(), d.prefixes.end(), [](const PrefixStats& a, const PrefixStats& b) {
      return a.selected != b.selected ? a.selected > b.selected : a.prefix < b.prefix;
    });
    if (d.prefixes.size() > static_cast<size_t>(dc.top_prefixes)) d.prefixes.resize(static_cast<size_t>(dc.top_prefixes));
  }
  std::sort(report.math_domains.begin(), report.math_domains.end(), [](const DomainStats& a, const DomainStats& b) {
    return a.selected != b.selected ? a.selected > b.selected : a.domain < b.domain;
  });

  if (outputs.all_domains) {
    std::vector<std::pair<std::string, Counts>> all(domains.begin(), domains.end());
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
      return a.second.selected != b.second.selected ? a.second.selected > b.second.selected
             : a.second.seen != b.second.seen       ? a.second.seen > b.second.seen
                                                    : a.first < b.first;
    });
    JsonlWriter all_out(*outputs.all_domains);
    for (const auto& [domain, counts] : all)
      all_out.write(Json{{"domain", domain}, {"seen", counts.seen}, {"selected", counts.selected}});
    all_out.commit();
  }

  JsonlWriter out(outputs.report);
  for (const auto& d : report.math_domains) {
    Json line;
    line["domain"] = d.domain;
    line["seen"] = d.seen;
    line["selected"] = d.selected;
    line["fraction"] = d.fraction();
    Json list = Json::array();
    for (const auto& p : d.prefixes) list.push_back(Json{{"prefix", p.prefix}, {"seen", p.seen}, {"selected", p.selected}});
    line["path_prefixes"] = std::move(list);
    out.write(line);
  }
  out.commit();

  if (marks_path) {
    std::string text = fmt::format(
        "# Math-related domains: more than {:.0f}% of their pages selected (dsmath data domains).\n"
        "# Uncomment (remove the leading '# ') each path prefix whose pages are math, then run\n"
        "#   dsmath data expand-seed --marks THIS_FILE ...\n"
        "# A marked line is 'host/path/' and may be followed by anything after whitespace.\n",
        dc.min_fraction * 100);
    for (const auto& d : report.math_domains) {
      text += fmt::format("\n## {}: {} of {} pages selected ({:.1f}%)\n", d.domain, d.selected, d.seen, 100 * d.fraction());
      for (const auto& p : d.prefixes) {
        const double fraction = p.seen == 0 ? 0.0 : static_cast<double>(p.selected) / static_cast<double>(p.seen);
        const bool mark = auto_mark_fraction && p.seen > 0 && fraction >= *auto_mark_fraction;
        report.auto_marked += mark;
        text += fmt::format("{}{}\tselected {} of {} ({:.1f}%)\n", mark ? "" : "# ", p.prefix, p.selected, p.seen,
                            100 * fraction);
      }
    }
    write_file_atomic(*marks_path, text);
  }
  report.seconds = clock.seconds();
  return report;
}

std::vector<std::string> read_marked_prefixes(const std::filesystem::path& marks_path) {
  LineReader reader(marks_path);
  std::string line;
  std::vector<std::string> marked;
  while (reader.next(line)) {
    std::string_view text = trim(line);
    if (text.empty() || text.front() == '#') continue;
    text = text.substr(0, std::min(text.find_first_of(" \t"), text.size()));
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos || slash == 0)
      fail_hint("a marked line is 'host/path/' (e.g. mathoverflow.net/questions/); comment lines start with '#'",
                "{}: '{}' is not a URL path prefix", reader.where(), std::string(text));
    // normalize the host as URLs are normalized; keep the path as written
    std::string host(normalized_host(normalize_url("http://" + std::string(text.substr(0, slash)) + "/")));
    marked.push_back(host + std::string(text.substr(slash)));
  }
  if (marked.empty())
    fail_hint("uncomment the lines of the path prefixes that hold math pages", "{}: no path prefix is marked",
              marks_path.string());
  return marked;
}

ExpandSeedReport expand_seed(const std::vector<std::filesystem::path>& seed,
                             const std::vector<std::filesystem::path>& pool, const std::filesystem::path& marks_path,
                             const std::filesystem::path& output, const DataConfig& config, InputFormat format) {
  Stopwatch clock;
  const std::vector<std::string> marked = read_marked_prefixes(marks_path);
  ExpandSeedReport report;
  std::vector<uint64_t> added_by_prefix(marked.size(), 0);
  std::unordered_set<uint64_t> urls;  // normalized URL hashes already in the seed
  JsonlWriter out(output);
  auto seed_stats = for_each_normalized_url(seed, config, format, "expand-seed: seed", [&](const Page& page) {
    ++report.seed_pages;
    if (!page.output.empty()) urls.insert(hash64(page.output));
    out.write_line(page.json);
  });
  auto pool_stats = for_each_normalized_url(pool, config, format, "expand-seed: pool", [&](const Page& page) {
    ++report.pool_pages;
    if (page.output.empty()) return;
    for (size_t m = 0; m < marked.size(); ++m) {
      if (!starts_with(page.output, marked[m])) continue;
      if (urls.insert(hash64(page.output)).second) {
        out.write_line(page.json);
        ++report.added;
        ++added_by_prefix[m];
      }
      break;
    }
  });
  out.commit();
  report.malformed = seed_stats.malformed + pool_stats.malformed;
  for (size_t m = 0; m < marked.size(); ++m) report.added_by_prefix.emplace_back(marked[m], added_by_prefix[m]);
  report.seconds = clock.seconds();
  return report;
}

}  // namespace dsmath::select
