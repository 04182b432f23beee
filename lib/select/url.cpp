#include "select/url.hpp"

#include <algorithm>
#include <vector>

#include "core/strings.hpp"

namespace dsmath::select {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }
char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

// RFC 3986 6.2.2.1/6.2.2.2: uppercase the hex of escapes, decode escaped unreserved characters.
std::string normalize_escapes(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
      const char decoded = static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      if (is_unreserved(decoded)) {
        out.push_back(decoded);
      } else {
        out.push_back('%');
        out.push_back(upper(s[i + 1]));
        out.push_back(upper(s[i + 2]));
      }
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// RFC 3986 5.2.4 remove_dot_segments, on an absolute path.
std::string remove_dot_segments(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 1;  // path starts with '/'
  bool trailing_slash = false;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view seg = path.substr(start, end - start);
    const bool last = end == path.size();
    if (seg == ".") {
      trailing_slash = last;
    } else if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
      trailing_slash = last;
    } else {
      segments.push_back(seg);
      trailing_slash = false;
    }
    start = end + 1;
  }
  std::string out;
  for (auto seg : segments) {
    out.push_back('/');
    out.append(seg);
  }
  if (trailing_slash || out.empty()) out.push_back('/');
  return out;
}

bool is_tracking_parameter(std::string_view name) {
  static constexpr std::string_view kTracking[] = {"fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid",
                                                   "_ga",    "igshid"};
  if (starts_with(name, "utm_")) return true;
  return std::find(std::begin(kTracking), std::end(kTracking), name) != std::end(kTracking);
}

std::string normalize_query(std::string_view query) {
  std::vector<std::string> params;
  for (auto& p : split(query, '&')) {
    if (p.empty()) continue;
    std::string_view name = std::string_view(p).substr(0, p.find('='));
    std::string lowered_name(name);
    for (char& c : lowered_name) c = lower(c);
    if (is_tracking_parameter(lowered_name)) continue;
    params.push_back(normalize_escapes(p));
  }
  std::stable_sort(params.begin(), params.end(), [](const std::string& a, const std::string& b) {
    return std::string_view(a).substr(0, a.find('=')) < std::string_view(b).substr(0, b.find('='));
  });
  return join(params, "&");
}

}  // namespace

std::string normalize_url(std::string_view url) {
  url = trim(url);
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  std::string scheme(url.substr(0, scheme_end));
  for (char& c : scheme) c = lower(c);
  if (scheme != "http" && scheme != "https") return std::string(url);
  std::string_view rest = url.substr(scheme_end + 3);
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const size_t authority_end = std::min(rest.find_first_of("/?"), rest.size());
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view path_and_query = rest.substr(authority_end);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) authority = authority.substr(at + 1);

  std::string host(authority);
  std::string port;
  if (size_t colon = host.rfind(':'); colon != std::string::npos && host.find(']') == std::string::npos) {
    port = host.substr(colon + 1);
    host.resize(colon);
  }
  for (char& c : host) c = lower(c);
  while (!host.empty() && host.back() == '.') host.pop_back();
  if (starts_with(host, "www.")) host.erase(0, 4);
  if ((scheme == "http" && port == "80") || (scheme == "https" && port == "443")) port.clear();

  std::string_view path = path_and_query;
  std::string_view query;
  if (size_t q = path_and_query.find('?'); q != std::string_view::npos) {
    path = path_and_query.substr(0, q);
    query = path_and_query.substr(q + 1);
  }
  std::string normalized_path = remove_dot_segments(path.empty() ? std::string("/") : normalize_escapes(path));
  if (normalized_path.size() > 1 && normalized_path.back() == '/') normalized_path.pop_back();

  std::string out = host;
  if (!port.empty()) out += ":" + port;
  out += normalized_path;
  std::string normalized_query = normalize_query(query);
  if (!normalized_query.empty()) out += "?" + normalized_query;
  return out;
}

std::string_view normalized_host(std::string_view normalized) {
  const size_t end = std::min(normalized.find_first_of("/?"), normalized.size());
  std::string_view host = normalized.substr(0, end);
  if (size_t colon = host.rfind(':'); colon != std::string_view::npos && host.find(']') == std::string_view::npos)
    host = host.substr(0, colon);
  return host;
}

std::string_view normalized_path(std::string_view normalized) {
  const size_t begin = normalized.find('/');
  if (begin == std::string_view::npos) return "/";
  std::string_view path = normalized.substr(begin);
  if (size_t q = path.find('?'); q != std::string_view::npos) path = path.substr(0, q);
  return path;
}

std::optional<std::string> path_prefix(std::string_view normalized, int depth) {
  std::string_view host = normalized_host(normalized);
  std::string_view path = normalized_path(normalized);
  size_t pos = 0;  // path[pos] == '/'
  for (int d = 0; d < depth; ++d) {
    const size_t next = path.find('/', pos + 1);
    if (next == std::string_view::npos) return std::nullopt;  // the last segment is the page itself
    pos = next;
  }
  return std::string(host) + std::string(path.substr(0, pos + 1));
}

}  // namespace dsmath::select
