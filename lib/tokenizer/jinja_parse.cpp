// Jinja template text -> Node tree. Tags are found the way jinja2's lexer finds them (string
// literals inside a tag may hold "%}"), then the text between them is trimmed as the
// environment of `transformers` asks: "-" whitespace control on either side, lstrip_blocks
// (spaces and tabs before a block or comment tag alone on its line) and trim_blocks (the first
// newline after a block or comment tag). A "+" after "{%" or before "%}" turns those two off.
#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <optional>

#include <fmt/format.h>

#include "core/error.hpp"
#include "tokenizer/jinja_ast.hpp"

namespace dsmath::jinja {

namespace {

struct Segment {
  enum class Kind { text, output, block, comment } kind = Kind::text;
  std::string content;
  int line = 1;
  bool strip_before = false, strip_after = false;  // "-"
  bool keep_before = false, keep_after = false;    // "+"
};

[[noreturn]] void syntax_error(const std::string& where, int line, const std::string& what) {
  fail_hint("chat templates use the Jinja subset of lib/tokenizer/jinja_template.hpp; check the template text",
            "{} line {}: {}", where, line, what);
}

int count_lines(std::string_view s) {
  int n = 0;
  for (char c : s) n += c == '\n' ? 1 : 0;
  return n;
}

std::vector<Segment> split_segments(std::string_view src, const std::string& where) {
  std::vector<Segment> out;
  size_t i = 0;
  int line = 1;
  std::string text;
  auto flush_text = [&](int at_line) {
    if (!text.empty()) out.push_back({Segment::Kind::text, text, at_line});
    text.clear();
  };
  int text_line = 1;
  while (i < src.size()) {
    if (src[i] == '{' && i + 1 < src.size() && (src[i + 1] == '{' || src[i + 1] == '%' || src[i + 1] == '#')) {
      const char open = src[i + 1];
      const char close = open == '{' ? '}' : open;
      flush_text(text_line);
      Segment s;
      s.kind = open == '{' ? Segment::Kind::output : (open == '%' ? Segment::Kind::block : Segment::Kind::comment);
      s.line = line;
      size_t j = i + 2;
      if (j < src.size() && src[j] == '-') s.strip_before = true, ++j;
      else if (j < src.size() && src[j] == '+') s.keep_before = true, ++j;
      // find the closing delimiter outside string literals (comments have none)
      char quote = 0;
      size_t end = std::string_view::npos;
      for (size_t k = j; k + 1 < src.size(); ++k) {
        const char c = src[k];
        if (s.kind != Segment::Kind::comment) {
          if (quote) {
            if (c == '\\') ++k;
            else if (c == quote) quote = 0;
            continue;
          }
          if (c == '\'' || c == '"') {
            quote = c;
            continue;
          }
        }
        if (c == close && src[k + 1] == '}') {
          end = k;
          break;
        }
      }
      if (end == std::string_view::npos)
        syntax_error(where, line, fmt::format("'{{{}' is never closed by '{}}}'", open, close));
      size_t content_end = end;
      if (content_end > j && src[content_end - 1] == '-') s.strip_after = true, --content_end;
      else if (content_end > j && src[content_end - 1] == '+') s.keep_after = true, --content_end;
      s.content = std::string(src.substr(j, content_end - j));
      line += count_lines(src.substr(i, end + 2 - i));
      out.push_back(std::move(s));
      i = end + 2;
      text_line = line;
      continue;
    }
    if (src[i] == '\n') ++line;
    text += src[i++];
  }
  flush_text(text_line);
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Applies whitespace control, lstrip_blocks and trim_blocks to the text segments. The right
// ends of texts are trimmed first (on the source text: whether a tag starts its line is a
// fact of the source), then the left ends.
void trim_text(std::vector<Segment>& segs) {
  auto block_like = [](const Segment& s) { return s.kind == Segment::Kind::block || s.kind == Segment::Kind::comment; };
  for (size_t k = 1; k < segs.size(); ++k) {
    const Segment& s = segs[k];
    if (s.kind == Segment::Kind::text || segs[k - 1].kind != Segment::Kind::text) continue;
    std::string& prev = segs[k - 1].content;
    if (s.strip_before) {
      while (!prev.empty() && is_space(prev.back())) prev.pop_back();
    } else if (block_like(s) && !s.keep_before) {
      // lstrip_blocks: only spaces and tabs between the line start (or the template start) and the tag
      size_t p = prev.size();
      while (p > 0 && (prev[p - 1] == ' ' || prev[p - 1] == '\t')) --p;
      if (p == 0 ? k == 1 : prev[p - 1] == '\n') prev.resize(p);
    }
  }
  for (size_t k = 0; k + 1 < segs.size(); ++k) {
    const Segment& s = segs[k];
    if (s.kind == Segment::Kind::text || segs[k + 1].kind != Segment::Kind::text) continue;
    std::string& next = segs[k + 1].content;
    if (s.strip_after) {
      size_t p = 0;
      while (p < next.size() && is_space(next[p])) ++p;
      next.erase(0, p);
    } else if (block_like(s) && !s.keep_after) {
      if (next.rfind("\r\n", 0) == 0) next.erase(0, 2);
      else if (!next.empty() && (next[0] == '\n' || next[0] == '\r')) next.erase(0, 1);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Expressions

struct Token {
  enum class Kind { name, string, integer, number, op, end } kind = Kind::end;
  std::string text;
  Value value;
};

std::vector<Token> lex_expression(std::string_view s, const std::string& where, int line) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (is_space(c)) {
      ++i;
      continue;
    }
    if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      out.push_back({Token::Kind::name, std::string(s.substr(i, j - i)), {}});
      i = j;
      continue;
    }
    if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t j = i;
      while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      bool real = false;
      if (j + 1 < s.size() && s[j] == '.' && std::isdigit(static_cast<unsigned char>(s[j + 1]))) {
        real = true;
        ++j;
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
      }
      if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
        size_t k = j + 1;
        if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
        if (k < s.size() && std::isdigit(static_cast<unsigned char>(s[k]))) {
          real = true;
          j = k;
          while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
        }
      }
      std::string digits;
      for (char d : s.substr(i, j - i))
        if (d != '_') digits += d;
      if (real) out.push_back({Token::Kind::number, digits, Value(std::stod(digits))});
      else out.push_back({Token::Kind::integer, digits, Value(static_cast<int64_t>(std::stoll(digits)))});
      i = j;
      continue;
    }
    if (c == '\'' || c == '"') {
      std::string value;
      size_t j = i + 1;
      bool closed = false;
      while (j < s.size()) {
        const char d = s[j];
        if (d == c) {
          closed = true;
          ++j;
          break;
        }
        if (d == '\\' && j + 1 < s.size()) {
          const char e = s[j + 1];
          j += 2;
          switch (e) {
            case 'n': value += '\n'; break;
            case 't': value += '\t'; break;
            case 'r': value += '\r'; break;
            case '\\': value += '\\'; break;
            case '\'': value += '\''; break;
            case '"': value += '"'; break;
            case '0': value += '\0'; break;
            case 'u':
            case 'x': {
              const size_t width = e == 'u' ? 4 : 2;
              if (j + width > s.size()) syntax_error(where, line, "truncated escape in a string literal");
              const uint32_t cp = static_cast<uint32_t>(std::stoul(std::string(s.substr(j, width)), nullptr, 16));
              j += width;
              // UTF-8 of the code point
              if (cp < 0x80) value += static_cast<char>(cp);
              else if (cp < 0x800) {
                value += static_cast<char>(0xC0 | (cp >> 6));
                value += static_cast<char>(0x80 | (cp & 0x3F));
              } else {
                value += static_cast<char>(0xE0 | (cp >> 12));
                value += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                value += static_cast<char>(0x80 | (cp & 0x3F));
              }
              break;
            }
            default: value += '\\'; value += e;  // Python keeps unknown escapes as written
          }
          continue;
        }
        value += d;
        ++j;
      }
      if (!closed) syntax_error(where, line, "unterminated string literal");
      out.push_back({Token::Kind::string, value, Value(value)});
      i = j;
      continue;
    }
    static const char* const two[] = {"**", "//", "==", "!=", "<=", ">="};
    bool matched = false;
    for (const char* op : two) {
      if (s.substr(i, 2) == op) {
        out.push_back({Token::Kind::op, op, {}});
        i += 2;
        matched = true;
        break;
      }
    }
    if (matched) continue;
    if (std::string_view("+-*/%~|.,:()[]{}<>=").find(c) != std::string_view::npos) {
      out.push_back({Token::Kind::op, std::string(1, c), {}});
      ++i;
      continue;
    }
    syntax_error(where, line, fmt::format("unexpected character '{}' in an expression", c));
  }
  out.push_back({Token::Kind::end, "", {}});
  return out;
}

class ExprParser {
 public:
  ExprParser(std::vector<Token> tokens, const std::string& where, int line)
      : t_(std::move(tokens)), where_(where), line_(line) {}

  ExprPtr expression() { return conditional(); }
  ExprPtr expression_without_conditional() { return or_expr(); }

  bool at_end() const { return t_[p_].kind == Token::Kind::end; }
  const Token& peek(size_t ahead = 0) const { return t_[std::min(p_ + ahead, t_.size() - 1)]; }
  bool is_op(const char* op, size_t ahead = 0) const { return peek(ahead).kind == Token::Kind::op && peek(ahead).text == op; }
  bool is_name(const char* name, size_t ahead = 0) const {
    return peek(ahead).kind == Token::Kind::name && peek(ahead).text == name;
  }
  void expect_op(const char* op) {
    if (!is_op(op)) error(fmt::format("expected '{}', found '{}'", op, peek().text));
    ++p_;
  }
  std::string expect_name() {
    if (peek().kind != Token::Kind::name) error(fmt::format("expected a name, found '{}'", peek().text));
    return t_[p_++].text;
  }
  void expect_end() {
    if (!at_end()) error(fmt::format("unexpected '{}'", peek().text));
  }
  [[noreturn]] void error(const std::string& what) const { syntax_error(where_, line_, what); }

 private:
  ExprPtr make(Expr::Kind kind, std::string name, std::vector<ExprPtr> items) const {
    auto e = std::make_shared<Expr>();
    e->kind = kind;
    e->name = std::move(name);
    e->items = std::move(items);
    e->line = line_;
    return e;
  }

  ExprPtr conditional() {
    ExprPtr value = or_expr();
    while (is_name("if")) {
      ++p_;
      ExprPtr condition = or_expr();
      ExprPtr otherwise;
      if (is_name("else")) {
        ++p_;
        otherwise = conditional();
      }
      value = make(Expr::Kind::conditional, "", {condition, value, otherwise});
    }
    return value;
  }
  // One left-associative level: next (op next)*, op one of `ops` (operator or keyword tokens).
  ExprPtr chain(ExprPtr (ExprParser::*next)(), std::initializer_list<std::string_view> ops) {
    ExprPtr left = (this->*next)();
    while ((peek().kind == Token::Kind::op || peek().kind == Token::Kind::name) &&
           std::find(ops.begin(), ops.end(), peek().text) != ops.end()) {
      const std::string op = t_[p_++].text;
      left = make(Expr::Kind::binary, op, {left, (this->*next)()});
    }
    return left;
  }
  ExprPtr or_expr() { return chain(&ExprParser::and_expr, {"or"}); }
  ExprPtr and_expr() { return chain(&ExprParser::not_expr, {"and"}); }
  ExprPtr not_expr() {
    if (is_name("not")) {
      ++p_;
      return make(Expr::Kind::unary, "not", {not_expr()});
    }
    return compare();
  }
  ExprPtr compare() {
    ExprPtr left = concat();
    while (true) {
      std::string op;
      if (peek().kind == Token::Kind::op &&
          (peek().text == "==" || peek().text == "!=" || peek().text == "<" || peek().text == ">" || peek().text == "<=" ||
           peek().text == ">=")) {
        op = t_[p_++].text;
      } else if (is_name("in")) {
        ++p_;
        op = "in";
      } else if (is_name("not") && is_name("in", 1)) {
        p_ += 2;
        op = "not in";
      } else {
        return left;
      }
      left = make(Expr::Kind::binary, op, {left, concat()});
    }
  }
  ExprPtr concat() { return chain(&ExprParser::sum, {"~"}); }
  ExprPtr sum() { return chain(&ExprParser::product, {"+", "-"}); }
  ExprPtr product() { return chain(&ExprParser::power, {"*", "/", "//", "%"}); }
  ExprPtr power_operand() { return unary(true); }
  ExprPtr power() { return chain(&ExprParser::power_operand, {"**"}); }
  ExprPtr unary(bool with_filter) {
    ExprPtr node;
    if (is_op("-") || is_op("+")) {
      const std::string op = t_[p_++].text;
      node = make(Expr::Kind::unary, op, {unary(false)});
    } else {
      node = postfix(primary());
    }
    return with_filter ? filters(node) : node;
  }
  ExprPtr primary() {
    const Token& tok = peek();
    if (tok.kind == Token::Kind::string) {
      // adjacent string literals concatenate, as in Python
      std::string s;
      while (peek().kind == Token::Kind::string) s += t_[p_++].text;
      auto e = make(Expr::Kind::literal, "", {});
      std::const_pointer_cast<Expr>(e)->value = Value(s);
      return e;
    }
    if (tok.kind == Token::Kind::integer || tok.kind == Token::Kind::number) {
      auto e = make(Expr::Kind::literal, "", {});
      std::const_pointer_cast<Expr>(e)->value = t_[p_++].value;
      return e;
    }
    if (tok.kind == Token::Kind::name) {
      const std::string n = t_[p_++].text;
      auto literal = [&](Value v) {
        auto e = make(Expr::Kind::literal, "", {});
        std::const_pointer_cast<Expr>(e)->value = std::move(v);
        return e;
      };
      if (n == "true" || n == "True") return literal(Value(true));
      if (n == "false" || n == "False") return literal(Value(false));
      if (n == "none" || n == "None") return literal(Value::none());
      return make(Expr::Kind::name, n, {});
    }
    if (is_op("(")) {
      ++p_;
      if (is_op(")")) {
        ++p_;
        return make(Expr::Kind::list, "", {});
      }
      ExprPtr first = expression();
      if (is_op(",")) {  // a tuple: a list here
        std::vector<ExprPtr> items{first};
        while (is_op(",")) {
          ++p_;
          if (is_op(")")) break;
          items.push_back(expression());
        }
        expect_op(")");
        return make(Expr::Kind::list, "", items);
      }
      expect_op(")");
      return first;
    }
    if (is_op("[")) {
      ++p_;
      std::vector<ExprPtr> items;
      while (!is_op("]")) {
        items.push_back(expression());
        if (!is_op(",")) break;
        ++p_;
      }
      expect_op("]");
      return make(Expr::Kind::list, "", items);
    }
    if (is_op("{")) {
      ++p_;
      std::vector<ExprPtr> items;
      while (!is_op("}")) {
        items.push_back(expression());
        expect_op(":");
        items.push_back(expression());
        if (!is_op(",")) break;
        ++p_;
      }
      expect_op("}");
      return make(Expr::Kind::dict, "", items);
    }
    error(tok.kind == Token::Kind::end ? "the expression ends too early" : fmt::format("unexpected '{}'", tok.text));
  }
  // ( args ) after a callee; kwargs are name=expr
  void arguments(const std::shared_ptr<Expr>& e) {
    expect_op("(");
    while (!is_op(")")) {
      if (peek().kind == Token::Kind::name && is_op("=", 1)) {
        const std::string key = t_[p_].text;
        p_ += 2;
        e->kwargs.emplace_back(key, expression());
      } else {
        e->items.push_back(expression());
      }
      if (!is_op(",")) break;
      ++p_;
    }
    expect_op(")");
  }
  ExprPtr postfix(ExprPtr node) {
    while (true) {
      if (is_op(".")) {
        ++p_;
        if (peek().kind == Token::Kind::integer) {  // "a.0" is a[0]
          auto index = make(Expr::Kind::literal, "", {});
          std::const_pointer_cast<Expr>(index)->value = t_[p_++].value;
          node = make(Expr::Kind::subscript, "", {node, index});
        } else {
          node = make(Expr::Kind::attribute, expect_name(), {node});
        }
      } else if (is_op("[")) {
        ++p_;
        ExprPtr parts[3];
        bool sliced = false;
        for (int k = 0; k < 3; ++k) {
          if (!is_op(":") && !is_op("]")) parts[k] = expression();
          if (k < 2 && is_op(":")) {
            ++p_;
            sliced = true;
          } else {
            break;
          }
        }
        expect_op("]");
        node = sliced ? make(Expr::Kind::slice, "", {node, parts[0], parts[1], parts[2]})
                      : make(Expr::Kind::subscript, "", {node, parts[0]});
      } else if (is_op("(")) {
        auto call = std::const_pointer_cast<Expr>(make(Expr::Kind::call, "", {node}));
        arguments(call);
        node = call;
      } else {
        return node;
      }
    }
  }
  ExprPtr filters(ExprPtr node) {
    while (true) {
      if (is_op("|")) {
        ++p_;
        std::string name = expect_name();
        while (is_op(".")) {  // dotted filter names do not occur in chat templates; keep the last part
          ++p_;
          name = expect_name();
        }
        auto f = std::const_pointer_cast<Expr>(make(Expr::Kind::filter, name, {node}));
        if (is_op("(")) arguments(f);
        node = f;
      } else if (is_name("is")) {
        ++p_;
        bool negate = false;
        if (is_name("not")) {
          ++p_;
          negate = true;
        }
        auto t = std::const_pointer_cast<Expr>(make(Expr::Kind::test, expect_name(), {node}));
        t->negate = negate;
        if (is_op("(")) {
          arguments(t);
        } else {
          const Token& n = peek();
          const bool starts_argument =
              n.kind == Token::Kind::string || n.kind == Token::Kind::integer || n.kind == Token::Kind::number ||
              (n.kind == Token::Kind::name && n.text != "and" && n.text != "or" && n.text != "if" && n.text != "else" &&
               n.text != "not" && n.text != "in" && n.text != "is");
          if (starts_argument) t->items.push_back(postfix(primary()));
        }
        node = t;
      } else if (is_op("(")) {
        auto call = std::const_pointer_cast<Expr>(make(Expr::Kind::call, "", {node}));
        arguments(call);
        node = call;
      } else {
        return node;
      }
    }
  }

  std::vector<Token> t_;
  size_t p_ = 0;
  const std::string& where_;
  int line_;
};

// ---------------------------------------------------------------------------------------
// Statements

class Parser {
 public:
  Parser(std::vector<Segment> segs, const std::string& where) : s_(std::move(segs)), where_(where) {}

  NodePtr parse() {
    std::string stop;
    NodePtr n = sequence({}, stop);
    if (pos_ < s_.size()) syntax_error(where_, s_[pos_].line, "unexpected tag");
    return n;
  }

 private:
  // The first word of a block tag and the rest of it.
  static std::pair<std::string, std::string> split_tag(const std::string& content) {
    size_t i = 0;
    while (i < content.size() && is_space(content[i])) ++i;
    size_t j = i;
    while (j < content.size() && (std::isalnum(static_cast<unsigned char>(content[j])) || content[j] == '_')) ++j;
    return {content.substr(i, j - i), content.substr(j)};
  }

  ExprParser expr_parser(const std::string& text, int line) const { return ExprParser(lex_expression(text, where_, line), where_, line); }

  // Nodes up to a block tag whose keyword is in `stops` (left unconsumed; its keyword in `stop`).
  NodePtr sequence(const std::vector<std::string>& stops, std::string& stop) {
    auto seq = std::make_shared<Node>();
    seq->kind = Node::Kind::sequence;
    while (pos_ < s_.size()) {
      const Segment& g = s_[pos_];
      if (g.kind == Segment::Kind::text) {
        if (!g.content.empty()) {
          auto t = std::make_shared<Node>();
          t->kind = Node::Kind::text;
          t->text = g.content;
          seq->children.push_back(t);
        }
        ++pos_;
        continue;
      }
      if (g.kind == Segment::Kind::comment) {
        ++pos_;
        continue;
      }
      if (g.kind == Segment::Kind::output) {
        auto o = std::make_shared<Node>();
        o->kind = Node::Kind::output;
        o->line = g.line;
        auto p = expr_parser(g.content, g.line);
        o->expr = p.expression();
        p.expect_end();
        seq->children.push_back(o);
        ++pos_;
        continue;
      }
      const auto [word, rest] = split_tag(g.content);
      if (std::find(stops.begin(), stops.end(), word) != stops.end()) {
        stop = word;
        return seq;
      }
      seq->children.push_back(statement(word, rest, g.line));
    }
    if (!stops.empty())
      syntax_error(where_, s_.empty() ? 1 : s_.back().line, fmt::format("the template ends before '{{% {} %}}'", stops.front()));
    stop.clear();
    return seq;
  }

  NodePtr statement(const std::string& word, const std::string& rest, int line) {
    ++pos_;
    auto n = std::make_shared<Node>();
    n->line = line;
    std::string stop;
    if (word == "if") {
      n->kind = Node::Kind::if_;
      auto p = expr_parser(rest, line);
      ExprPtr condition = p.expression();
      p.expect_end();
      while (true) {
        NodePtr body = sequence({"elif", "else", "endif"}, stop);
        n->branches.emplace_back(condition, body);
        const Segment& tag = s_[pos_];
        const auto [w, r] = split_tag(tag.content);
        ++pos_;
        if (w == "endif") break;
        if (w == "else") {
          NodePtr otherwise = sequence({"endif"}, stop);
          n->branches.emplace_back(nullptr, otherwise);
          ++pos_;
          break;
        }
        auto q = expr_parser(r, tag.line);
        condition = q.expression();
        q.expect_end();
      }
      return n;
    }
    if (word == "for") {
      n->kind = Node::Kind::for_;
      auto p = expr_parser(rest, line);
      n->targets.push_back(p.expect_name());
      while (p.is_op(",")) {
        p.expect_op(",");
        n->targets.push_back(p.expect_name());
      }
      if (!p.is_name("in")) p.error("expected 'in' in a for loop");
      p.expect_name();
      // the iterable: no conditional expression here, so that "if" starts the loop filter
      n->expr = p.expression_without_conditional();
      if (p.is_name("if")) {
        p.expect_name();
        n->filter = p.expression();
      }
      if (p.is_name("recursive")) p.error("recursive loops are not supported");
      p.expect_end();
      n->body = sequence({"else", "endfor"}, stop);
      const auto [w, r] = split_tag(s_[pos_].content);
      ++pos_;
      if (w == "else") {
        n->else_body = sequence({"endfor"}, stop);
        ++pos_;
      }
      return n;
    }
    if (word == "set") {
      auto p = expr_parser(rest, line);
      n->targets.push_back(p.expect_name());
      if (p.is_op(".")) {
        p.expect_op(".");
        n->target_attr = p.expect_name();
      }
      while (p.is_op(",")) {
        p.expect_op(",");
        n->targets.push_back(p.expect_name());
      }
      if (p.at_end()) {  // {% set x %}...{% endset %}
        n->kind = Node::Kind::set_block;
        n->body = sequence({"endset"}, stop);
        ++pos_;
        return n;
      }
      n->kind = Node::Kind::set;
      p.expect_op("=");
      n->expr = p.expression();
      p.expect_end();
      return n;
    }
    if (word == "macro") {
      n->kind = Node::Kind::macro;
      auto p = expr_parser(rest, line);
      n->targets.push_back(p.expect_name());
      p.expect_op("(");
      while (!p.is_op(")")) {
        const std::string param = p.expect_name();
        ExprPtr def;
        if (p.is_op("=")) {
          p.expect_op("=");
          def = p.expression();
        }
        n->params.emplace_back(param, def);
        if (!p.is_op(",")) break;
        p.expect_op(",");
      }
      p.expect_op(")");
      p.expect_end();
      n->body = sequence({"endmacro"}, stop);
      ++pos_;
      return n;
    }
    if (word == "generation") {  // transformers' AssistantTracker: renders its body
      n->kind = Node::Kind::sequence;
      NodePtr body = sequence({"endgeneration"}, stop);
      ++pos_;
      return body;
    }
    if (word == "break" || word == "continue") {
      n->kind = word == "break" ? Node::Kind::break_ : Node::Kind::continue_;
      return n;
    }
    syntax_error(where_, line, fmt::format("unsupported tag '{{% {} %}}'", word));
  }

  std::vector<Segment> s_;
  size_t pos_ = 0;
  const std::string& where_;
};

}  // namespace

NodePtr parse_template(std::string_view source, const std::string& where) {
  std::vector<Segment> segs = split_segments(source, where);
  trim_text(segs);
  return Parser(std::move(segs), where).parse();
}

}  // namespace dsmath::jinja
