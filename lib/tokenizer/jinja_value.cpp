// Jinja values and their Python spellings: str() for output, json.dumps for tojson.
#include <cmath>

#include <fmt/format.h>

#include "tokenizer/jinja_ast.hpp"

namespace dsmath::jinja {

Value Value::none() {
  Value v;
  v.kind_ = Kind::none;
  return v;
}
Value::Value(bool b) : kind_(Kind::boolean), b_(b) {}
Value::Value(int64_t i) : kind_(Kind::integer), i_(i) {}
Value::Value(double d) : kind_(Kind::number), d_(d) {}
Value::Value(std::string s) : kind_(Kind::string), s_(std::move(s)) {}
Value::Value(List l) : kind_(Kind::list), list_(std::make_shared<List>(std::move(l))) {}
Value::Value(Dict d) : kind_(Kind::dict), dict_(std::make_shared<Dict>(std::move(d))) {}
Value Value::callable(std::shared_ptr<Callable> c) {
  Value v;
  v.kind_ = Kind::callable;
  v.callable_ = std::move(c);
  return v;
}
Value Value::shared_dict(std::shared_ptr<Dict> d) {
  Value v;
  v.kind_ = Kind::dict;
  v.dict_ = std::move(d);
  return v;
}

Value Value::get(std::string_view key) const {
  if (kind_ != Kind::dict) return {};
  for (const auto& [k, v] : *dict_)
    if (k == key) return v;
  return {};
}

bool Value::truthy() const {
  switch (kind_) {
    case Kind::undefined:
    case Kind::none: return false;
    case Kind::boolean: return b_;
    case Kind::integer: return i_ != 0;
    case Kind::number: return d_ != 0.0;
    case Kind::string: return !s_.empty();
    case Kind::list: return !list_->empty();
    case Kind::dict: return !dict_->empty();
    case Kind::callable: return true;
  }
  return false;
}

Value Value::from_json(const Json& j) {
  if (j.is_null()) return none();
  if (j.is_boolean()) return Value(j.get<bool>());
  if (j.is_number_integer()) return Value(j.get<int64_t>());
  if (j.is_number()) return Value(j.get<double>());
  if (j.is_string()) return Value(j.get<std::string>());
  if (j.is_array()) {
    List l;
    for (const auto& e : j) l.push_back(from_json(e));
    return Value(std::move(l));
  }
  Dict d;
  for (auto it = j.begin(); it != j.end(); ++it) d.emplace_back(it.key(), from_json(*it));
  return Value(std::move(d));
}

namespace {

// Python's repr(float): the shortest round-trip digits, ".0" on integral values.
std::string python_float(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  std::string s = fmt::format("{}", d);
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

std::string python_repr_string(const std::string& s) {
  const char quote = s.find('\'') != std::string::npos && s.find('"') == std::string::npos ? '"' : '\'';
  std::string out(1, quote);
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c == quote) out += std::string("\\") + c;
    else out += c;
  }
  return out + quote;
}

std::string repr(const Value& v) {
  if (v.is_string()) return python_repr_string(v.str());
  return to_output(v);
}

void json_string(std::string& out, const std::string& s) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) out += fmt::format("\\u{:04x}", c);
        else out += static_cast<char>(c);
    }
  }
  out += '"';
}

void json_value(std::string& out, const Value& v, int indent, int depth) {
  auto newline = [&](int d) {
    if (indent < 0) return;
    out += '\n';
    out.append(static_cast<size_t>(indent * d), ' ');
  };
  switch (v.kind()) {
    case Value::Kind::undefined:
    case Value::Kind::none: out += "null"; return;
    case Value::Kind::boolean: out += v.boolean() ? "true" : "false"; return;
    case Value::Kind::integer: out += std::to_string(v.integer()); return;
    case Value::Kind::number: {
      const double d = v.number();
      out += std::isnan(d) ? "NaN" : (std::isinf(d) ? (d > 0 ? "Infinity" : "-Infinity") : python_float(d));
      return;
    }
    case Value::Kind::string: json_string(out, v.str()); return;
    case Value::Kind::list: {
      if (v.list().empty()) {
        out += "[]";
        return;
      }
      out += '[';
      for (size_t i = 0; i < v.list().size(); ++i) {
        if (i > 0) out += indent < 0 ? ", " : ",";
        newline(depth + 1);
        json_value(out, v.list()[i], indent, depth + 1);
      }
      newline(depth);
      out += ']';
      return;
    }
    case Value::Kind::dict: {
      if (v.dict().empty()) {
        out += "{}";
        return;
      }
      out += '{';
      for (size_t i = 0; i < v.dict().size(); ++i) {
        if (i > 0) out += indent < 0 ? ", " : ",";
        newline(depth + 1);
        json_string(out, v.dict()[i].first);
        out += ": ";
        json_value(out, v.dict()[i].second, indent, depth + 1);
      }
      newline(depth);
      out += '}';
      return;
    }
    case Value::Kind::callable: out += "null"; return;
  }
}

}  // namespace

std::string to_output(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::undefined: return "";
    case Value::Kind::none: return "None";
    case Value::Kind::boolean: return v.boolean() ? "True" : "False";
    case Value::Kind::integer: return std::to_string(v.integer());
    case Value::Kind::number: return python_float(v.number());
    case Value::Kind::string: return v.str();
    case Value::Kind::list: {
      std::string out = "[";
      for (size_t i = 0; i < v.list().size(); ++i) out += (i ? ", " : "") + repr(v.list()[i]);
      return out + "]";
    }
    case Value::Kind::dict: {
      std::string out = "{";
      for (size_t i = 0; i < v.dict().size(); ++i)
        out += (i ? ", " : "") + python_repr_string(v.dict()[i].first) + ": " + repr(v.dict()[i].second);
      return out + "}";
    }
    case Value::Kind::callable: return "<function>";
  }
  return "";
}

std::string to_json_text(const Value& v, int indent) {
  std::string out;
  json_value(out, v, indent, 0);
  return out;
}

}  // namespace dsmath::jinja
