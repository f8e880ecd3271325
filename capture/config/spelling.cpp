#include "capture/config/spelling.h"

#include <algorithm>

namespace vmcap::config {

// Optimal string alignment distance (Levenshtein plus adjacent swaps), three rows.
size_t spelling_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> two_back(b.size() + 1), prev(b.size() + 1), row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) row[j] = std::min(row[j], two_back[j - 2] + 1);
    }
    std::swap(two_back, prev);
    std::swap(prev, row);
  }
  return prev[b.size()];
}

std::optional<std::string> closest_spelling(std::string_view word, const std::vector<std::string>& candidates) {
  const size_t limit = word.size() >= 5 ? 2 : 1;
  std::optional<std::string> best;
  size_t best_distance = limit + 1;
  for (const auto& c : candidates) {
    size_t d = spelling_distance(word, c);
    if (d == 0) return std::nullopt;
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  auto c = closest_spelling(word, candidates);
  return c ? " (did you mean '" + *c + "'?)" : "";
}

}  // namespace vmcap::config
