#include "report/since_time.h"

#include <charconv>
#include <ctime>
#include <optional>
#include <string>

namespace vmcap::report {
namespace {

// Digits only, exactly `n` of them.
bool digits(std::string_view s, size_t at, size_t n, int& out) {
  if (at + n > s.size()) return false;
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

// Days from 1970-01-01 to a civil date (Howard Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::optional<int64_t> parse_age(std::string_view s, int64_t now) {
  if (s.size() < 2) return std::nullopt;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size() - 1, n);
  if (ec != std::errc() || end != s.data() + s.size() - 1 || n < 0 || n > 100 * 366) return std::nullopt;
  switch (s.back()) {
    case 'm': return now - n * 60;
    case 'h': return now - n * 3600;
    case 'd': return now - n * 86400;
    case 'w': return now - n * 7 * 86400;
  }
  return std::nullopt;
}

std::optional<int64_t> parse_utc(std::string_view s) {
  int y, mo, d, h = 0, mi = 0, sec = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1970) return std::nullopt;
  std::string_view rest = s.substr(10);
  if (!rest.empty()) {
    if (rest[0] != 'T' && rest[0] != ' ') return std::nullopt;
    if (!rest.empty() && rest.back() == 'Z') rest.remove_suffix(1);
    if (rest.size() != 6 && rest.size() != 9) return std::nullopt;
    if (!digits(rest, 1, 2, h) || rest[3] != ':' || !digits(rest, 4, 2, mi)) return std::nullopt;
    if (rest.size() == 9 && (rest[6] != ':' || !digits(rest, 7, 2, sec))) return std::nullopt;
    if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
  }
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
}

}  // namespace

Result<int64_t> parse_since(std::string_view text, int64_t now) {
  if (auto t = parse_utc(text)) return *t;
  if (auto t = parse_age(text, now)) return *t;
  return make_error(ErrorKind::Usage, "--since", std::nullopt,
                    "'" + std::string(text.substr(0, 64)) +
                        "' is not a UTC date (2026-12-01, 2026-12-01T08:00:00Z) or an age (30m, 12h, 7d, 2w)");
}

std::string utc_iso(int64_t time) {
  std::time_t t = static_cast<std::time_t>(time);
  std::tm tm{};
  if (!gmtime_r(&t, &tm)) return "?";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace vmcap::report
