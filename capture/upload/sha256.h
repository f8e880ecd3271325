// SHA-256 as lower-case hex (S3's x-amz-content-sha256), through OpenSSL's libcrypto,
// which libcurl links anyway.
#pragma once

#include <string>
#include <string_view>

namespace vmcap::upload {

std::string sha256_hex(std::string_view bytes);

}  // namespace vmcap::upload
