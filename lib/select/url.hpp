#pragma once
// URL normalization for exact URL dedup and for grouping pages by domain and path (paper
// section 2.1: URL-based deduplication; "a domain with over 10% of its pages collected").
// The normal form is "host[:port]/path[?query]" with
//   - the scheme dropped (http and https copies of a page are one page),
//   - the host lowercased, a trailing '.' and a leading "www." removed, userinfo dropped,
//     default ports (80, 443) removed,
//   - the fragment dropped,
//   - the path: percent-escapes of unreserved characters decoded and other escapes
//     uppercased (RFC 3986 6.2.2), "." and ".." segments resolved (5.2.4), empty path "/",
//     a trailing '/' removed except at the root,
//   - the query: tracking parameters (utm_*, fbclid, gclid, ...) removed, the rest sorted
//     by name (stable), an empty query dropped.
// Text that is not an http(s) URL normalizes to itself, trimmed.
#include <optional>
#include <string>
#include <string_view>

namespace dsmath::select {

std::string normalize_url(std::string_view url);

// The host of a normalized URL ("mathoverflow.net"), "" when there is none.
std::string_view normalized_host(std::string_view normalized);
// The path of a normalized URL without the query ("/questions/123"), "/" when there is none.
std::string_view normalized_path(std::string_view normalized);

// "host" + the first `depth` path segments, each ending in '/': for
// "mathoverflow.net/questions/123/title" and depth 1: "mathoverflow.net/questions/".
// nullopt when the path has fewer than `depth` segments followed by more path.
std::optional<std::string> path_prefix(std::string_view normalized, int depth);

}  // namespace dsmath::select
