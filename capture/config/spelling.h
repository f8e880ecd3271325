// "did you mean ...?" for a misspelt name (a config key, a command-line option, a
// subcommand): the closest of the names that exist, when it is close enough to be the one
// meant. Operators misspell by a letter or two, or swap two letters.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmcap::config {

// Edits (insert, delete, replace, swap two neighbours) from `a` to `b`.
size_t spelling_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word`, when at most 1 edit away (2 for words of 5 letters or
// more); ties go to the first. Nothing when none is that near, or `word` is one of them.
std::optional<std::string> closest_spelling(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'X'?)", or "" when nothing is close: to append to a message.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace vmcap::config
