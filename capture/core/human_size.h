// A byte count in the unit that fits it, for people reading a console or `vmcap info`:
// "512 bytes", "12.1 KiB", "3.4 MiB", "1.5 GiB", "2.0 TiB" (binary units, one decimal).
// Exact counts stay beside it where they matter ("871873536 bytes (831.5 MiB)").
#pragma once

#include <cstdint>
#include <string>

namespace vmcap {

std::string human_size(uint64_t bytes);

}  // namespace vmcap
