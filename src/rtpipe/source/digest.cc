#include "rtpipe/source/digest.h"

#include <openssl/evp.h>

#include "rtpipe/base/assert.h"

namespace rtpipe::gen {
namespace {

// One reusable context per thread and algorithm: EVP_MD_fetch and context allocation are the
// expensive parts of a digest of a few bytes.
class Digester {
 public:
  explicit Digester(const char* algorithm) : md_(EVP_MD_fetch(nullptr, algorithm, nullptr)), ctx_(EVP_MD_CTX_new()) {
    RTPIPE_ASSERT(md_ != nullptr && ctx_ != nullptr, "OpenSSL has no {}", algorithm);
  }
  ~Digester() {
    EVP_MD_CTX_free(ctx_);
    EVP_MD_free(md_);
  }
  Digester(const Digester&) = delete;
  Digester& operator=(const Digester&) = delete;

  std::string Hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    bool ok = EVP_DigestInit_ex2(ctx_, md_, nullptr) == 1 && EVP_DigestUpdate(ctx_, data.data(), data.size()) == 1 &&
              EVP_DigestFinal_ex(ctx_, digest, &size) == 1;
    RTPIPE_ASSERT(ok, "OpenSSL digest failed");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(size * 2, '\0');
    for (unsigned int i = 0; i < size; ++i) {
      out[2 * i] = kHex[digest[i] >> 4];
      out[2 * i + 1] = kHex[digest[i] & 0xF];
    }
    return out;
  }

 private:
  EVP_MD* md_;
  EVP_MD_CTX* ctx_;
};

}  // namespace

std::string Md5Hex(std::string_view data) {
  thread_local Digester digester("MD5");
  return digester.Hex(data);
}

std::string Sha1Hex(std::string_view data) {
  thread_local Digester digester("SHA1");
  return digester.Hex(data);
}

std::string Sha256Hex(std::string_view data) {
  thread_local Digester digester("SHA256");
  return digester.Hex(data);
}

}  // namespace rtpipe::gen
