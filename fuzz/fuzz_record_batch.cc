// libFuzzer target: the embedded log's readers of untrusted bytes (segment files and their record
// batches, records, lz4/zstd sections, the recovery scan, index files and metadata files).
// Seed corpus: fuzz/corpus/record_batch/.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "rtpipe/log/embedded/decoder_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  rtpipe::Status s = rtpipe::embedded::CheckDecoders(bytes);
  if (!s.ok()) {
    std::fprintf(stderr, "invariant broken: %s\n", s.ToString().c_str());
    std::abort();
  }
  return 0;
}
