#pragma once
// Runs every decoder of untrusted bytes in the embedded log over arbitrary input and checks their
// invariants: the libFuzzer target (fuzz/fuzz_record_batch.cc) calls it, and a unit test runs it
// on deterministic mutations of valid files, so sanitizer builds exercise it on every CI run.

#include <string_view>

#include "rtpipe/base/status.h"

namespace rtpipe::embedded {

/// Treats `bytes` as a segment file (batch walk, CRC, record decoding, decompression, the
/// recovery scan), as index files and as each metadata file. Decoders may reject the bytes; an
/// Internal status means an invariant broke (a bug).
Status CheckDecoders(std::string_view bytes);

}  // namespace rtpipe::embedded
