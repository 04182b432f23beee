// URL normalization: hand-worked examples of each rule in url.hpp (RFC 3986 sections cited there).
#include <catch2/catch.hpp>

#include "select/url.hpp"

using namespace dsmath::select;

TEST_CASE("normalize_url: scheme and host and port and fragment") {
  CHECK(normalize_url("https://www.MathOverflow.net/questions/1#answer-2") == "mathoverflow.net/questions/1");
  CHECK(normalize_url("http://mathoverflow.net:80/questions/1/") == "mathoverflow.net/questions/1");
  CHECK(normalize_url("HTTPS://user:pw@Example.COM.:443") == "example.com/");
  CHECK(normalize_url("http://example.com:8080/a") == "example.com:8080/a");
  CHECK(normalize_url("https://example.com:80/a") == "example.com:80/a");  // 80 is not https's default
}

TEST_CASE("normalize_url: path escapes and dot segments") {
  CHECK(normalize_url("http://a.com/%7Euser/%2fx%2F") == "a.com/~user/%2Fx%2F");
  CHECK(normalize_url("http://a.com/a/b/c/./../../g") == "a.com/a/g");  // RFC 3986 5.4.2 example
  CHECK(normalize_url("http://a.com/../x") == "a.com/x");
  CHECK(normalize_url("http://a.com") == "a.com/");
}

TEST_CASE("normalize_url: query") {
  CHECK(normalize_url("http://a.com/p?utm_source=x&b=2&a=1&fbclid=9") == "a.com/p?a=1&b=2");
  CHECK(normalize_url("http://a.com/p?b=2&a=3&a=1") == "a.com/p?a=3&a=1&b=2");  // stable: values keep their order
  CHECK(normalize_url("http://a.com/p?utm_medium=x") == "a.com/p");
  CHECK(normalize_url("http://a.com/p?") == "a.com/p");
}

TEST_CASE("normalize_url: other text is kept as it is but trimmed") {
  CHECK(normalize_url("  ftp://x.org/file ") == "ftp://x.org/file");
  CHECK(normalize_url("not a url") == "not a url");
  CHECK(normalize_url("") == "");
}

TEST_CASE("host and path and path prefixes of normalized URLs") {
  const std::string u = normalize_url("https://www.mathoverflow.net/questions/123/why?x=1");
  CHECK(u == "mathoverflow.net/questions/123/why?x=1");
  CHECK(normalized_host(u) == "mathoverflow.net");
  CHECK(normalized_path(u) == "/questions/123/why");
  CHECK(path_prefix(u, 1) == std::optional<std::string>("mathoverflow.net/questions/"));
  CHECK(path_prefix(u, 2) == std::optional<std::string>("mathoverflow.net/questions/123/"));
  CHECK_FALSE(path_prefix(u, 3).has_value());  // "why" is the page, not a folder
  CHECK(normalized_host("a.com:8080/x") == "a.com");
  CHECK(normalized_path("a.com") == "/");
}
