#include "capture/run/log_products.h"

#include <sstream>
#include <streambuf>

#include "capture/printk/json_formatter.h"
#include "capture/printk/log_decoder.h"
#include "capture/printk/text_formatter.h"

namespace vmcap::run {
namespace {

// A string that stops growing at `limit` bytes; what does not fit is counted as dropped.
class BoundedStringBuf final : public std::streambuf {
 public:
  explicit BoundedStringBuf(size_t limit) : limit_(limit) {}
  std::string take() { return std::move(s_); }
  uint64_t dropped() const { return dropped_; }

 protected:
  std::streamsize xsputn(const char* p, std::streamsize n) override {
    size_t room = limit_ - s_.size();
    size_t take = std::min<size_t>(room, static_cast<size_t>(n));
    s_.append(p, take);
    dropped_ += static_cast<uint64_t>(n) - take;
    return n;
  }
  int_type overflow(int_type c) override {
    if (c == traits_type::eof()) return traits_type::not_eof(c);
    char ch = traits_type::to_char_type(c);
    xsputn(&ch, 1);
    return c;
  }

 private:
  size_t limit_;
  std::string s_;
  uint64_t dropped_ = 0;
};

// Feeds each record to both formatters and the extra sink, so the ring is walked once.
// Warnings go to the text formatter (which words them for the problems list) and the
// extra sink, not twice into the problems.
class TeeSink final : public LogSink {
 public:
  TeeSink(LogSink& text, LogSink& json, LogSink* also) : text_(text), json_(json), also_(also) {}
  void record(const LogRecord& r) override {
    text_.record(r);
    json_.record(r);
    if (also_) also_->record(r);
  }
  void warning(const std::string& what) override {
    text_.warning(what);
    if (also_) also_->warning(what);
  }

 private:
  LogSink& text_;
  LogSink& json_;
  LogSink* also_;
};

}  // namespace

Result<LogProducts> decode_log_products(const KernelView& kernel, LogSink* also) {
  BoundedStringBuf text_buf(kMaxLogBytes), json_buf(kMaxLogBytes);
  std::ostream text_out(&text_buf), json_out(&json_buf);
  std::ostringstream warnings;
  std::unique_ptr<StreamFormatter> text;
  if (printk_generation(kernel.info) == PrintkGeneration::CharRing)
    text = std::make_unique<CharRingTextFormatter>(text_out, &warnings);
  else
    text = std::make_unique<TextFormatter>(text_out, &warnings);
  JsonFormatter json(json_out, nullptr);
  TeeSink tee(*text, json, also);
  auto decoded = decode_kernel_log(kernel.info, *kernel.memory, tee);

  LogProducts out;
  out.records = text->records();
  if (!decoded && out.records == 0) return std::move(decoded).error();
  if (!decoded) out.problems.push_back("log decoding stopped early: " + decoded.error().message());
  static constexpr char kPrefix[] = "vmcap: warning: ";  // StreamFormatter's
  std::istringstream lines(warnings.str());
  for (std::string w; std::getline(lines, w);) {
    if (w.rfind(kPrefix, 0) == 0) w.erase(0, sizeof kPrefix - 1);
    if (!w.empty()) out.problems.push_back("log: " + w);
  }
  if (text_buf.dropped() || json_buf.dropped())
    out.problems.push_back("log larger than " + std::to_string(kMaxLogBytes >> 20) + " MiB: cut short");
  out.text = text_buf.take();
  out.json = json_buf.take();
  return out;
}

}  // namespace vmcap::run
