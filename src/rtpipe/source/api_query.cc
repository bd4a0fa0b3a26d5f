// RequestFromQuery: the API's query parameters, read as leniently as the API reads them.

#include <charconv>

#include "rtpipe/model/nationality.h"
#include "rtpipe/source/generator.h"

namespace rtpipe {
namespace {

// A decimal integer, the whole text; nullopt otherwise.
std::optional<int64_t> Integer(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

// Calls f(item) for each non-empty item of a comma list.
template <typename F>
void ForEachItem(std::string_view list, F&& f) {
  while (true) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    if (!item.empty()) f(item);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
}

uint16_t FieldMask(std::string_view list) {
  uint16_t mask = 0;
  ForEachItem(list, [&](std::string_view item) {
    auto field = ParseUserField(Lower(Trim(item)));
    if (field.ok()) mask |= static_cast<uint16_t>(*field);
  });
  return mask;
}

}  // namespace

GeneratorRequest RequestFromQuery(const std::function<std::optional<std::string>(std::string_view)>& get) {
  GeneratorRequest r;
  if (auto results = get("results")) {
    auto n = Integer(*results);
    r.results = (n && *n >= 1 && *n <= 5000) ? static_cast<int>(*n) : 1;
  }
  if (auto page = get("page")) {
    auto n = Integer(*page);
    r.page = (n && *n >= 1 && *n <= 10000) ? *n : 1;
  }
  if (auto seed = get("seed")) r.seed = *seed;
  auto nat = get("nat");
  if (!nat) nat = get("nationality");
  if (nat) {
    bool valid = true;
    ForEachItem(*nat, [&](std::string_view item) {
      auto n = FindNationality(item);
      if (n) {
        r.nats.emplace_back(n->code);
      } else {
        valid = false;
      }
    });
    if (!valid) r.nats.clear();
  }
  if (auto gender = get("gender"); gender && (*gender == "male" || *gender == "female")) r.gender = *gender;
  auto inc = get("inc");
  uint16_t fields = (inc && !inc->empty()) ? FieldMask(*inc) : kAllUserFields;
  if (auto exc = get("exc")) fields = static_cast<uint16_t>(fields & ~FieldMask(*exc));
  r.fields = fields;
  r.noinfo = get("noinfo").has_value();
  return r;
}

}  // namespace rtpipe
