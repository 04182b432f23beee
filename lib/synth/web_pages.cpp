#include "synth/web_pages.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <string_view>

#include <fmt/format.h>

#include "core/error.hpp"
#include "synth/page_text.hpp"
#include "synth/text_template.hpp"
#include "synth/word_lists.hpp"

namespace dsmath::synth {

namespace {

struct Section {
  std::string_view host;
  std::string_view path;  // first path segment
};

// Math-only domains.
constexpr std::array<Section, 7> kMathSections{{{"mathforum.example", "word-problems"},
                                                {"mathforum.example", "arithmetic"},
                                                {"homeworkhelp.example", "questions"},
                                                {"numberfun.example", "lessons"},
                                                {"numberfun.example", "worksheets"},
                                                {"mathpractice.example", "practice"},
                                                {"mathpractice.example", "drills"}}};
// Mixed domains: one math path each, and other paths with a distractor kind each.
constexpr std::array<Section, 3> kMixedMathSections{{{"learninghub.example", "math"},
                                                     {"kidscorner.example", "math-games"},
                                                     {"familyblog.example", "homework-help"}}};
struct MixedOther {
  Section section;
  std::string_view kind;
};
constexpr std::array<MixedOther, 7> kMixedOtherSections{{{{"learninghub.example", "history"}, "news"},
                                                         {{"learninghub.example", "film-club"}, "movie"},
                                                         {{"kidscorner.example", "crafts"}, "garden"},
                                                         {{"kidscorner.example", "stories"}, "movie"},
                                                         {{"familyblog.example", "food"}, "recipe"},
                                                         {{"familyblog.example", "travel"}, "travel"},
                                                         {{"familyblog.example", "garden"}, "garden"}}};
// Distractor domains, by kind (other_page_kinds() order).
struct KindSites {
  std::string_view kind;
  std::array<Section, 2> sections;
};
constexpr std::array<KindSites, 8> kOtherSections{{
    {"recipe", {{{"tastykitchen.example", "recipes"}, {"homecooking.example", "dishes"}}}},
    {"sports", {{{"sportsdaily.example", "match"}, {"leaguenews.example", "results"}}}},
    {"travel", {{{"travelnotes.example", "guides"}, {"wanderblog.example", "trips"}}}},
    {"review", {{{"shopreviews.example", "reviews"}, {"gadgetzone.example", "products"}}}},
    {"weather", {{{"weathernow.example", "forecast"}, {"weathernow.example", "week"}}}},
    {"news", {{{"townnews.example", "local"}, {"citypost.example", "news"}}}},
    {"garden", {{{"gardentips.example", "tips"}, {"greenthumb.example", "advice"}}}},
    {"movie", {{{"movienight.example", "reviews"}, {"filmclub.example", "films"}}}},
}};
// Seed domains (seed_math.jsonl only).
constexpr std::array<Section, 3> kSeedSections{{{"openmath.example", "problems"},
                                                {"mathwiki.example", "wiki"},
                                                {"stepbystep.example", "solutions"}}};
constexpr std::array<std::string_view, 3> kMirrorHosts{"copypages.example", "allthelinks.example", "pagevault.example"};
constexpr std::array<std::string_view, 3> kTrackingSources{"newsletter", "feed", "social"};
constexpr std::array<std::string_view, 3> kCopyCredits{"Source:", "Via", "From"};

size_t kind_index(std::string_view kind) {
  const auto& kinds = other_page_kinds();
  const auto it = std::find(kinds.begin(), kinds.end(), kind);
  DSMATH_CHECK(it != kinds.end(), "unknown page kind '{}'", kind);
  return static_cast<size_t>(it - kinds.begin());
}

// "https://host/section/slug-id"; the id makes every original URL unique.
std::string page_url(const Section& s, const PageText& page, uint64_t id) {
  return fmt::format("https://{}/{}/{}-{}", s.host, s.path, url_slug(page.title), id);
}

std::string_view path_of(std::string_view url) {
  const size_t scheme = url.find("://");
  return url.substr(url.find('/', scheme == std::string_view::npos ? 0 : scheme + 3));
}
std::string_view host_of(std::string_view url) {
  const size_t begin = url.find("://") + 3;
  return url.substr(begin, url.find('/', begin) - begin);
}

WebPage copy_of(Rng& rng, const WebPage& original) {
  WebPage copy;
  copy.math = original.math;
  copy.copy_of = original.url;
  if (rng.below(2) == 0) {
    // a re-crawl: same text, the URL as another link spelled it
    copy.copy_kind = "url";
    copy.url = fmt::format("http://www.{}{}?utm_source={}", host_of(original.url), path_of(original.url),
                           kTrackingSources[rng.below(kTrackingSources.size())]);
    copy.text = original.text;
  } else {
    // a scraper site: the page as it is, plus the scraper's credit line
    copy.copy_kind = "near";
    const bool subdomain = rng.below(2) == 0;
    const std::string host = subdomain ? "mirror." + std::string(host_of(original.url))
                                       : std::string(kMirrorHosts[rng.below(kMirrorHosts.size())]);
    copy.url = fmt::format("https://{}{}", host, path_of(original.url));
    copy.text = fmt::format("{}\n\n{} {}", original.text, kCopyCredits[rng.below(kCopyCredits.size())],
                            host_of(original.url));
  }
  return copy;
}

}  // namespace

void WebSpec::validate() const {
  auto fraction = [](double v, std::string_view name) {
    if (!(v >= 0.0 && v <= 1.0)) fail_hint("use a fraction between 0 and 1", "web pages: {} = {} is not a fraction", name, v);
  };
  fraction(math_fraction, "math fraction");
  fraction(mixed_site_fraction, "mixed site fraction");
  fraction(duplicate_fraction, "duplicate fraction");
  if (duplicate_fraction > 0.5)
    fail_hint("use a duplicate fraction of at most 0.5", "web pages: duplicate fraction {} leaves too few originals",
              duplicate_fraction);
}

std::vector<WebPage> generate_web_pages(Rng& rng, const WebSpec& spec, ProblemSource& problems) {
  spec.validate();
  const auto copies = static_cast<size_t>(static_cast<double>(spec.pages) * spec.duplicate_fraction + 0.5);
  const size_t originals = spec.pages - copies;
  const auto math_pages = static_cast<size_t>(static_cast<double>(originals) * spec.math_fraction + 0.5);
  // exactly math_pages math pages, in random order (Fisher-Yates with the seeded generator)
  std::vector<uint8_t> is_math(originals, 0);
  std::fill(is_math.begin(), is_math.begin() + static_cast<long>(math_pages), 1);
  for (size_t i = originals; i > 1; --i) std::swap(is_math[i - 1], is_math[rng.below(i)]);

  // sort key: originals at 2^20 * index, each copy somewhere after its original
  std::vector<std::pair<uint64_t, WebPage>> keyed;
  keyed.reserve(spec.pages);
  constexpr uint64_t kStride = uint64_t{1} << 20;
  for (size_t i = 0; i < originals; ++i) {
    WebPage page;
    page.math = is_math[i] != 0;
    // each branch draws the text and the section; the order of draws fixes the pages of a seed
    PageText text;
    Section section;
    if (page.math) {
      text = math_page(rng, problems);
      const bool mixed = rng.uniform() < spec.mixed_site_fraction;
      section = mixed ? kMixedMathSections[rng.below(kMixedMathSections.size())]
                      : kMathSections[rng.below(kMathSections.size())];
    } else if (rng.below(7) == 0) {
      const MixedOther& m = kMixedOtherSections[rng.below(kMixedOtherSections.size())];
      text = other_page(rng, kind_index(m.kind));
      section = m.section;
    } else {
      const size_t kind = rng.below(kOtherSections.size());
      text = other_page(rng, kind_index(kOtherSections[kind].kind));
      section = kOtherSections[kind].sections[rng.below(2)];
    }
    page.url = page_url(section, text, 1000 + i);
    page.text = std::move(text.text);
    keyed.emplace_back(kStride * i, std::move(page));
  }
  for (size_t c = 0; c < copies && originals > 0; ++c) {
    const size_t o = rng.below(originals);
    const uint64_t key = kStride * o + 1 + rng.below(kStride * (originals - o) - 1);
    keyed.emplace_back(key, copy_of(rng, keyed[o].second));
  }
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<WebPage> pages;
  pages.reserve(keyed.size());
  for (auto& [key, page] : keyed) pages.push_back(std::move(page));
  return pages;
}

std::vector<WebPage> generate_seed_pages(Rng& rng, size_t count, ProblemSource& problems) {
  std::vector<WebPage> pages;
  pages.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const PageText text = math_page(rng, problems);
    WebPage page;
    page.math = true;
    page.url = page_url(kSeedSections[rng.below(kSeedSections.size())], text, 1000 + i);
    page.text = text.text;
    pages.push_back(std::move(page));
  }
  return pages;
}

std::vector<std::string> generate_general_documents(Rng& rng, size_t count) {
  std::vector<std::string> docs;
  docs.reserve(count);
  for (size_t i = 0; i < count; ++i) docs.push_back(other_page(rng, rng.below(other_page_kinds().size())).text);
  return docs;
}

}  // namespace dsmath::synth
