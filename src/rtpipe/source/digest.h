#pragma once
// Lower-case hex digests of the generator's password hashes (md5, sha1, sha256 of password+salt),
// computed for real with OpenSSL's libcrypto.

#include <string>
#include <string_view>

namespace rtpipe::gen {

std::string Md5Hex(std::string_view data);
std::string Sha1Hex(std::string_view data);
std::string Sha256Hex(std::string_view data);

}  // namespace rtpipe::gen
