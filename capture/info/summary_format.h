// `vmcap info` output: human text, and JSON whose schema docs/info-json.md documents.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "capture/info/dump_summary.h"

namespace vmcap {

std::string summary_text(const DumpSummary& s);
nlohmann::ordered_json summary_json(const DumpSummary& s);

}  // namespace vmcap
