#include "rtpipe/base/time.h"

#include <fmt/format.h>

#include <charconv>

namespace rtpipe {
namespace {

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override {
    return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  }
  MonoTime Monotonic() const override { return std::chrono::steady_clock::now(); }
};

// Reads exactly `width` decimal digits at text[pos].
bool ReadDigits(std::string_view text, size_t pos, size_t width, int& out) {
  if (pos + width > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    char c = text[i];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

}  // namespace

const Clock& Clock::System() {
  static const SystemClock clock;
  return clock;
}

int64_t WallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FormatIso8601(Timestamp t) {
  using namespace std::chrono;
  auto day = floor<days>(t);
  year_month_day ymd{day};
  int64_t ms_of_day = (t - day).count();
  int year = static_cast<int>(ymd.year());
  if (year < 0 || year > 9999) {
    return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", year, static_cast<unsigned>(ymd.month()),
                       static_cast<unsigned>(ymd.day()), ms_of_day / 3'600'000, ms_of_day / 60'000 % 60,
                       ms_of_day / 1000 % 60, ms_of_day % 1000);
  }
  // Hand-rolled: this runs once per record on the hot path.
  char out[] = "0000-00-00T00:00:00.000Z";
  auto put = [&out](int pos, int64_t value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10) out[pos + i] = static_cast<char>('0' + value % 10);
  };
  put(0, year, 4);
  put(5, static_cast<unsigned>(ymd.month()), 2);
  put(8, static_cast<unsigned>(ymd.day()), 2);
  put(11, ms_of_day / 3'600'000, 2);
  put(14, ms_of_day / 60'000 % 60, 2);
  put(17, ms_of_day / 1000 % 60, 2);
  put(20, ms_of_day % 1000, 3);
  return std::string(out, sizeof(out) - 1);
}

Result<Timestamp> ParseIso8601(std::string_view text) {
  using namespace std::chrono;
  auto bad = [&] { return Status::InvalidArgument("not an ISO-8601 timestamp: \"{}\"", text); };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!ReadDigits(text, 0, 4, y) || text.size() < 19 || text[4] != '-' || !ReadDigits(text, 5, 2, mo) ||
      text[7] != '-' || !ReadDigits(text, 8, 2, d) || (text[10] != 'T' && text[10] != ' ') ||
      !ReadDigits(text, 11, 2, h) || text[13] != ':' || !ReadDigits(text, 14, 2, mi) || text[16] != ':' ||
      !ReadDigits(text, 17, 2, s)) {
    return bad();
  }
  size_t pos = 19;
  int millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    int scale = 100;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 3) millis += (text[pos] - '0') * scale;
      scale /= 10;
      ++digits;
      ++pos;
    }
    if (digits == 0) return bad();
  }
  int offset_minutes = 0;
  if (pos < text.size() && text[pos] == 'Z') {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh = 0, om = 0;
    if (!ReadDigits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !ReadDigits(text, pos + 4, 2, om)) {
      return bad();
    }
    offset_minutes = (oh * 60 + om) * (text[pos] == '+' ? 1 : -1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != text.size()) return bad();
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return bad();
  auto tp = sys_days{ymd} + hours{h} + minutes{mi} + seconds{s} + milliseconds{millis} - minutes{offset_minutes};
  return Timestamp(tp);
}

std::string FormatDuration(Duration d) {
  using namespace std::chrono;
  auto ns = d.count();
  if (ns < 0) return "-" + FormatDuration(-d);
  if (ns < 1'000) return fmt::format("{}ns", ns);
  if (ns < 1'000'000) return fmt::format("{:.1f}us", static_cast<double>(ns) / 1e3);
  if (ns < 1'000'000'000) return fmt::format("{:.1f}ms", static_cast<double>(ns) / 1e6);
  if (ns < 60'000'000'000) return fmt::format("{:.2f}s", static_cast<double>(ns) / 1e9);
  auto total_s = duration_cast<seconds>(d).count();
  if (total_s < 3600) return fmt::format("{}m{:02d}s", total_s / 60, total_s % 60);
  return fmt::format("{}h{:02d}m", total_s / 3600, (total_s / 60) % 60);
}

}  // namespace rtpipe
