#include "select/page.hpp"

#include <simdjson.h>

#include <fmt/format.h>

namespace dsmath::select {

struct PageParser::Impl {
  simdjson::ondemand::parser parser;
};

PageParser::PageParser(PageFields fields) : fields_(std::move(fields)), impl_(new Impl) {}
PageParser::~PageParser() { delete impl_; }

namespace {

Json wet_page_json(const Page& page) {
  Json j;
  j["url"] = page.url;
  j["date"] = page.wet_date;
  j["record_id"] = page.wet_record_id;
  j["text"] = page.text;
  return j;
}

}  // namespace

void PageParser::parse(Page& page) {
  if (page.from_wet) {
    page.json = wet_page_json(page).dump(-1, ' ', false, Json::error_handler_t::replace);
    return;
  }
  namespace od = simdjson::ondemand;
  page.json.reserve(page.json.size() + simdjson::SIMDJSON_PADDING);
  od::document doc;
  if (auto err = impl_->parser.iterate(page.json).get(doc)) {
    page.error = fmt::format("malformed JSON: {}", simdjson::error_message(err));
    return;
  }
  od::object object;
  if (auto err = doc.get_object().get(object)) {
    page.error = err == simdjson::INCORRECT_TYPE ? std::string("expected a JSON object")
                                                 : fmt::format("malformed JSON: {}", simdjson::error_message(err));
    return;
  }
  bool have_text = false;
  for (auto field : object) {
    std::string_view key;
    od::value value;
    if (auto err = field.unescaped_key().get(key)) {
      page.error = fmt::format("malformed JSON: {}", simdjson::error_message(err));
      return;
    }
    if (auto err = field.value().get(value)) {
      page.error = fmt::format("malformed JSON: {}", simdjson::error_message(err));
      return;
    }
    if (key == fields_.text_field) {
      std::string_view text;
      if (value.get_string().get(text)) {
        page.error = fmt::format("field '{}' is not a string", fields_.text_field);
        return;
      }
      page.text.assign(text);
      have_text = true;
    } else if (key == fields_.url_field) {
      std::string_view url;
      if (!value.get_string().get(url)) page.url.assign(url);
    } else if (key == fields_.score_field) {
      page.has_score_field = true;
      double score = 0;
      if (value.get_double().get(score)) {
        page.error = fmt::format("field '{}' is not a number", fields_.score_field);
        return;
      }
      page.score = score;
    } else if (key == fields_.token_field) {
      double n = 0;
      if (!value.get_double().get(n)) page.n_tokens = n;
    }
  }
  // on-demand parsing stops at the object's end: anything after it is not one JSON object
  const size_t last = page.json.find_last_not_of(" \t\r");
  if (last == std::string::npos || page.json[last] != '}') {
    page.error = "malformed JSON: trailing content after the object";
    return;
  }
  if (!have_text) page.error = fmt::format("no string field '{}'", fields_.text_field);
}

std::string json_with_score(const Page& page, std::string_view score_field, double score) {
  const std::string value = fmt::format("{:.6g}", score);
  std::string_view line = page.json;
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) line.remove_suffix(1);
  if (!page.has_score_field && !line.empty() && line.back() == '}') {
    // append without re-serializing the page: the key is new, so the object stays valid JSON
    std::string out(line.substr(0, line.size() - 1));
    size_t last = out.find_last_not_of(" \t\r\n");
    const bool empty_object = last != std::string::npos && out[last] == '{';
    out += fmt::format("{}{}:{}}}", empty_object ? "" : ",", Json(std::string(score_field)).dump(), value);
    return out;
  }
  Json j = Json::parse(line);
  j[std::string(score_field)] = std::stod(value);
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string json_with_text(const Page& page, std::string_view text_field, std::string_view text) {
  Json j = Json::parse(page.json);
  j[std::string(text_field)] = std::string(text);
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace dsmath::select
