#pragma once
// A small Common Crawl stand-in for the corpus selection stage (DeepSeekMath section 2.1;
// docs/data.md): math pages on math domains, distractor pages on other domains, domains that
// mix math and non-math paths (what `dsmath data domains` discovers, like mathoverflow.net
// with its /questions/ path), and copies for dedup: the same page under an equivalent URL
// (http vs https, www., tracking parameters) and edited copies on mirror sites.
#include <cstddef>
#include <string>
#include <vector>

#include "core/rng.hpp"
#include "synth/problem_source.hpp"

namespace dsmath::synth {

struct WebPage {
  std::string url;
  std::string text;
  bool math = false;
  std::string copy_of;    // URL of the page this one copies ("" for an original)
  std::string copy_kind;  // "url": same text, equivalent URL; "near": edited copy on another host
};

struct WebSpec {
  size_t pages = 3000;             // every page, copies included
  double math_fraction = 0.35;     // of the original pages
  double mixed_site_fraction = 0.3;   // of the math pages: on a mixed domain's math path
  double duplicate_fraction = 0.03;   // of all pages: copies of earlier pages
  void validate() const;
};

// The pages in crawl order: every copy comes after its original (dedup keeps the first).
std::vector<WebPage> generate_web_pages(Rng& rng, const WebSpec& spec, ProblemSource& problems);

// Seed pages for the classifier (the paper's OpenWebMath seed): math pages of the same styles
// on seed domains that web pages never use, with their own problems.
std::vector<WebPage> generate_seed_pages(Rng& rng, size_t count, ProblemSource& problems);

// General (non-math) text for the pretraining mixture, from the distractor page kinds.
std::vector<std::string> generate_general_documents(Rng& rng, size_t count);

}  // namespace dsmath::synth
