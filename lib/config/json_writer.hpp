#pragma once
// Config struct -> JSON with types kept (numbers, booleans, null), for summaries and run
// records that other tools parse (summary.json, trainer_state.json).
#include "config/schema.hpp"
#include "core/json.hpp"

namespace dsmath::config {

template <class T>
Json value_to_json(const T& value);

class JsonWriter {
 public:
  template <class T>
  void operator()(std::string_view key, T& value, std::string_view, const Check& = {}) {
    json_[std::string(key)] = value_to_json(value);
  }
  Json json() const { return json_; }

 private:
  Json json_ = Json::object();
};

template <class T>
Json value_to_json(const T& value) {
  if constexpr (ConfigStruct<T>) {
    JsonWriter w;
    T copy = value;
    copy.visit(w);
    return w.json();
  } else if constexpr (is_optional<T>::value) {
    return value ? value_to_json(*value) : Json(nullptr);
  } else if constexpr (is_vector<T>::value) {
    Json a = Json::array();
    for (const auto& e : value) a.push_back(value_to_json(e));
    return a;
  } else if constexpr (ConfigEnum<T>) {
    return Json(std::string(enum_name(value)));
  } else {
    return Json(value);
  }
}

template <ConfigStruct T>
Json to_json(const T& value) {
  return value_to_json(value);
}

}  // namespace dsmath::config
