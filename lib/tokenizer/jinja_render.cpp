// Rendering a parsed Jinja template: scopes as jinja2 has them (a for loop's body and a
// macro call are scopes of their own, so "set" inside them does not leak out; if blocks are
// not), expression semantics of Python, and the filters, tests and methods chat templates use:
//   filters  abs capitalize count d default dictsort first float int items join last length
//            list lower map max min reject rejectattr replace reverse round safe select
//            selectattr sort string sum title tojson trim unique upper
//   tests    boolean callable defined divisibleby eq equalto even false float ge gt in integer
//            iterable le lower lt mapping ne none number odd sameas sequence string true
//            undefined upper
//   methods  str: strip lstrip rstrip split splitlines startswith endswith upper lower title
//            capitalize replace find count join; dict: items keys values get; list: count index
//   globals  range namespace raise_exception dict strftime_now
#include <algorithm>
#include <cmath>
#include <ctime>
#include <map>

#include <fmt/format.h>

#include "core/error.hpp"
#include "tokenizer/jinja_ast.hpp"

namespace dsmath::jinja {

namespace {

enum class Flow { normal, break_, continue_ };

class Renderer {
 public:
  Renderer(const std::string& where, const Value& context) : where_(where) {
    frames_.emplace_back();
    if (context.is_dict())
      for (const auto& [k, v] : context.dict()) frames_.back()[k] = v;
    install_globals();
  }

  Flow render(const Node& n, std::string& out) {
    switch (n.kind) {
      case Node::Kind::sequence:
        for (const auto& c : n.children) {
          const Flow f = render(*c, out);
          if (f != Flow::normal) return f;
        }
        return Flow::normal;
      case Node::Kind::text: out += n.text; return Flow::normal;
      case Node::Kind::output: out += to_output(eval(*n.expr)); return Flow::normal;
      case Node::Kind::if_:
        for (const auto& [condition, body] : n.branches)
          if (!condition || eval(*condition).truthy()) return render(*body, out);
        return Flow::normal;
      case Node::Kind::for_: return render_for(n, out);
      case Node::Kind::set: {
        Value v = eval(*n.expr);
        if (!n.target_attr.empty()) {
          Value ns = lookup(n.targets[0]);
          if (!ns.is_dict()) error(n.line, fmt::format("cannot set attribute '{}' of '{}': it is not a namespace", n.target_attr, n.targets[0]));
          Dict& d = ns.mutable_dict();
          auto it = std::find_if(d.begin(), d.end(), [&](const auto& kv) { return kv.first == n.target_attr; });
          if (it != d.end()) it->second = v;
          else d.emplace_back(n.target_attr, v);
          return Flow::normal;
        }
        assign(n.targets, v, n.line);
        return Flow::normal;
      }
      case Node::Kind::set_block: {
        std::string body;
        render(*n.body, body);
        frames_.back()[n.targets[0]] = Value(body);
        return Flow::normal;
      }
      case Node::Kind::macro: {
        const Node* node = &n;
        auto c = std::make_shared<Callable>();
        c->call = [this, node](const List& args, const Dict& kwargs) {
          std::map<std::string, Value> frame;
          for (size_t i = 0; i < node->params.size(); ++i) {
            const auto& [name, def] = node->params[i];
            auto kw = std::find_if(kwargs.begin(), kwargs.end(), [&](const auto& kv) { return kv.first == name; });
            if (i < args.size()) frame[name] = args[i];
            else if (kw != kwargs.end()) frame[name] = kw->second;
            else if (def) frame[name] = eval(*def);
            else frame[name] = Value();
          }
          frames_.push_back(std::move(frame));
          std::string out;
          render(*node->body, out);
          frames_.pop_back();
          return Value(out);
        };
        frames_.back()[n.targets[0]] = Value::callable(c);
        return Flow::normal;
      }
      case Node::Kind::break_: return Flow::break_;
      case Node::Kind::continue_: return Flow::continue_;
      case Node::Kind::call_block: error(n.line, "call blocks are not supported");
    }
    return Flow::normal;
  }

 private:
  [[noreturn]] void error(int line, const std::string& what) const {
    fail_hint("the chat template failed while rendering (the same error as in jinja2, or a construct dsmath lacks)",
              "{} line {}: {}", where_, line, what);
  }

  Value lookup(const std::string& name) const {
    for (auto it = frames_.rbegin(); it != frames_.rend(); ++it) {
      auto v = it->find(name);
      if (v != it->end()) return v->second;
    }
    return {};
  }

  void assign(const std::vector<std::string>& targets, const Value& v, int line) {
    if (targets.size() == 1) {
      frames_.back()[targets[0]] = v;
      return;
    }
    const List items = iterate(v, line);
    if (items.size() != targets.size())
      error(line, fmt::format("cannot unpack {} values into {} names", items.size(), targets.size()));
    for (size_t i = 0; i < targets.size(); ++i) frames_.back()[targets[i]] = items[i];
  }

  // Python iteration: list items, dict keys, string characters (UTF-8 code points).
  List iterate(const Value& v, int line) const {
    switch (v.kind()) {
      case Value::Kind::undefined: return {};
      case Value::Kind::list: return v.list();
      case Value::Kind::dict: {
        List keys;
        for (const auto& kv : v.dict()) keys.emplace_back(kv.first);
        return keys;
      }
      case Value::Kind::string: {
        List chars;
        const std::string& s = v.str();
        for (size_t i = 0; i < s.size();) {
          size_t n = 1;
          const auto c = static_cast<unsigned char>(s[i]);
          if (c >= 0xF0) n = 4;
          else if (c >= 0xE0) n = 3;
          else if (c >= 0xC0) n = 2;
          chars.emplace_back(s.substr(i, n));
          i += n;
        }
        return chars;
      }
      default: error(line, fmt::format("'{}' is not iterable", to_output(v)));
    }
  }

  Flow render_for(const Node& n, std::string& out) {
    List items = iterate(eval(*n.expr), n.line);
    if (n.filter) {
      List kept;
      for (const auto& item : items) {
        frames_.emplace_back();
        assign(n.targets, item, n.line);
        const bool keep = eval(*n.filter).truthy();
        frames_.pop_back();
        if (keep) kept.push_back(item);
      }
      items = std::move(kept);
    }
    if (items.empty()) {
      if (n.else_body) render(*n.else_body, out);
      return Flow::normal;
    }
    const auto length = static_cast<int64_t>(items.size());
    for (int64_t i = 0; i < length; ++i) {
      frames_.emplace_back();
      Dict loop{{"index", Value(i + 1)},
                {"index0", Value(i)},
                {"revindex", Value(length - i)},
                {"revindex0", Value(length - i - 1)},
                {"first", Value(i == 0)},
                {"last", Value(i == length - 1)},
                {"length", Value(length)},
                {"depth", Value(int64_t{1})},
                {"depth0", Value(int64_t{0})}};
      loop.emplace_back("previtem", i > 0 ? items[static_cast<size_t>(i - 1)] : Value());
      loop.emplace_back("nextitem", i + 1 < length ? items[static_cast<size_t>(i + 1)] : Value());
      frames_.back()["loop"] = Value(std::move(loop));
      assign(n.targets, items[static_cast<size_t>(i)], n.line);
      const Flow f = render(*n.body, out);
      frames_.pop_back();
      if (f == Flow::break_) break;
    }
    return Flow::normal;
  }

  // ---------------------------------------------------------------------------------------
  // Expressions

  static bool equal(const Value& a, const Value& b) {
    if (a.is_number() && b.is_number()) return a.number() == b.number();
    if (a.kind() == Value::Kind::boolean && b.is_number()) return (a.boolean() ? 1.0 : 0.0) == b.number();
    if (b.kind() == Value::Kind::boolean && a.is_number()) return (b.boolean() ? 1.0 : 0.0) == a.number();
    if (a.kind() != b.kind()) return false;
    switch (a.kind()) {
      case Value::Kind::undefined:
      case Value::Kind::none: return true;
      case Value::Kind::boolean: return a.boolean() == b.boolean();
      case Value::Kind::string: return a.str() == b.str();
      case Value::Kind::list:
        if (a.list().size() != b.list().size()) return false;
        for (size_t i = 0; i < a.list().size(); ++i)
          if (!equal(a.list()[i], b.list()[i])) return false;
        return true;
      case Value::Kind::dict:
        if (a.dict().size() != b.dict().size()) return false;
        for (const auto& [k, v] : a.dict())
          if (!equal(v, b.get(k))) return false;
        return true;
      default: return false;
    }
  }

  bool less(const Value& a, const Value& b, int line) const {
    if (a.is_number() && b.is_number()) return a.number() < b.number();
    if (a.is_string() && b.is_string()) return a.str() < b.str();
    error(line, fmt::format("cannot compare '{}' and '{}'", to_output(a), to_output(b)));
  }

  bool contains(const Value& container, const Value& item, int line) const {
    if (container.is_string()) {
      if (!item.is_string()) error(line, "'in <string>' needs a string on the left");
      return container.str().find(item.str()) != std::string::npos;
    }
    if (container.is_list())
      return std::any_of(container.list().begin(), container.list().end(), [&](const Value& v) { return equal(v, item); });
    if (container.is_dict()) return item.is_string() && !container.get(item.str()).is_undefined();
    if (container.is_undefined()) error(line, "an undefined value is not a container");
    error(line, fmt::format("'{}' is not a container", to_output(container)));
  }

  Value undefined_error(int line, const std::string& what) const { error(line, what + " is undefined"); }

  Value arithmetic(const std::string& op, const Value& a, const Value& b, int line) const {
    if (a.is_undefined() || b.is_undefined()) undefined_error(line, "an operand of '" + op + "'");
    if (op == "+") {
      if (a.is_string() && b.is_string()) return Value(a.str() + b.str());
      if (a.is_list() && b.is_list()) {
        List l = a.list();
        l.insert(l.end(), b.list().begin(), b.list().end());
        return Value(std::move(l));
      }
    }
    if (op == "*" && a.is_string() && b.kind() == Value::Kind::integer) {
      std::string s;
      for (int64_t i = 0; i < b.integer(); ++i) s += a.str();
      return Value(s);
    }
    auto number_of = [&](const Value& v) -> std::optional<Value> {
      if (v.is_number()) return v;
      if (v.kind() == Value::Kind::boolean) return Value(static_cast<int64_t>(v.boolean() ? 1 : 0));
      return std::nullopt;
    };
    const auto x = number_of(a), y = number_of(b);
    if (!x || !y) error(line, fmt::format("unsupported operands for '{}': '{}' and '{}'", op, to_output(a), to_output(b)));
    const bool ints = x->kind() == Value::Kind::integer && y->kind() == Value::Kind::integer;
    const double p = x->number(), q = y->number();
    if (op == "/") {
      if (q == 0) error(line, "division by zero");
      return Value(p / q);
    }
    if (op == "//" || op == "%") {
      if (q == 0) error(line, "division by zero");
      if (ints) {
        const int64_t i = x->integer(), j = y->integer();
        int64_t d = i / j;
        if ((i % j != 0) && ((i < 0) != (j < 0))) --d;  // Python floors
        return op == "//" ? Value(d) : Value(i - d * j);
      }
      const double d = std::floor(p / q);
      return op == "//" ? Value(d) : Value(p - d * q);
    }
    if (op == "**") {
      if (ints && y->integer() >= 0) {
        int64_t r = 1;
        for (int64_t k = 0; k < y->integer(); ++k) r *= x->integer();
        return Value(r);
      }
      return Value(std::pow(p, q));
    }
    if (ints) {
      const int64_t i = x->integer(), j = y->integer();
      if (op == "+") return Value(i + j);
      if (op == "-") return Value(i - j);
      if (op == "*") return Value(i * j);
    }
    if (op == "+") return Value(p + q);
    if (op == "-") return Value(p - q);
    if (op == "*") return Value(p * q);
    error(line, "unknown operator " + op);
  }

  Value eval(const Expr& e) {
    switch (e.kind) {
      case Expr::Kind::literal: return e.value;
      case Expr::Kind::name: return lookup(e.name);
      case Expr::Kind::list: {
        List l;
        for (const auto& item : e.items) l.push_back(eval(*item));
        return Value(std::move(l));
      }
      case Expr::Kind::dict: {
        Dict d;
        for (size_t i = 0; i + 1 < e.items.size(); i += 2) {
          const Value k = eval(*e.items[i]);
          d.emplace_back(k.is_string() ? k.str() : to_output(k), eval(*e.items[i + 1]));
        }
        return Value(std::move(d));
      }
      case Expr::Kind::attribute: {
        const Value obj = eval(*e.items[0]);
        if (obj.is_undefined()) undefined_error(e.line, "the object of '." + e.name + "'");
        if (auto m = method(obj, e.name)) return *m;
        return obj.get(e.name);
      }
      case Expr::Kind::subscript: {
        const Value obj = eval(*e.items[0]);
        const Value key = eval(*e.items[1]);
        if (obj.is_undefined()) undefined_error(e.line, "the object of a subscript");
        return subscript(obj, key, e);
      }
      case Expr::Kind::slice: return slice(e);
      case Expr::Kind::call: {
        const Value f = eval(*e.items[0]);
        if (f.kind() != Value::Kind::callable)
          error(e.line, f.is_undefined() ? "calling an undefined name" : fmt::format("'{}' is not callable", to_output(f)));
        List args;
        for (size_t i = 1; i < e.items.size(); ++i) args.push_back(eval(*e.items[i]));
        Dict kwargs;
        for (const auto& [k, v] : e.kwargs) kwargs.emplace_back(k, eval(*v));
        return f.function().call(args, kwargs);
      }
      case Expr::Kind::filter: return filter(e);
      case Expr::Kind::test: {
        const bool r = test(e);
        return Value(e.negate ? !r : r);
      }
      case Expr::Kind::unary: {
        const Value v = eval(*e.items[0]);
        if (e.name == "not") return Value(!v.truthy());
        if (v.kind() == Value::Kind::integer) return Value(e.name == "-" ? -v.integer() : v.integer());
        if (v.is_number()) return Value(e.name == "-" ? -v.number() : v.number());
        error(e.line, "unary " + e.name + " needs a number");
      }
      case Expr::Kind::binary: {
        const std::string& op = e.name;
        if (op == "and") {
          Value a = eval(*e.items[0]);
          return a.truthy() ? eval(*e.items[1]) : a;
        }
        if (op == "or") {
          Value a = eval(*e.items[0]);
          return a.truthy() ? a : eval(*e.items[1]);
        }
        const Value a = eval(*e.items[0]), b = eval(*e.items[1]);
        if (op == "==") return Value(equal(a, b));
        if (op == "!=") return Value(!equal(a, b));
        if (op == "<") return Value(less(a, b, e.line));
        if (op == ">") return Value(less(b, a, e.line));
        if (op == "<=") return Value(!less(b, a, e.line));
        if (op == ">=") return Value(!less(a, b, e.line));
        if (op == "in") return Value(contains(b, a, e.line));
        if (op == "not in") return Value(!contains(b, a, e.line));
        if (op == "~") return Value(to_output(a) + to_output(b));
        return arithmetic(op, a, b, e.line);
      }
      case Expr::Kind::conditional:
        if (eval(*e.items[0]).truthy()) return eval(*e.items[1]);
        return e.items[2] ? eval(*e.items[2]) : Value();
    }
    return {};
  }

  Value subscript(const Value& obj, const Value& key, const Expr& e) const {
    if (obj.is_dict()) {
      if (!key.is_string()) return {};
      return obj.get(key.str());
    }
    if ((obj.is_list() || obj.is_string()) && key.kind() == Value::Kind::integer) {
      const auto n = static_cast<int64_t>(obj.is_list() ? obj.list().size() : obj.str().size());
      int64_t i = key.integer();
      if (i < 0) i += n;
      if (i < 0 || i >= n) return {};
      if (obj.is_list()) return obj.list()[static_cast<size_t>(i)];
      return Value(obj.str().substr(static_cast<size_t>(i), 1));
    }
    if (key.is_string()) {
      if (auto m = method(obj, key.str())) return *m;
      return {};
    }
    error(e.line, fmt::format("cannot subscript '{}' with '{}'", to_output(obj), to_output(key)));
  }

  Value slice(const Expr& e) {
    const Value obj = eval(*e.items[0]);
    auto bound = [&](size_t k) -> std::optional<int64_t> {
      if (!e.items[k]) return std::nullopt;
      const Value v = eval(*e.items[k]);
      if (v.is_none()) return std::nullopt;
      if (v.kind() != Value::Kind::integer) error(e.line, "slice bounds must be integers");
      return v.integer();
    };
    const auto start = bound(1), stop = bound(2), step_v = bound(3);
    const int64_t step = step_v.value_or(1);
    if (step == 0) error(e.line, "slice step cannot be zero");
    List items = obj.is_string() ? iterate(obj, e.line) : (obj.is_list() ? obj.list() : List{});
    if (!obj.is_string() && !obj.is_list()) error(e.line, "only lists and strings can be sliced");
    const auto n = static_cast<int64_t>(items.size());
    auto clamp = [&](std::optional<int64_t> v, int64_t def) {
      if (!v) return def;
      int64_t x = *v < 0 ? *v + n : *v;
      if (step > 0) return std::clamp<int64_t>(x, 0, n);
      return std::clamp<int64_t>(x, -1, n - 1);
    };
    const int64_t from = clamp(start, step > 0 ? 0 : n - 1), to = clamp(stop, step > 0 ? n : -1);
    List out;
    for (int64_t i = from; step > 0 ? i < to : i > to; i += step) out.push_back(items[static_cast<size_t>(i)]);
    if (obj.is_string()) {
      std::string s;
      for (const auto& c : out) s += c.str();
      return Value(s);
    }
    return Value(std::move(out));
  }

  static Value make_function(std::function<Value(const List&, const Dict&)> f) {
    auto c = std::make_shared<Callable>();
    c->call = std::move(f);
    return Value::callable(std::move(c));
  }

  static std::string strip_chars(std::string s, const std::string& chars, bool left, bool right) {
    auto is_strip = [&](char c) { return chars.empty() ? (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') : chars.find(c) != std::string::npos; };
    if (right)
      while (!s.empty() && is_strip(s.back())) s.pop_back();
    size_t p = 0;
    if (left)
      while (p < s.size() && is_strip(s[p])) ++p;
    return s.substr(p);
  }

  static std::string case_map(const std::string& s, int mode) {  // 0 lower, 1 upper, 2 title, 3 capitalize
    std::string out = s;
    bool start = true;
    for (size_t i = 0; i < out.size(); ++i) {
      const auto c = static_cast<unsigned char>(out[i]);
      const bool alpha = std::isalpha(c) != 0;
      if (mode == 0) out[i] = static_cast<char>(std::tolower(c));
      else if (mode == 1) out[i] = static_cast<char>(std::toupper(c));
      else if (mode == 2) out[i] = static_cast<char>(start ? std::toupper(c) : std::tolower(c));
      else out[i] = static_cast<char>(i == 0 ? std::toupper(c) : std::tolower(c));
      start = !alpha;
    }
    return out;
  }

  static List split(const std::string& s, const Value& sep, int64_t maxsplit) {
    List out;
    if (sep.is_undefined() || sep.is_none()) {  // runs of whitespace, no empty parts
      size_t i = 0;
      while (i < s.size()) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
        if (i >= s.size()) break;
        if (maxsplit >= 0 && static_cast<int64_t>(out.size()) == maxsplit) {
          out.emplace_back(strip_chars(s.substr(i), "", false, true));
          return out;
        }
        size_t j = i;
        while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
        out.emplace_back(s.substr(i, j - i));
        i = j;
      }
      return out;
    }
    const std::string& d = sep.str();
    size_t start = 0;
    while (true) {
      const size_t at = d.empty() ? std::string::npos : s.find(d, start);
      if (at == std::string::npos || (maxsplit >= 0 && static_cast<int64_t>(out.size()) == maxsplit)) {
        out.emplace_back(s.substr(start));
        return out;
      }
      out.emplace_back(s.substr(start, at - start));
      start = at + d.size();
    }
  }

  // A bound method of a string, dict or list (jinja2 looks attributes up on the Python object).
  std::optional<Value> method(const Value& obj, const std::string& name) const {
    auto arg = [](const List& a, size_t i) { return i < a.size() ? a[i] : Value(); };
    if (obj.is_string()) {
      const std::string s = obj.str();
      if (name == "strip" || name == "lstrip" || name == "rstrip")
        return make_function([s, name, arg](const List& a, const Dict&) {
          const Value chars = arg(a, 0);
          return Value(strip_chars(s, chars.is_string() ? chars.str() : "", name != "rstrip", name != "lstrip"));
        });
      if (name == "split")
        return make_function([s, arg](const List& a, const Dict& kw) {
          Value sep = arg(a, 0), max = arg(a, 1);
          for (const auto& [k, v] : kw) {
            if (k == "sep") sep = v;
            if (k == "maxsplit") max = v;
          }
          return Value(split(s, sep, max.kind() == Value::Kind::integer ? max.integer() : -1));
        });
      if (name == "splitlines")
        return make_function([s](const List&, const Dict&) {
          List out;
          size_t start = 0;
          for (size_t i = 0; i < s.size(); ++i)
            if (s[i] == '\n') {
              out.emplace_back(s.substr(start, i - start));
              start = i + 1;
            }
          if (start < s.size()) out.emplace_back(s.substr(start));
          return Value(std::move(out));
        });
      if (name == "startswith" || name == "endswith")
        return make_function([s, name, arg](const List& a, const Dict&) {
          const Value p = arg(a, 0);
          List options = p.is_list() ? p.list() : List{p};
          for (const auto& o : options) {
            if (!o.is_string()) continue;
            const std::string& x = o.str();
            const bool hit = name == "startswith" ? s.rfind(x, 0) == 0
                                                  : s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
            if (hit) return Value(true);
          }
          return Value(false);
        });
      if (name == "upper" || name == "lower" || name == "title" || name == "capitalize") {
        const int mode = name == "lower" ? 0 : name == "upper" ? 1 : name == "title" ? 2 : 3;
        return make_function([s, mode](const List&, const Dict&) { return Value(case_map(s, mode)); });
      }
      if (name == "replace")
        return make_function([s, arg](const List& a, const Dict&) {
          const Value from = arg(a, 0), to = arg(a, 1), count = arg(a, 2);
          std::string out = s;
          if (!from.is_string() || !to.is_string() || from.str().empty()) return Value(out);
          int64_t left = count.kind() == Value::Kind::integer ? count.integer() : -1;
          for (size_t pos = 0; left != 0 && (pos = out.find(from.str(), pos)) != std::string::npos; pos += to.str().size(), --left)
            out.replace(pos, from.str().size(), to.str());
          return Value(out);
        });
      if (name == "find" || name == "count")
        return make_function([s, name, arg](const List& a, const Dict&) {
          const Value x = arg(a, 0);
          if (!x.is_string()) return Value(int64_t{-1});
          if (name == "find") {
            const size_t at = s.find(x.str());
            return Value(at == std::string::npos ? int64_t{-1} : static_cast<int64_t>(at));
          }
          int64_t n = 0;
          for (size_t pos = 0; !x.str().empty() && (pos = s.find(x.str(), pos)) != std::string::npos; pos += x.str().size()) ++n;
          return Value(n);
        });
      if (name == "join")
        return make_function([s](const List& a, const Dict&) {
          std::string out;
          if (!a.empty() && a[0].is_list())
            for (size_t i = 0; i < a[0].list().size(); ++i) out += (i ? s : "") + to_output(a[0].list()[i]);
          return Value(out);
        });
      return std::nullopt;
    }
    if (obj.is_dict()) {
      const Value d = obj;
      if (name == "items" || name == "keys" || name == "values")
        return make_function([d, name](const List&, const Dict&) {
          List out;
          for (const auto& [k, v] : d.dict()) {
            if (name == "items") out.emplace_back(List{Value(k), v});
            else if (name == "keys") out.emplace_back(k);
            else out.push_back(v);
          }
          return Value(std::move(out));
        });
      if (name == "get")
        return make_function([d, arg](const List& a, const Dict&) {
          const Value key = arg(a, 0);
          const Value v = key.is_string() ? d.get(key.str()) : Value();
          return v.is_undefined() ? (a.size() > 1 ? a[1] : Value::none()) : v;
        });
      return std::nullopt;
    }
    return std::nullopt;
  }

  Value attribute_of(const Value& v, const std::string& path) const {
    Value cur = v;
    size_t start = 0;
    while (true) {
      const size_t dot = path.find('.', start);
      const std::string part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
      if (cur.is_list() && !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit)) {
        const size_t i = std::stoul(part);
        cur = i < cur.list().size() ? cur.list()[i] : Value();
      } else {
        cur = cur.get(part);
      }
      if (dot == std::string::npos) return cur;
      start = dot + 1;
    }
  }

  bool run_test(const std::string& name, const Value& v, const List& args, int line) const {
    auto arg = [&](size_t i) { return i < args.size() ? args[i] : Value(); };
    if (name == "defined") return !v.is_undefined();
    if (name == "undefined") return v.is_undefined();
    if (name == "none") return v.is_none();
    if (name == "string") return v.is_string();
    if (name == "number") return v.is_number();
    if (name == "integer") return v.kind() == Value::Kind::integer;
    if (name == "float") return v.kind() == Value::Kind::number;
    if (name == "boolean") return v.kind() == Value::Kind::boolean;
    if (name == "true") return v.kind() == Value::Kind::boolean && v.boolean();
    if (name == "false") return v.kind() == Value::Kind::boolean && !v.boolean();
    if (name == "mapping") return v.is_dict();
    if (name == "iterable") return v.is_list() || v.is_dict() || v.is_string();
    if (name == "sequence") return v.is_list() || v.is_dict() || v.is_string();
    if (name == "callable") return v.kind() == Value::Kind::callable;
    if (name == "equalto" || name == "eq" || name == "sameas") return equal(v, arg(0));
    if (name == "ne") return !equal(v, arg(0));
    if (name == "lt" || name == "lessthan") return less(v, arg(0), line);
    if (name == "gt" || name == "greaterthan") return less(arg(0), v, line);
    if (name == "le") return !less(arg(0), v, line);
    if (name == "ge") return !less(v, arg(0), line);
    if (name == "in") return contains(arg(0), v, line);
    if (name == "lower") return v.is_string() && case_map(v.str(), 0) == v.str();
    if (name == "upper") return v.is_string() && case_map(v.str(), 1) == v.str();
    if (name == "even" || name == "odd" || name == "divisibleby") {
      if (v.kind() != Value::Kind::integer) error(line, "test '" + name + "' needs an integer");
      if (name == "divisibleby") {
        const Value d = arg(0);
        if (d.kind() != Value::Kind::integer || d.integer() == 0) error(line, "divisibleby needs a nonzero integer");
        return v.integer() % d.integer() == 0;
      }
      return (v.integer() % 2 == 0) == (name == "even");
    }
    error(line, "unknown test '" + name + "'");
  }

  bool test(const Expr& e) {
    const Value v = eval(*e.items[0]);
    List args;
    for (size_t i = 1; i < e.items.size(); ++i) args.push_back(eval(*e.items[i]));
    return run_test(e.name, v, args, e.line);
  }

  Value filter(const Expr& e) {
    const Value v = eval(*e.items[0]);
    List args;
    for (size_t i = 1; i < e.items.size(); ++i) args.push_back(eval(*e.items[i]));
    Dict kwargs;
    for (const auto& [k, x] : e.kwargs) kwargs.emplace_back(k, eval(*x));
    auto kwarg = [&](const char* key) {
      for (const auto& [k, x] : kwargs)
        if (k == key) return x;
      return Value();
    };
    auto arg = [&](size_t i, const char* key = "") {
      if (i < args.size()) return args[i];
      return *key ? kwarg(key) : Value();
    };
    const std::string& f = e.name;
    auto need_list = [&]() -> List {
      if (v.is_undefined()) return {};
      if (v.is_list() || v.is_dict() || v.is_string()) return iterate(v, e.line);
      error(e.line, fmt::format("filter '{}' needs a sequence, got '{}'", f, to_output(v)));
    };
    if (f == "trim") return Value(strip_chars(to_output(v), arg(0, "chars").is_string() ? arg(0, "chars").str() : "", true, true));
    if (f == "length" || f == "count") {
      if (v.is_string()) return Value(static_cast<int64_t>(iterate(v, e.line).size()));
      if (v.is_list()) return Value(static_cast<int64_t>(v.list().size()));
      if (v.is_dict()) return Value(static_cast<int64_t>(v.dict().size()));
      if (v.is_undefined()) return Value(int64_t{0});
      error(e.line, fmt::format("'{}' has no length", to_output(v)));
    }
    if (f == "tojson") {
      const Value indent = arg(0, "indent");
      return Value(to_json_text(v, indent.kind() == Value::Kind::integer ? static_cast<int>(indent.integer()) : -1));
    }
    if (f == "string") return Value(to_output(v));
    if (f == "upper") return Value(case_map(to_output(v), 1));
    if (f == "lower") return Value(case_map(to_output(v), 0));
    if (f == "title") return Value(case_map(to_output(v), 2));
    if (f == "capitalize") return Value(case_map(to_output(v), 3));
    if (f == "safe") return v;
    if (f == "default" || f == "d") {
      const bool boolean = arg(1, "boolean").truthy();
      if (v.is_undefined() || (boolean && !v.truthy())) return args.empty() ? Value(std::string()) : args[0];
      return v;
    }
    if (f == "join") {
      const Value sep = arg(0, "d");
      const Value attribute = kwarg("attribute");
      std::string out;
      const List items = need_list();
      for (size_t i = 0; i < items.size(); ++i) {
        const Value item = attribute.is_string() ? attribute_of(items[i], attribute.str()) : items[i];
        out += (i && sep.is_string() ? sep.str() : "") + to_output(item);
      }
      return Value(out);
    }
    if (f == "first" || f == "last") {
      const List items = need_list();
      if (items.empty()) return {};
      return f == "first" ? items.front() : items.back();
    }
    if (f == "list") return Value(need_list());
    if (f == "reverse") {
      if (v.is_string()) {
        List chars = iterate(v, e.line);
        std::string s;
        for (auto it = chars.rbegin(); it != chars.rend(); ++it) s += it->str();
        return Value(s);
      }
      List items = need_list();
      std::reverse(items.begin(), items.end());
      return Value(std::move(items));
    }
    if (f == "items") {
      if (!v.is_dict()) error(e.line, "filter 'items' needs a mapping");
      List out;
      for (const auto& [k, x] : v.dict()) out.emplace_back(List{Value(k), x});
      return Value(std::move(out));
    }
    if (f == "dictsort") {
      if (!v.is_dict()) error(e.line, "filter 'dictsort' needs a mapping");
      Dict d = v.dict();
      std::stable_sort(d.begin(), d.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      List out;
      for (const auto& [k, x] : d) out.emplace_back(List{Value(k), x});
      return Value(std::move(out));
    }
    if (f == "int") {
      if (v.kind() == Value::Kind::integer) return v;
      if (v.is_number()) return Value(static_cast<int64_t>(v.number()));
      if (v.is_string()) {
        try {
          return Value(static_cast<int64_t>(std::stoll(v.str())));
        } catch (...) {
        }
      }
      return args.empty() ? Value(int64_t{0}) : args[0];
    }
    if (f == "float") {
      if (v.is_number()) return Value(v.number());
      if (v.is_string()) {
        try {
          return Value(std::stod(v.str()));
        } catch (...) {
        }
      }
      return Value(0.0);
    }
    if (f == "abs") {
      if (v.kind() == Value::Kind::integer) return Value(v.integer() < 0 ? -v.integer() : v.integer());
      if (v.is_number()) return Value(std::abs(v.number()));
      error(e.line, "filter 'abs' needs a number");
    }
    if (f == "round") {
      if (!v.is_number()) error(e.line, "filter 'round' needs a number");
      const Value p = arg(0, "precision");
      const double scale = std::pow(10.0, p.kind() == Value::Kind::integer ? static_cast<double>(p.integer()) : 0.0);
      return Value(std::round(v.number() * scale) / scale);
    }
    if (f == "replace") {
      const Value from = arg(0), to = arg(1);
      std::string s = to_output(v);
      if (from.is_string() && to.is_string() && !from.str().empty())
        for (size_t pos = 0; (pos = s.find(from.str(), pos)) != std::string::npos; pos += to.str().size())
          s.replace(pos, from.str().size(), to.str());
      return Value(s);
    }
    if (f == "unique") {
      List out;
      for (const auto& x : need_list())
        if (std::none_of(out.begin(), out.end(), [&](const Value& y) { return equal(x, y); })) out.push_back(x);
      return Value(std::move(out));
    }
    if (f == "sort") {
      List items = need_list();
      const Value attribute = kwarg("attribute");
      const bool reverse = arg(0, "reverse").truthy();
      std::stable_sort(items.begin(), items.end(), [&](const Value& a, const Value& b) {
        const Value x = attribute.is_string() ? attribute_of(a, attribute.str()) : a;
        const Value y = attribute.is_string() ? attribute_of(b, attribute.str()) : b;
        return reverse ? less(y, x, e.line) : less(x, y, e.line);
      });
      return Value(std::move(items));
    }
    if (f == "sum" || f == "min" || f == "max") {
      const List items = need_list();
      if (f == "sum") {
        Value total(int64_t{0});
        for (const auto& x : items) total = arithmetic("+", total, x, e.line);
        return total;
      }
      if (items.empty()) return {};
      Value best = items[0];
      for (const auto& x : items)
        if (f == "min" ? less(x, best, e.line) : less(best, x, e.line)) best = x;
      return best;
    }
    if (f == "map") {
      const Value attribute = kwarg("attribute");
      List out;
      for (const auto& x : need_list()) {
        if (attribute.is_string()) {
          Value y = attribute_of(x, attribute.str());
          if (y.is_undefined() && !kwarg("default").is_undefined()) y = kwarg("default");
          out.push_back(y);
        } else if (!args.empty() && args[0].is_string()) {
          auto mapped = std::make_shared<Expr>();
          mapped->kind = Expr::Kind::filter;
          mapped->name = args[0].str();
          mapped->line = e.line;
          auto item = std::make_shared<Expr>();
          item->kind = Expr::Kind::literal;
          item->value = x;
          mapped->items.push_back(item);
          for (size_t i = 1; i < args.size(); ++i) {
            auto a = std::make_shared<Expr>();
            a->kind = Expr::Kind::literal;
            a->value = args[i];
            mapped->items.push_back(a);
          }
          out.push_back(filter(*mapped));
        } else {
          error(e.line, "filter 'map' needs attribute= or a filter name");
        }
      }
      return Value(std::move(out));
    }
    if (f == "selectattr" || f == "rejectattr" || f == "select" || f == "reject") {
      const bool by_attribute = f == "selectattr" || f == "rejectattr";
      const bool keep_matching = f == "selectattr" || f == "select";
      const size_t test_at = by_attribute ? 1 : 0;
      if (by_attribute && (args.empty() || !args[0].is_string())) error(e.line, "filter '" + f + "' needs an attribute name");
      List out;
      for (const auto& x : need_list()) {
        const Value subject = by_attribute ? attribute_of(x, args[0].str()) : x;
        bool hit;
        if (args.size() > test_at) {
          if (!args[test_at].is_string()) error(e.line, "the test of '" + f + "' is named by a string");
          hit = run_test(args[test_at].str(), subject, List(args.begin() + static_cast<std::ptrdiff_t>(test_at) + 1, args.end()), e.line);
        } else {
          hit = subject.truthy();
        }
        if (hit == keep_matching) out.push_back(x);
      }
      return Value(std::move(out));
    }
    error(e.line, "unknown filter '" + f + "'");
  }

  void install_globals() {
    auto& g = frames_.front();
    auto set_if_absent = [&](const char* name, Value v) {
      if (!g.count(name)) g[name] = std::move(v);
    };
    set_if_absent("range", make_function([this](const List& a, const Dict&) {
      auto integer = [&](size_t i) {
        if (i >= a.size() || a[i].kind() != Value::Kind::integer) error(0, "range() takes integers");
        return a[i].integer();
      };
      int64_t start = 0, stop = 0, step = 1;
      if (a.size() == 1) stop = integer(0);
      else if (a.size() >= 2) start = integer(0), stop = integer(1);
      if (a.size() >= 3) step = integer(2);
      if (step == 0) error(0, "range() step must not be zero");
      List out;
      for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) out.emplace_back(i);
      if (out.size() > 100000) error(0, "range() too large");
      return Value(std::move(out));
    }));
    set_if_absent("namespace", make_function([](const List& a, const Dict& kw) {
      auto d = std::make_shared<Dict>();
      if (!a.empty() && a[0].is_dict()) *d = a[0].dict();
      for (const auto& kv : kw) d->push_back(kv);
      return Value::shared_dict(d);
    }));
    set_if_absent("dict", make_function([](const List& a, const Dict& kw) {
      Dict d;
      if (!a.empty() && a[0].is_dict()) d = a[0].dict();
      for (const auto& kv : kw) d.push_back(kv);
      return Value(std::move(d));
    }));
    set_if_absent("raise_exception", make_function([this](const List& a, const Dict&) -> Value {
      fail_hint("the template refuses this conversation (its own check, as transformers would raise it)", "{}: {}", where_,
                a.empty() ? std::string("raise_exception") : to_output(a[0]));
    }));
    set_if_absent("strftime_now", make_function([](const List& a, const Dict&) {
      const std::time_t now = std::time(nullptr);
      std::tm tm{};
      gmtime_r(&now, &tm);
      char buf[256];
      const std::string format = !a.empty() && a[0].is_string() ? a[0].str() : "%Y-%m-%d";
      const size_t n = std::strftime(buf, sizeof buf, format.c_str(), &tm);
      return Value(std::string(buf, n));
    }));
  }

  std::string where_;
  std::vector<std::map<std::string, Value>> frames_;
};

}  // namespace

Template Template::parse(std::string_view source, std::string where) {
  Template t;
  t.where_ = std::move(where);
  t.root_ = parse_template(source, t.where_);
  return t;
}

std::string Template::render(const Value& context) const {
  Renderer r(where_, context);
  std::string out;
  r.render(*root_, out);
  return out;
}

}  // namespace dsmath::jinja
