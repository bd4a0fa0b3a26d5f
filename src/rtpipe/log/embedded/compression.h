#pragma once
// Compression of a batch's records section, as Kafka does it: codec 3 = LZ4 *frame* format
// (lz4frame.h, 64 KiB independent blocks), codec 4 = Zstandard frame. Decompression is bounded:
// input is untrusted, so output beyond `max_output` is an error, never an allocation.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "rtpipe/base/status.h"
#include "rtpipe/config/config.h"

namespace rtpipe::embedded {

/// Kafka's attributes codec values (bits 0-2 of a batch's attributes).
enum class Codec : uint8_t { kNone = 0, kGzip = 1, kSnappy = 2, kLz4 = 3, kZstd = 4 };

Codec CodecFor(Compression compression);
std::string_view CodecName(Codec codec);

/// Appends the compressed form of `input` to `out`. kNone appends `input` unchanged.
Status Compress(Codec codec, std::string_view input, std::string* out);

/// Replaces `out` with the decompressed form of `input`; Corruption when the input is not a valid
/// frame or would expand beyond `max_output` bytes; InvalidArgument for codecs rtpipe does not
/// read (gzip, snappy).
Status Decompress(Codec codec, std::string_view input, size_t max_output, std::string* out);

}  // namespace rtpipe::embedded
