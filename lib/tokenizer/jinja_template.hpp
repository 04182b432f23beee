#pragma once
// A small Jinja engine for the chat templates of Hugging Face tokenizer_config.json files, so
// that a model's own `chat_template` renders the prompt exactly as `transformers`
// apply_chat_template does (jinja2's ImmutableSandboxedEnvironment with trim_blocks,
// lstrip_blocks and the loopcontrols extension; HF's tojson and raise_exception).
//
// What is covered is what chat templates use (Jinja2 3.1 template designer documentation):
//   text, {{ expr }}, {% stmt %}, {# comment #}, whitespace control "{%-" "-%}" "{{-" "-}}"
//   if/elif/else, for x[, y] in expr [if cond] with else and loop.index/index0/first/last/
//   length/revindex/revindex0/previtem/nextitem, break/continue, set x = expr,
//   set ns.attr = expr, set x / endset blocks, macro/endmacro with call, generation/endgeneration
//   (rendered as its body), filter blocks are not.
//   Expressions: literals (strings, ints, floats, true/false/none in either case), lists,
//   dicts, tuples, attribute and subscript access, slices, calls, the operators
//   or and not in "not in" is "is not" == != < > <= >= + - * / // % ** ~, unary -, and
//   "a if c else b"; filters (| name(args)) and tests (is name(args)) listed in jinja_render.cpp;
//   string methods (strip, split, startswith, ...), dict methods (items, keys, values, get);
//   the globals range, namespace, raise_exception.
// Undefined values follow jinja2's default Undefined: printing one gives "", it is false,
// and taking an attribute of it is an error.
// A template construct outside this subset is an error naming the template and line.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"

namespace dsmath::jinja {

class Value;
using List = std::vector<Value>;
using Dict = std::vector<std::pair<std::string, Value>>;  // insertion-ordered, as Python dicts

struct Callable;

class Value {
 public:
  enum class Kind { undefined, none, boolean, integer, number, string, list, dict, callable };

  Value() = default;  // undefined
  static Value none();
  Value(bool b);
  Value(int64_t i);
  Value(int i) : Value(static_cast<int64_t>(i)) {}
  Value(double d);
  Value(std::string s);
  Value(const char* s) : Value(std::string(s)) {}
  Value(List l);
  Value(Dict d);
  static Value callable(std::shared_ptr<Callable> c);
  // A dict shared by reference: namespace() objects, which "set ns.x = ..." changes in place.
  static Value shared_dict(std::shared_ptr<Dict> d);

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::undefined; }
  bool is_none() const { return kind_ == Kind::none; }
  bool is_string() const { return kind_ == Kind::string; }
  bool is_list() const { return kind_ == Kind::list; }
  bool is_dict() const { return kind_ == Kind::dict; }
  bool is_number() const { return kind_ == Kind::integer || kind_ == Kind::number; }

  bool boolean() const { return b_; }
  int64_t integer() const { return i_; }
  double number() const { return kind_ == Kind::integer ? static_cast<double>(i_) : d_; }
  const std::string& str() const { return s_; }
  const List& list() const { return *list_; }
  List& mutable_list() { return *list_; }
  const Dict& dict() const { return *dict_; }
  Dict& mutable_dict() { return *dict_; }
  const Callable& function() const { return *callable_; }

  // A dict entry, or undefined.
  Value get(std::string_view key) const;
  bool truthy() const;

  static Value from_json(const Json& j);

 private:
  Kind kind_ = Kind::undefined;
  bool b_ = false;
  int64_t i_ = 0;
  double d_ = 0;
  std::string s_;
  std::shared_ptr<List> list_;
  std::shared_ptr<Dict> dict_;
  std::shared_ptr<Callable> callable_;
};

// Python's str() of a value as jinja2 prints it ("{{ x }}"): None -> "None", True -> "True",
// 1.0 -> "1.0", lists and dicts in repr form.
std::string to_output(const Value& v);
// json.dumps(v, ensure_ascii=False) with its default separators: HF's tojson filter.
std::string to_json_text(const Value& v, int indent = -1);

struct Node;

class Template {
 public:
  // `where` names the template in errors ("tokenizer_config.json chat_template").
  static Template parse(std::string_view source, std::string where);
  // Renders with the variables of `context` (a dict value).
  std::string render(const Value& context) const;

 private:
  std::shared_ptr<const Node> root_;
  std::string where_;
};

}  // namespace dsmath::jinja
