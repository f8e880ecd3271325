#include "capture/run/sha256_stream.h"

#include <openssl/evp.h>

namespace vmcap::run {

struct Sha256Stream::State {
  EVP_MD_CTX* ctx = nullptr;
};

Sha256Stream::Sha256Stream() : state_(std::make_unique<State>()) {
  state_->ctx = EVP_MD_CTX_new();
  if (state_->ctx && EVP_DigestInit_ex(state_->ctx, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(state_->ctx);
    state_->ctx = nullptr;
  }
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(state_->ctx); }

void Sha256Stream::update(std::span<const std::byte> bytes) {
  if (state_->ctx) EVP_DigestUpdate(state_->ctx, bytes.data(), bytes.size());
  bytes_ += bytes.size();
}

std::string Sha256Stream::hex() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!state_->ctx) return {};  // libcrypto without SHA-256: no digest rather than a wrong one
  EVP_DigestFinal_ex(state_->ctx, md, &n);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < n; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

}  // namespace vmcap::run
