#include "rtpipe/log/embedded/compression.h"

#include <lz4frame.h>
#include <zstd.h>

#include <memory>

namespace rtpipe::embedded {
namespace {

struct Lz4DctxDeleter {
  void operator()(LZ4F_dctx* d) const { LZ4F_freeDecompressionContext(d); }
};
struct ZstdDctxDeleter {
  void operator()(ZSTD_DStream* d) const { ZSTD_freeDStream(d); }
};

Status CompressLz4(std::string_view input, std::string* out) {
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  prefs.frameInfo.contentSize = input.size();
  size_t bound = LZ4F_compressFrameBound(input.size(), &prefs);
  size_t start = out->size();
  out->resize(start + bound);
  size_t n = LZ4F_compressFrame(out->data() + start, bound, input.data(), input.size(), &prefs);
  if (LZ4F_isError(n) != 0) {
    out->resize(start);
    return Status::Internal("lz4 compression failed: {}", LZ4F_getErrorName(n));
  }
  out->resize(start + n);
  return Status::OK();
}

Status CompressZstd(std::string_view input, std::string* out) {
  size_t bound = ZSTD_compressBound(input.size());
  size_t start = out->size();
  out->resize(start + bound);
  size_t n = ZSTD_compress(out->data() + start, bound, input.data(), input.size(), 3);
  if (ZSTD_isError(n) != 0) {
    out->resize(start);
    return Status::Internal("zstd compression failed: {}", ZSTD_getErrorName(n));
  }
  out->resize(start + n);
  return Status::OK();
}

// Grows `out` in steps, never past `max_output` (+1 byte to detect an over-long result).
bool Grow(std::string* out, size_t used, size_t max_output) {
  if (used > max_output) return false;
  size_t want = std::max<size_t>(out->size() * 2, 64 * 1024);
  want = std::min(want, max_output + 1);
  if (want <= used) return false;
  out->resize(want);
  return true;
}

Status DecompressLz4(std::string_view input, size_t max_output, std::string* out) {
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION)) != 0) {
    return Status::Internal("lz4: cannot create a decompression context");
  }
  std::unique_ptr<LZ4F_dctx, Lz4DctxDeleter> dctx(raw);
  out->clear();
  size_t used = 0;
  const char* src = input.data();
  size_t src_left = input.size();
  size_t hint = 1;
  while (src_left > 0) {
    if (used == out->size() && !Grow(out, used, max_output)) {
      return Status::Corruption("lz4 batch expands beyond {} bytes", max_output);
    }
    size_t dst_size = out->size() - used;
    size_t src_size = src_left;
    hint = LZ4F_decompress(dctx.get(), out->data() + used, &dst_size, src, &src_size, nullptr);
    if (LZ4F_isError(hint) != 0) return Status::Corruption("bad lz4 frame: {}", LZ4F_getErrorName(hint));
    used += dst_size;
    src += src_size;
    src_left -= src_size;
    if (hint == 0) break;  // frame complete
    if (src_size == 0 && dst_size == 0 && used < out->size()) {
      return Status::Corruption("lz4 frame makes no progress");
    }
  }
  // Flush what the decoder still holds (it may have more output than fit).
  while (hint != 0) {
    if (used == out->size() && !Grow(out, used, max_output)) {
      return Status::Corruption("lz4 batch expands beyond {} bytes", max_output);
    }
    size_t dst_size = out->size() - used;
    size_t src_size = 0;
    hint = LZ4F_decompress(dctx.get(), out->data() + used, &dst_size, src, &src_size, nullptr);
    if (LZ4F_isError(hint) != 0) return Status::Corruption("bad lz4 frame: {}", LZ4F_getErrorName(hint));
    if (dst_size == 0 && hint != 0) return Status::Corruption("truncated lz4 frame");
    used += dst_size;
  }
  if (src_left != 0) return Status::Corruption("{} bytes after the lz4 frame", src_left);
  if (used > max_output) return Status::Corruption("lz4 batch expands beyond {} bytes", max_output);
  out->resize(used);
  return Status::OK();
}

Status DecompressZstd(std::string_view input, size_t max_output, std::string* out) {
  std::unique_ptr<ZSTD_DStream, ZstdDctxDeleter> dctx(ZSTD_createDStream());
  if (!dctx) return Status::Internal("zstd: cannot create a decompression stream");
  ZSTD_initDStream(dctx.get());
  out->clear();
  ZSTD_inBuffer in{input.data(), input.size(), 0};
  size_t used = 0;
  size_t ret = 1;
  while (true) {
    if (used == out->size() && !Grow(out, used, max_output)) {
      return Status::Corruption("zstd batch expands beyond {} bytes", max_output);
    }
    ZSTD_outBuffer ob{out->data() + used, out->size() - used, 0};
    ret = ZSTD_decompressStream(dctx.get(), &ob, &in);
    if (ZSTD_isError(ret) != 0) return Status::Corruption("bad zstd frame: {}", ZSTD_getErrorName(ret));
    used += ob.pos;
    if (ret == 0 && in.pos == in.size) break;  // frame(s) complete, input consumed
    if (ob.pos == 0 && in.pos == in.size && ob.size > 0) return Status::Corruption("truncated zstd frame");
  }
  if (used > max_output) return Status::Corruption("zstd batch expands beyond {} bytes", max_output);
  out->resize(used);
  return Status::OK();
}

}  // namespace

Codec CodecFor(Compression compression) {
  switch (compression) {
    case Compression::kNone:
      return Codec::kNone;
    case Compression::kLz4:
      return Codec::kLz4;
    case Compression::kZstd:
      return Codec::kZstd;
  }
  return Codec::kNone;
}

std::string_view CodecName(Codec codec) {
  switch (codec) {
    case Codec::kNone:
      return "none";
    case Codec::kGzip:
      return "gzip";
    case Codec::kSnappy:
      return "snappy";
    case Codec::kLz4:
      return "lz4";
    case Codec::kZstd:
      return "zstd";
  }
  return "unknown";
}

Status Compress(Codec codec, std::string_view input, std::string* out) {
  switch (codec) {
    case Codec::kNone:
      out->append(input);
      return Status::OK();
    case Codec::kLz4:
      return CompressLz4(input, out);
    case Codec::kZstd:
      return CompressZstd(input, out);
    default:
      return Status::InvalidArgument("rtpipe does not write {} batches", CodecName(codec));
  }
}

Status Decompress(Codec codec, std::string_view input, size_t max_output, std::string* out) {
  switch (codec) {
    case Codec::kNone:
      if (input.size() > max_output) return Status::Corruption("batch larger than {} bytes", max_output);
      out->assign(input);
      return Status::OK();
    case Codec::kLz4:
      return DecompressLz4(input, max_output, out);
    case Codec::kZstd:
      return DecompressZstd(input, max_output, out);
    default:
      return Status::InvalidArgument("rtpipe cannot read {}-compressed batches", CodecName(codec));
  }
}

}  // namespace rtpipe::embedded
