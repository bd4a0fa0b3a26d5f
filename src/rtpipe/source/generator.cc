// The generator's users: one Rng stream per (seed, page, index), drawn in a fixed order.

#include "rtpipe/source/generator.h"

#include <fmt/format.h>

#include <chrono>
#include <mutex>
#include <random>

#include "rtpipe/base/json.h"
#include "rtpipe/model/nationality.h"
#include "rtpipe/source/digest.h"
#include "rtpipe/source/generator_bad_records.h"
#include "rtpipe/source/generator_data.h"
#include "rtpipe/source/generator_formats.h"
#include "rtpipe/source/rng.h"
#include "rtpipe/source/transliterate.h"

namespace rtpipe {
namespace {

using std::chrono::days;
using std::chrono::milliseconds;

// 2026-01-01T00:00:00Z.
constexpr int64_t kEpochMs = 1'767'225'600'000;
// The API's ranges: births from 1944-08-26 up to 21 years before "now", registrations from
// 2002-03-21; "now" is the generator epoch here.
constexpr int64_t kDobMinMs = -800'000'000'000;
constexpr int64_t kDobMaxMs = kEpochMs - 21LL * 365 * 86'400'000;
constexpr int64_t kRegisteredMinMs = 1'016'688'461'000;
constexpr int64_t kRegisteredMaxMs = kEpochMs - 86'400'000;

// Whole years from `t` to the epoch.
int AgeAtEpoch(Timestamp t) {
  using namespace std::chrono;
  year_month_day from{floor<days>(t)};
  year_month_day to{floor<days>(GeneratorEpoch())};
  int age = static_cast<int>(to.year()) - static_cast<int>(from.year());
  if (std::pair{static_cast<unsigned>(to.month()), static_cast<unsigned>(to.day())} <
      std::pair{static_cast<unsigned>(from.month()), static_cast<unsigned>(from.day())}) {
    --age;
  }
  return age;
}

void AppendInt(std::string& out, int64_t v) {
  fmt::format_int text(v);
  out.append(text.data(), text.size());
}

// A coordinate in units of 1e-4 degree written with 4 decimals, as JavaScript's toFixed(4).
std::string Fixed4(int64_t v) {
  const int64_t a = v < 0 ? -v : v;
  std::string out = v < 0 ? "-" : "";
  AppendInt(out, a / 10000);
  const int64_t frac = a % 10000;
  out += {'.', static_cast<char>('0' + frac / 1000), static_cast<char>('0' + frac / 100 % 10),
          static_cast<char>('0' + frac / 10 % 10), static_cast<char>('0' + frac % 10)};
  return out;
}

// A version 4 UUID made of the stream's bits.
std::string Uuid(gen::Rng& rng) {
  uint64_t hi = rng.Next();
  uint64_t lo = rng.Next();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;                         // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 10
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  int pos = 0;
  for (int nibble = 0; nibble < 32; ++nibble) {
    if (pos == 8 || pos == 13 || pos == 18 || pos == 23) ++pos;
    const uint64_t word = nibble < 16 ? hi : lo;
    out[static_cast<size_t>(pos++)] = kHex[(word >> (60 - 4 * (nibble % 16))) & 0xF];
  }
  return out;
}

// "https://randomuser.me/api/portraits/<size>men/<n>.jpg"
std::string Portrait(std::string_view size, const char* folder, int64_t n) {
  std::string url = "https://randomuser.me/api/portraits/";
  url += size;
  url += folder;
  url.push_back('/');
  AppendInt(url, n);
  url += ".jpg";
  return url;
}

std::string Email(std::string_view first, std::string_view last) {
  std::string local = gen::TransliterateLower(std::string(first) + "." + std::string(last));
  std::erase(local, ' ');
  return local + "@example.com";
}

size_t NatIndex(std::string_view code) {
  auto all = AllNationalities();
  for (size_t i = 0; i < all.size(); ++i) {
    if (all[i].code == code) return i;
  }
  return all.size();
}

}  // namespace

std::string_view BadRecordKindName(BadRecordKind kind) {
  switch (kind) {
    case BadRecordKind::kNone:
      return "none";
    case BadRecordKind::kMalformed:
      return "malformed";
    case BadRecordKind::kMissing:
      return "missing";
    case BadRecordKind::kInvalidEmail:
      return "invalid_email";
    case BadRecordKind::kWrongType:
      return "wrong_type";
  }
  return "unknown";
}

Timestamp GeneratorEpoch() { return TimestampFromMillis(kEpochMs); }

User Generator::MakeUser(std::string_view seed, int64_t page, int64_t index, std::span<const std::string> nats,
                         std::string_view gender) const {
  gen::Rng rng(gen::UserKey(gen::HashBytes(seed), page, index));
  auto all = AllNationalities();
  size_t nat = all.size();
  if (!nats.empty()) nat = NatIndex(nats[rng.Below(nats.size())]);
  if (nat >= all.size()) nat = rng.Below(all.size());
  const gen::NatData& data = gen::NatDataAt(nat);
  const std::string_view code = all[nat].code;

  User u;
  u.gender = (gender == "male" || gender == "female") ? std::string(gender) : (rng.Below(2) == 0 ? "male" : "female");
  const bool male = u.gender == "male";
  u.name.title = gen::DrawTitle(code, male, rng);
  u.name.first = rng.Pick(male ? data.male_first : data.female_first);
  u.name.last = rng.Pick(data.last);

  auto& l = u.location;
  l.street_number = rng.Range(1, 9999);
  l.street_name = rng.Pick(data.streets);
  l.city = rng.Pick(data.cities);
  l.state = rng.Pick(data.states);
  l.country = all[nat].country;
  gen::DrawPostcode(code, rng, u);
  l.latitude = Fixed4(rng.Range(-900'000, 900'000));
  l.longitude = Fixed4(rng.Range(-1'800'000, 1'800'000));
  const auto& tz = rng.Pick(gen::TimeZones());
  l.timezone_offset = tz.offset;
  l.timezone_description = tz.description;

  u.email = Email(u.name.first, u.name.last);

  auto& login = u.login;
  login.uuid = Uuid(rng);
  login.username = rng.Pick(gen::UsernameFirstWords());
  login.username += rng.Pick(gen::UsernameSecondWords());
  AppendInt(login.username, rng.Range(100, 999));
  login.password = rng.Pick(gen::Passwords());
  login.salt.resize(8);
  static constexpr std::string_view kSaltChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ1234567890";
  for (char& c : login.salt) c = kSaltChars[rng.Below(kSaltChars.size())];
  std::string salted = login.password + login.salt;
  login.md5 = gen::Md5Hex(salted);
  login.sha1 = gen::Sha1Hex(salted);
  login.sha256 = gen::Sha256Hex(salted);

  Timestamp dob = TimestampFromMillis(rng.Range(kDobMinMs, kDobMaxMs));
  u.dob = {FormatIso8601(dob), AgeAtEpoch(dob)};
  Timestamp registered = TimestampFromMillis(rng.Range(kRegisteredMinMs, kRegisteredMaxMs));
  u.registered = {FormatIso8601(registered), AgeAtEpoch(registered)};

  gen::DrawPhonesAndId(code, dob, rng, u);

  const int64_t portrait = male ? rng.Range(0, 99) : rng.Range(0, 96);
  const char* folder = male ? "men" : "women";
  u.picture.large = Portrait("", folder, portrait);
  u.picture.medium = Portrait("med/", folder, portrait);
  u.picture.thumbnail = Portrait("thumb/", folder, portrait);
  u.nat = code;
  return u;
}

BadRecordKind Generator::BadKindOf(std::string_view seed, int64_t page, int64_t index, bool allow_malformed) const {
  if (bad_rate_ <= 0.0) return BadRecordKind::kNone;
  gen::Rng rng(gen::Mix64(gen::UserKey(gen::HashBytes(seed), page, index) ^ 0x6261642d7265636fULL));
  if (!rng.Chance(bad_rate_)) return BadRecordKind::kNone;
  static constexpr BadRecordKind kAll[] = {BadRecordKind::kMalformed, BadRecordKind::kMissing,
                                           BadRecordKind::kInvalidEmail, BadRecordKind::kWrongType};
  BadRecordKind kind = rng.Pick(kAll);
  if (kind == BadRecordKind::kMalformed && !allow_malformed) kind = kAll[1 + rng.Below(3)];
  return kind;
}

void Generator::AppendRecord(const GeneratorRequest& request, std::string_view gender, int64_t index,
                             bool allow_malformed, std::string& out, BadRecordKind* kind) const {
  User user = MakeUser(request.seed, request.page, index, request.nats, gender);
  user.present = request.fields;
  BadRecordKind bad = BadKindOf(request.seed, request.page, index, allow_malformed);
  if (kind != nullptr) *kind = bad;
  if (bad == BadRecordKind::kNone) {
    AppendUserJson(user, out);
  } else {
    gen::AppendCorruptedUser(std::move(user), bad, gen::UserKey(gen::HashBytes(request.seed), request.page, index),
                             out);
  }
}

std::vector<GeneratedRecord> Generator::Records(const GeneratorRequest& request, int first, int count) const {
  std::vector<GeneratedRecord> records(static_cast<size_t>(count > 0 ? count : 0));
  for (int i = 0; i < count; ++i) {
    AppendRecord(request, "", first + i, /*allow_malformed=*/true, records[i].text, &records[i].bad);
  }
  return records;
}

std::string Generator::Response(const GeneratorRequest& request) const {
  // As the API: `gender` only applies when no seed was given.
  const std::string_view gender = request.seed.empty() ? std::string_view(request.gender) : std::string_view();
  GeneratorRequest resolved;
  const GeneratorRequest* r = &request;
  if (request.seed.empty()) {
    resolved = request;
    resolved.seed = RandomSeed();
    r = &resolved;
  }
  std::string out;
  out.reserve(static_cast<size_t>(r->results) * 1150 + 128);
  out.append("{\"results\":[");
  for (int i = 0; i < r->results; ++i) {
    if (i > 0) out.push_back(',');
    AppendRecord(*r, gender, i, /*allow_malformed=*/false, out, nullptr);
  }
  out.push_back(']');
  if (!r->noinfo) {
    out.append(",\"info\":{\"seed\":");
    AppendJsonString(out, r->seed);
    fmt::format_to(std::back_inserter(out), ",\"results\":{},\"page\":{},\"version\":\"1.4\"}}", r->results, r->page);
  }
  out.push_back('}');
  return out;
}

std::string Generator::RandomSeed() {
  static std::mutex mutex;
  static std::mt19937_64 rng{std::random_device{}()};
  static constexpr std::string_view kChars = "abcdef1234567890";
  std::string seed(16, '\0');
  std::lock_guard lock(mutex);
  for (char& c : seed) c = kChars[rng() % kChars.size()];
  return seed;
}

}  // namespace rtpipe
