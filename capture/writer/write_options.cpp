#include "capture/writer/write_options.h"

#include <thread>

namespace vmcap {

unsigned effective_threads(unsigned threads) {
  if (threads > 0) return threads;
  const unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? n : 1;
}

}  // namespace vmcap
