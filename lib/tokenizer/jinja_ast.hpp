#pragma once
// The parsed form of a Jinja template (jinja_parse.cpp builds it, jinja_render.cpp walks it).
// Internal to lib/tokenizer.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tokenizer/jinja_template.hpp"

namespace dsmath::jinja {

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

struct Expr {
  enum class Kind {
    literal,    // value
    name,       // name
    list,       // items
    dict,       // items as key, value pairs
    attribute,  // items[0] . name
    subscript,  // items[0] [ items[1] ]
    slice,      // items[0] [ items[1] : items[2] : items[3] ] (null = omitted)
    call,       // items[0] ( items[1..] ), keyword arguments in kwargs
    filter,     // items[0] | name ( items[1..] ), kwargs
    test,       // items[0] is [not] name ( items[1..] ); negate
    unary,      // op items[0]: "not", "-", "+"
    binary,     // items[0] op items[1]
    conditional // items[1] if items[0] else items[2] (items[2] null: undefined)
  };
  Kind kind = Kind::literal;
  Value value;
  std::string name;  // variable, attribute, filter, test or operator
  std::vector<ExprPtr> items;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
  bool negate = false;
  int line = 0;
};

struct Node;
using NodePtr = std::shared_ptr<const Node>;

struct Node {
  enum class Kind {
    sequence,   // children
    text,       // text
    output,     // expr
    if_,        // branches: (condition, body); a null condition is the else branch
    for_,       // targets in expr [if filter]: body, else_body
    set,        // targets = expr, or attribute target (target_object.target_attr)
    set_block,  // targets[0] = rendered body
    macro,      // name(params with defaults): body
    call_block, // unsupported in chat templates; kept out
    break_,
    continue_,
  };
  Kind kind = Kind::sequence;
  std::string text;
  ExprPtr expr;
  ExprPtr filter;
  std::vector<NodePtr> children;
  std::vector<std::pair<ExprPtr, NodePtr>> branches;
  std::vector<std::string> targets;
  std::string target_attr;  // "set ns.attr = ..." (targets[0] is ns)
  NodePtr body, else_body;
  std::vector<std::pair<std::string, ExprPtr>> params;  // macro parameters and defaults (null: none)
  int line = 0;
};

// A builtin or macro: positional arguments, then keyword arguments.
struct Callable {
  std::function<Value(const List& args, const Dict& kwargs)> call;
};

NodePtr parse_template(std::string_view source, const std::string& where);

}  // namespace dsmath::jinja
