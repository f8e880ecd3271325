// The little XML S3's multipart upload speaks: the UploadId of CreateMultipartUpload's
// answer, the CompleteMultipartUpload body, and the <Error> an S3 200 answer may carry.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vmcap::upload {

// The text of the first <TAG>...</TAG>, entities decoded (&amp; &lt; &gt; &quot; &apos;).
std::optional<std::string> xml_element(const std::string& xml, const std::string& tag);

// <CompleteMultipartUpload> with one <Part> per ETag, numbered from 1.
std::string complete_multipart_xml(const std::vector<std::string>& etags);

}  // namespace vmcap::upload
