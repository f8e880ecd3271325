#include "capture/upload/s3_xml.h"

namespace vmcap::upload {

namespace {
std::string decode(std::string s) {
  static const std::pair<const char*, char> entities[] = {
      {"&quot;", '"'}, {"&apos;", '\''}, {"&lt;", '<'}, {"&gt;", '>'}, {"&amp;", '&'}};
  for (const auto& [from, to] : entities) {
    std::string f(from);
    for (size_t p = s.find(f); p != std::string::npos; p = s.find(f, p + 1)) s.replace(p, f.size(), 1, to);
  }
  return s;
}
std::string encode(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '&') out += "&amp;";
    else if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else out += c;
  }
  return out;
}
}  // namespace

std::optional<std::string> xml_element(const std::string& xml, const std::string& tag) {
  std::string open = "<" + tag + ">", close = "</" + tag + ">";
  auto b = xml.find(open);
  if (b == std::string::npos) return std::nullopt;
  b += open.size();
  auto e = xml.find(close, b);
  if (e == std::string::npos) return std::nullopt;
  return decode(xml.substr(b, e - b));
}

std::vector<std::string> xml_elements(const std::string& xml, const std::string& tag) {
  std::vector<std::string> out;
  const std::string open = "<" + tag + ">", close = "</" + tag + ">";
  for (size_t b = xml.find(open); b != std::string::npos; b = xml.find(open, b)) {
    b += open.size();
    const size_t e = xml.find(close, b);
    if (e == std::string::npos) break;
    out.push_back(xml.substr(b, e - b));
    b = e + close.size();
  }
  return out;
}

std::string complete_multipart_xml(const std::vector<std::string>& etags) {
  std::string out = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (size_t i = 0; i < etags.size(); ++i)
    out += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + encode(etags[i]) +
           "</ETag></Part>";
  return out + "</CompleteMultipartUpload>";
}

}  // namespace vmcap::upload
