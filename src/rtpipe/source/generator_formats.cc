#include "rtpipe/source/generator_formats.h"

#include <fmt/format.h>

#include <array>
#include <chrono>
#include <string>

#include "rtpipe/base/assert.h"

namespace rtpipe::gen {
namespace {

// A two-letter nationality code as a number, for switch statements.
constexpr int Nat(std::string_view code) { return code.size() == 2 ? code[0] * 256 + code[1] : 0; }

constexpr std::string_view kUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

// Appends `n` random characters of `alphabet`.
void Chars(Rng& rng, std::string_view alphabet, int n, std::string& out) {
  for (int i = 0; i < n; ++i) out.push_back(alphabet[rng.Below(alphabet.size())]);
}
std::string Digits(Rng& rng, int n) {
  std::string s;
  Chars(rng, "0123456789", n, s);
  return s;
}
std::string Digit(Rng& rng, int lo, int hi) { return std::string(1, static_cast<char>('0' + rng.Range(lo, hi))); }
std::string Upper(Rng& rng, int n = 1) {
  std::string s;
  Chars(rng, kUpper, n, s);
  return s;
}

// Day, month (1-12) and year of a timestamp, UTC.
struct Ymd {
  int year;
  unsigned month, day;
};
Ymd DateOf(Timestamp t) {
  std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day())};
}

// Canadian SIN: 9 digits passing the Luhn check.
std::string Sin(Rng& rng) {
  std::string s = Digit(rng, 1, 7) + Digits(rng, 7);
  int sum = 0;
  for (size_t i = 0; i < 8; ++i) {
    int d = s[i] - '0';
    if (i % 2 == 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  s.push_back(static_cast<char>('0' + (10 - sum % 10) % 10));
  return s;
}

// US SSN: area 001-899 but not 666, group 01-99, serial 0001-9999.
std::string Ssn(Rng& rng) {
  int64_t area = rng.Range(1, 898);
  if (area >= 666) ++area;
  return fmt::format("{:03d}-{:02d}-{:04d}", area, rng.Range(1, 99), rng.Range(1, 9999));
}

// Finnish HETU: DDMMYY, century sign, individual number (odd for men), check character.
std::string Hetu(Rng& rng, Ymd d, bool male) {
  char sign = d.year < 1900 ? '+' : d.year < 2000 ? '-' : 'A';
  int64_t individual = rng.Range(1, 449) * 2 + (male ? 1 : 0);
  int64_t number = ((static_cast<int64_t>(d.day) * 100 + d.month) * 100 + d.year % 100) * 1000 + individual;
  static constexpr std::string_view kCheck = "0123456789ABCDEFHJKLMNPRSTUVWXY";
  return fmt::format("{:02d}{:02d}{:02d}{}{:03d}{}", d.day, d.month, d.year % 100, sign, individual,
                     kCheck[static_cast<size_t>(number % 31)]);
}

// Norwegian fødselsnummer: DDMMYY, individual number by century (odd third digit for men), and
// two mod-11 check digits; numbers whose check digit would be 10 are drawn again.
std::string Fodselsnummer(Rng& rng, Ymd d, bool male) {
  static constexpr int kW1[] = {3, 7, 6, 1, 8, 9, 4, 5, 2};
  static constexpr int kW2[] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
  for (;;) {
    int64_t individual = d.year >= 2000 ? rng.Range(500, 999) : rng.Range(0, 499);
    if ((individual % 2 == 1) != male) individual = individual == 0 ? 1 : individual - 1;
    std::string s = fmt::format("{:02d}{:02d}{:02d}{:03d}", d.day, d.month, d.year % 100, individual);
    auto check = [&](const int* weights, size_t n) {
      int sum = 0;
      for (size_t i = 0; i < n; ++i) sum += weights[i] * (s[i] - '0');
      int k = 11 - sum % 11;
      return k == 11 ? 0 : k;
    };
    int k1 = check(kW1, 9);
    if (k1 == 10) continue;
    s.push_back(static_cast<char>('0' + k1));
    int k2 = check(kW2, 10);
    if (k2 == 10) continue;
    s.push_back(static_cast<char>('0' + k2));
    return s;
  }
}

// French INSEE number as the API writes it: sex, years since 1900 and the zero-based month
// (JavaScript's getYear/getMonth), 8 digits, a space and the mod-97 key.
std::string Insee(Rng& rng, Ymd d, bool male) {
  std::string body = fmt::format("{}{}{:02d}{}", male ? 1 : 2, d.year - 1900, d.month - 1, Digits(rng, 8));
  int64_t n = std::stoll(body);
  return fmt::format("{} {:02d}", body, 97 - n % 97);
}

std::string GbPhone(Rng& rng) {
  switch (rng.Below(5)) {
    case 0:
      return "01" + Digits(rng, 3) + " " + Digits(rng, 6);
    case 1:
      return "011" + Digits(rng, 1) + " " + Digits(rng, 3) + " " + Digits(rng, 4);
    case 2:
      return "01" + Digits(rng, 1) + "1 " + Digits(rng, 3) + " " + Digits(rng, 4);
    case 3:
      return "015" + Digits(rng, 3) + " " + Digits(rng, 5);
    default:
      return "02" + Digits(rng, 1) + " " + Digits(rng, 4) + " " + Digits(rng, 4);
  }
}

std::string GbPostcode(Rng& rng) {
  static constexpr std::string_view kInward = "ABDEFGHJLNPQRSTUWXYZ";
  std::string outward;
  switch (rng.Below(6)) {
    case 0:
      outward = Upper(rng) + Digits(rng, 1);
      break;  // A9
    case 1:
      outward = Upper(rng, 2) + Digits(rng, 1);
      break;  // AA9
    case 2:
      outward = Upper(rng) + Digits(rng, 2);
      break;  // A99
    case 3:
      outward = Upper(rng, 2) + Digits(rng, 2);
      break;  // AA99
    case 4:
      outward = Upper(rng, 2) + Digits(rng, 1) + Upper(rng);
      break;  // AA9A
    default:
      outward = Upper(rng) + Digits(rng, 1) + Upper(rng);
      break;  // A9A
  }
  std::string inward = Digits(rng, 1);
  Chars(rng, kInward, 2, inward);
  return outward + " " + inward;
}

std::string Nino(Rng& rng) {
  std::string s;
  Chars(rng, "ABCEGHJKLMNOPRSTWXYZ", 1, s);
  Chars(rng, "ABCEGHJKLMNPRSTWXYZ", 1, s);
  s += " " + Digits(rng, 2) + " " + Digits(rng, 2) + " " + Digits(rng, 2) + " ";
  Chars(rng, "ABCD", 1, s);
  return s;
}

}  // namespace

std::string_view DrawTitle(std::string_view nat, bool male, Rng& rng) {
  static constexpr std::string_view kFemale[] = {"Miss", "Mrs", "Ms"};
  static constexpr std::string_view kSwissFemale[] = {"Mademoiselle", "Madame"};
  if (nat == "CH") return male ? "Monsieur" : rng.Pick(kSwissFemale);  // CH
  return male ? "Mr" : rng.Pick(kFemale);
}

void DrawPostcode(std::string_view nat, Rng& rng, User& u) {
  auto& l = u.location;
  l.postcode_is_number = true;
  switch (Nat(nat)) {
    case Nat("AU"):
      l.postcode = std::to_string(rng.Range(200, 9999));
      return;
    case Nat("CA"):
      l.postcode = Upper(rng) + Digits(rng, 1) + Upper(rng) + " " + Digits(rng, 1) + Upper(rng) + Digits(rng, 1);
      l.postcode_is_number = false;
      return;
    case Nat("CH"):
      l.postcode = std::to_string(rng.Range(1000, 9999));
      return;
    case Nat("GB"):
      l.postcode = GbPostcode(rng);
      l.postcode_is_number = false;
      return;
    case Nat("NL"):
      l.postcode = Digit(rng, 1, 9) + Digits(rng, 3) + " " + Upper(rng, 2);
      l.postcode_is_number = false;
      return;
    case Nat("NO"):  // four digits, Oslo's start with 0
      l.postcode = fmt::format("{:04d}", rng.Chance(0.3) ? rng.Range(1, 999) : rng.Range(1000, 9999));
      l.postcode_is_number = false;
      return;
    default:
      l.postcode = std::to_string(rng.Range(10000, 99999));
      return;
  }
}

void DrawPhonesAndId(std::string_view nat, Timestamp dob, Rng& rng, User& u) {
  const bool male = u.gender == "male";
  const Ymd d = DateOf(dob);
  auto id = [&](std::string_view name, std::optional<std::string> value) {
    u.id.name = name;
    u.id.value = std::move(value);
  };
  switch (Nat(nat)) {
    case Nat("AU"):
      u.phone = "0" + Digits(rng, 1) + "-" + Digits(rng, 4) + "-" + Digits(rng, 4);
      u.cell = "04" + Digits(rng, 2) + "-" + Digits(rng, 3) + "-" + Digits(rng, 3);
      id("TFN", Digits(rng, 9));
      return;
    case Nat("BR"):
      u.phone = "(" + Digits(rng, 2) + ") " + Digits(rng, 4) + "-" + Digits(rng, 4);
      u.cell = "(" + Digits(rng, 2) + ") " + Digits(rng, 4) + "-" + Digits(rng, 4);
      id("CPF", Digits(rng, 3) + "." + Digits(rng, 3) + "." + Digits(rng, 3) + "-" + Digits(rng, 2));
      return;
    case Nat("CA"):  // the API puts letters where area codes would be
      u.phone = Upper(rng) + Digits(rng, 2) + " " + Upper(rng) + Digits(rng, 2) + "-" + Digits(rng, 4);
      u.cell = Upper(rng) + Digits(rng, 2) + " " + Upper(rng) + Digits(rng, 2) + "-" + Digits(rng, 4);
      id("SIN", Sin(rng));
      return;
    case Nat("CH"):
      u.phone = "07" + Digit(rng, 5, 9) + " " + Digits(rng, 3) + " " + Digits(rng, 2) + " " + Digits(rng, 2);
      u.cell = "07" + Digit(rng, 5, 9) + " " + Digits(rng, 3) + " " + Digits(rng, 2) + " " + Digits(rng, 2);
      id("AVS", "756." + Digits(rng, 4) + "." + Digits(rng, 4) + "." + Digits(rng, 2));
      return;
    case Nat("DE"): {  // years since 1900, as JavaScript's getYear() gives them
      static constexpr int kAreas[] = {2,  3,  4,  8,  9,  10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25,
                                       26, 28, 29, 38, 39, 40, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54};
      u.phone = "0" + Digits(rng, 3) + "-" + Digits(rng, 7);
      u.cell = "017" + Digits(rng, 1) + "-" + Digits(rng, 7);
      // The first character of the last name (a whole UTF-8 sequence).
      size_t len = 1;
      while (len < u.name.last.size() && (static_cast<unsigned char>(u.name.last[len]) & 0xC0) == 0x80) ++len;
      std::string initial = u.name.last.empty() ? std::string("X") : u.name.last.substr(0, len);
      id("SVNR", fmt::format("{:02d} {:02d}{:02d}{} {} {:02d}{}", rng.Pick(kAreas), d.day, d.month, d.year - 1900,
                             initial, male ? rng.Range(0, 49) : rng.Range(50, 99), rng.Range(0, 9)));
      return;
    }
    case Nat("DK"):
      u.phone = Digits(rng, 8);
      u.cell = Digits(rng, 8);
      id("CPR", fmt::format("{:02d}{:02d}{}-{}", d.day, d.month, d.year - 1900, Digits(rng, 4)));
      return;
    case Nat("ES"):
      u.phone = "9" + Digits(rng, 2) + "-" + Digits(rng, 3) + "-" + Digits(rng, 3);
      u.cell = "6" + Digits(rng, 2) + "-" + Digits(rng, 3) + "-" + Digits(rng, 3);
      id("DNI", Digits(rng, 8) + "-" + Upper(rng));
      return;
    case Nat("FI"):
      u.phone = "0" + Digit(rng, 2, 9) + "-" + Digits(rng, 3) + "-" + Digits(rng, 3);
      u.cell = "04" + Digits(rng, 1) + "-" + Digits(rng, 3) + "-" + Digits(rng, 2) + "-" + Digits(rng, 2);
      id("HETU", Hetu(rng, d, male));
      return;
    case Nat("FR"):
      u.phone = "0" + Digit(rng, 1, 5) + "-" + Digits(rng, 2) + "-" + Digits(rng, 2) + "-" + Digits(rng, 2) + "-" +
                Digits(rng, 2);
      u.cell = "06-" + Digits(rng, 2) + "-" + Digits(rng, 2) + "-" + Digits(rng, 2) + "-" + Digits(rng, 2);
      id("INSEE", Insee(rng, d, male));
      return;
    case Nat("GB"):
      u.phone = GbPhone(rng);
      u.cell = "07" + Digits(rng, 3) + " " + Digits(rng, 6);
      id("NINO", Nino(rng));
      return;
    case Nat("IE"):  // the PPS number ends in A for people born from 2013
      u.phone = "0" + Digit(rng, 1, 7) + "1-" + Digits(rng, 3) + "-" + Digits(rng, 4);
      u.cell = "081-" + Digits(rng, 3) + "-" + Digits(rng, 4);
      id("PPS", Digits(rng, 7) + "T" + (d.year >= 2013 ? "A" : ""));
      return;
    case Nat("IN"):
      u.phone = Digit(rng, 7, 9) + Digits(rng, 9);
      u.cell = Digit(rng, 7, 9) + Digits(rng, 9);
      id("UIDAI", Digits(rng, 12));
      return;
    case Nat("IR"):
      u.phone = "0" + Digits(rng, 2) + "-" + Digits(rng, 8);
      u.cell = "09" + Digits(rng, 2) + "-" + Digits(rng, 3) + "-" + Digits(rng, 4);
      id("", std::nullopt);
      return;
    case Nat("MX"):
      u.phone = "(6" + Digits(rng, 2) + ") " + Digits(rng, 3) + " " + Digits(rng, 4);
      u.cell = "(6" + Digits(rng, 2) + ") " + Digits(rng, 3) + " " + Digits(rng, 4);
      id("NSS",
         Digits(rng, 2) + " " + Digits(rng, 2) + " " + Digits(rng, 2) + " " + Digits(rng, 4) + " " + Digits(rng, 1));
      return;
    case Nat("NL"):
      u.phone = "(" + Digits(rng, 3) + ")-" + Digits(rng, 3) + "-" + Digits(rng, 4);
      u.cell = "(" + Digits(rng, 3) + ")-" + Digits(rng, 3) + "-" + Digits(rng, 4);
      id("BSN", Digits(rng, 8));
      return;
    case Nat("NO"): {
      static constexpr char kPhoneFirst[] = {'2', '3', '5', '6', '7', '8'};
      u.phone = std::string(1, rng.Pick(kPhoneFirst)) + Digits(rng, 7);
      u.cell = std::string(1, rng.Chance(0.5) ? '4' : '9') + Digits(rng, 7);
      id("FN", Fodselsnummer(rng, d, male));
      return;
    }
    case Nat("NZ"):
    case Nat("TR"):
      u.phone = "(" + Digits(rng, 3) + ")-" + Digits(rng, 3) + "-" + Digits(rng, 4);
      u.cell = "(" + Digits(rng, 3) + ")-" + Digits(rng, 3) + "-" + Digits(rng, 4);
      id("", std::nullopt);
      return;
    case Nat("RS"):
      u.phone = "0" + Digit(rng, 1, 3) + Digits(rng, 1) + "-" + Digits(rng, 4) + "-" + Digits(rng, 3);
      u.cell = "06" + Digits(rng, 1) + "-" + Digits(rng, 4) + "-" + Digits(rng, 3);
      id("SID", Digits(rng, 9));
      return;
    case Nat("UA"): {  // mobile operator codes, then a letter where the API has one
      static constexpr std::string_view kOperators[] = {"66", "67", "68", "93", "96", "97", "98", "99"};
      u.phone = fmt::format("(0{}) {}{}-{}", rng.Pick(kOperators), Upper(rng), Digits(rng, 2), Digits(rng, 4));
      u.cell = fmt::format("(0{}) {}{}-{}", rng.Pick(kOperators), Upper(rng), Digits(rng, 2), Digits(rng, 4));
      id("", std::nullopt);
      return;
    }
    case Nat("US"):
      u.phone =
          "(" + Digit(rng, 2, 9) + Digits(rng, 2) + ") " + Digit(rng, 2, 9) + Digits(rng, 2) + "-" + Digits(rng, 4);
      u.cell =
          "(" + Digit(rng, 2, 9) + Digits(rng, 2) + ") " + Digit(rng, 2, 9) + Digits(rng, 2) + "-" + Digits(rng, 4);
      id("SSN", Ssn(rng));
      return;
    default:
      RTPIPE_ASSERT(false, "unknown nationality {}", nat);
  }
}

}  // namespace rtpipe::gen
