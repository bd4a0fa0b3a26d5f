#include "rtpipe/process/user_rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <tuple>
#include <utility>
#include <variant>

#include "rtpipe/base/uuid.h"
#include "rtpipe/base/words.h"
#include "rtpipe/model/dead_letter.h"
#include "rtpipe/model/nationality.h"

namespace rtpipe {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// Whether `text` has no whitespace at either end and none inside but single spaces. It is read 8
// bytes at a time, 7 apart (so every two neighbouring bytes are in one word; the last word ends the
// text): a word of printable bytes is tidy unless it holds two spaces in a row, and only a word
// with a byte below ' ' (every whitespace byte but the space is) is looked at byte by byte.
bool IsTidy(std::string_view text) {
  const size_t n = text.size();
  if (n == 0) return true;
  if (IsSpace(text.front()) || IsSpace(text.back())) return false;
  auto tidy_between = [&](size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      // text[i + 1] exists: the last byte is not whitespace.
      if (IsSpace(text[i]) && (text[i] != ' ' || IsSpace(text[i + 1]))) return false;
    }
    return true;
  };
  if (n < 8) return tidy_between(0, n);
  for (size_t i = 0;; i += 7) {
    const size_t at = std::min(i, n - 8);
    const uint64_t word = words::Load(text.data() + at);
    if (words::BytesBelow(word, ' ') != 0) {
      if (!tidy_between(at, at + 8)) return false;
    } else if (const uint64_t spaces = words::BytesEqual(word, ' '); (spaces & (spaces >> 8)) != 0) {
      return false;  // two spaces in a row
    }
    if (at == n - 8) return true;
  }
}

// Trims and collapses inner whitespace runs to one space, in place (most values need nothing).
void Tidy(std::string& text) {
  if (IsTidy(text)) return;
  size_t out = 0;
  bool pending_space = false;
  for (char c : text) {
    if (IsSpace(c)) {
      pending_space = out > 0;
      continue;
    }
    if (pending_space) text[out++] = ' ';
    pending_space = false;
    text[out++] = c;
  }
  text.resize(out);
}

// Whether `text` holds an ASCII capital, read 8 bytes at a time (the last word ends the text).
bool HasAsciiUpper(std::string_view text) {
  const size_t n = text.size();
  if (n < 8) return std::any_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  for (size_t i = 0;; i += 8) {
    const size_t at = std::min(i, n - 8);
    if (words::BytesIn(words::Load(text.data() + at), 'A', 'Z') != 0) return true;
    if (at == n - 8) return false;
  }
}

void AsciiLower(std::string& text) {
  if (!HasAsciiUpper(text)) return;  // ids and e-mail addresses mostly are lower case already
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
}

// Keeps the digits only, in place, and a leading '+' when digits follow it.
void KeepPhoneDigits(std::string& phone) {
  const bool plus = !phone.empty() && phone.front() == '+';
  size_t out = plus ? 1 : 0;
  for (char c : phone) {
    if (c >= '0' && c <= '9') phone[out++] = c;
  }
  phone.resize(out == 1 && plus ? 0 : out);
}

bool IsAtext(unsigned char c) {
  if (std::isalnum(c) || c >= 0x80) return true;  // letters of internationalised addresses pass through
  static constexpr std::string_view kSpecials = "!#$%&'*+/=?^_`{|}~.-";
  return kSpecials.find(static_cast<char>(c)) != std::string_view::npos;
}

}  // namespace

bool IsValidEmail(std::string_view email) {
  size_t at = email.find('@');
  if (at == std::string_view::npos || at == 0 || email.find('@', at + 1) != std::string_view::npos) return false;
  std::string_view local = email.substr(0, at);
  std::string_view domain = email.substr(at + 1);
  if (local.size() > 64 || email.size() > 254) return false;
  // Consecutive dots are invalid in RFC 5322 but the randomuser.me API produces them: accepted.
  if (local.front() == '.' || local.back() == '.') return false;
  for (char c : local) {
    if (!IsAtext(static_cast<unsigned char>(c))) return false;
  }
  if (domain.empty() || domain.find('.') == std::string_view::npos) return false;
  size_t label_start = 0;
  for (size_t i = 0; i <= domain.size(); ++i) {
    if (i == domain.size() || domain[i] == '.') {
      std::string_view label = domain.substr(label_start, i - label_start);
      if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
      label_start = i + 1;
      continue;
    }
    auto c = static_cast<unsigned char>(domain[i]);
    if (!std::isalnum(c) && c != '-') return false;
  }
  return true;
}

std::string_view AgeBand(int age) {
  if (age < 18) return "<18";
  if (age < 25) return "18-24";
  if (age < 35) return "25-34";
  if (age < 45) return "35-44";
  if (age < 55) return "45-54";
  if (age < 65) return "55-64";
  return "65+";
}

int YearsBetween(Timestamp birth, Timestamp at) {
  using namespace std::chrono;
  year_month_day b{floor<days>(birth)};
  year_month_day a{floor<days>(at)};
  int years = static_cast<int>(a.year()) - static_cast<int>(b.year());
  if (std::pair(a.month(), a.day()) < std::pair(b.month(), b.day())) --years;
  return years;
}

namespace {

void CleanseInPlace(UsersCreatedMessage& m) {
  for (auto* field : {&m.id, &m.first_name, &m.last_name, &m.gender, &m.address, &m.post_code, &m.email, &m.username,
                      &m.dob, &m.registered_date, &m.phone, &m.picture}) {
    if (*field) Tidy(**field);
  }
  for (auto* field : {&m.id, &m.email, &m.gender}) {
    if (*field) AsciiLower(**field);
  }
  if (m.phone) KeepPhoneDigits(*m.phone);
}

// Validate, also giving the two dates it read.
std::optional<Rejection> Check(const UsersCreatedMessage& m, Timestamp& dob, Timestamp& registered) {
  const std::array<std::pair<const char*, const std::optional<std::string>*>, 12> fields = {{
      {"id", &m.id},
      {"first_name", &m.first_name},
      {"last_name", &m.last_name},
      {"gender", &m.gender},
      {"address", &m.address},
      {"post_code", &m.post_code},
      {"email", &m.email},
      {"username", &m.username},
      {"dob", &m.dob},
      {"registered_date", &m.registered_date},
      {"phone", &m.phone},
      {"picture", &m.picture},
  }};
  for (const auto& [name, value] : fields) {
    if (!value->has_value()) return Rejection{dlq_reason::kMissingField, fmt::format("{} is missing", name)};
    if ((*value)->empty()) return Rejection{dlq_reason::kMissingField, fmt::format("{} is empty", name)};
  }
  if (!IsUuid(*m.id)) return Rejection{dlq_reason::kInvalidUuid, fmt::format("id \"{}\" is not a UUID", *m.id)};
  if (!IsValidEmail(*m.email)) {
    return Rejection{dlq_reason::kInvalidEmail, fmt::format("email \"{}\" is not a valid address", *m.email)};
  }
  for (auto [name, value, parsed] :
       {std::tuple{"dob", &m.dob, &dob}, {"registered_date", &m.registered_date, &registered}}) {
    auto time = ParseIso8601(**value);
    if (!time.ok()) {
      return Rejection{dlq_reason::kInvalidDate, fmt::format("{} \"{}\" is not an ISO-8601 timestamp", name, **value)};
    }
    *parsed = *time;
  }
  return std::nullopt;
}

// Enrich, into `row`, with the message's dates already read; the message's strings move to `row`.
void EnrichInto(UsersCreatedMessage& m, Timestamp event_time, Timestamp dob, Timestamp registered, CreatedUser& row) {
  row.id = std::move(*m.id);
  row.first_name = std::move(*m.first_name);
  row.last_name = std::move(*m.last_name);
  row.gender = std::move(*m.gender);
  row.address = std::move(*m.address);
  row.post_code = std::move(*m.post_code);
  row.email = std::move(*m.email);
  row.username = std::move(*m.username);
  row.dob = std::move(*m.dob);
  row.registered_date = std::move(*m.registered_date);
  row.phone = std::move(*m.phone);
  row.picture = std::move(*m.picture);
  row.age = YearsBetween(dob, event_time);
  row.age_band = AgeBand(row.age);
  row.email_domain.assign(row.email, row.email.find('@') + 1);
  size_t comma = row.address.rfind(", ");
  if (comma == std::string::npos) {
    row.country.clear();
  } else {
    row.country.assign(row.address, comma + 2);
  }
  if (auto nat = NationalityOfCountry(row.country)) {
    row.nat = *nat;
  } else {
    row.nat.clear();
  }
  row.tenure_days = std::chrono::floor<std::chrono::days>(event_time - registered).count();
  row.event_time = event_time;
}

}  // namespace

UsersCreatedMessage Cleanse(UsersCreatedMessage m) {
  CleanseInPlace(m);
  return m;
}

std::optional<Rejection> Validate(const UsersCreatedMessage& cleansed) {
  Timestamp dob, registered;
  return Check(cleansed, dob, registered);
}

CreatedUser Enrich(UsersCreatedMessage m, Timestamp event_time) {
  CreatedUser row;
  const Timestamp dob = *ParseIso8601(*m.dob), registered = *ParseIso8601(*m.registered_date);
  EnrichInto(m, event_time, dob, registered, row);
  return row;
}

std::optional<Rejection> ProcessMessageInto(std::string_view value, Timestamp event_time, CreatedUser& row) {
  auto message = ParseMessage(value);
  if (!message.ok()) {
    bool wrong_type = message.status().code() == StatusCode::kInvalidArgument;
    return Rejection{wrong_type ? dlq_reason::kWrongType : dlq_reason::kMalformedJson, message.status().message()};
  }
  CleanseInPlace(*message);
  Timestamp dob, registered;
  if (auto rejection = Check(*message, dob, registered)) return rejection;
  EnrichInto(*message, event_time, dob, registered, row);
  return std::nullopt;
}

std::variant<CreatedUser, Rejection> ProcessMessage(std::string_view value, Timestamp event_time) {
  CreatedUser row;
  if (auto rejection = ProcessMessageInto(value, event_time, row)) return *std::move(rejection);
  return row;
}

}  // namespace rtpipe
