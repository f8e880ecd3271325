// The little XML S3 speaks to vmcap: the UploadId of CreateMultipartUpload's answer, the
// CompleteMultipartUpload body, the <Error> an S3 200 answer may carry, ListObjectsV2's keys.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vmcap::upload {

// The text of the first <TAG>...</TAG>, entities decoded (&amp; &lt; &gt; &quot; &apos;).
std::optional<std::string> xml_element(const std::string& xml, const std::string& tag);

// The inner XML of every <TAG>...</TAG> in order, entities kept (xml_element decodes the
// text of what is inside).
std::vector<std::string> xml_elements(const std::string& xml, const std::string& tag);

// <CompleteMultipartUpload> with one <Part> per ETag, numbered from 1.
std::string complete_multipart_xml(const std::vector<std::string>& etags);

}  // namespace vmcap::upload
