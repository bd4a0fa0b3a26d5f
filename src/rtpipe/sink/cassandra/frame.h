#pragma once
// CQL native protocol v4 frames (doc/native_protocol_v4.spec §1-2, §5).
//
// Every frame is a 9-byte header followed by `length` body bytes:
//
//   0         8        16        24        32         40
//   +---------+---------+---------+---------+---------+
//   | version |  flags  |      stream       | opcode  |
//   +---------+---------+---------+---------+---------+
//   |                length                 |
//   +---------+---------+---------+---------+
//
//   version  0x04 request, 0x84 response (top bit = direction)
//   flags    0x01 compressed body, 0x02 tracing, 0x04 custom payload, 0x08 warnings
//   stream   signed 16-bit; requests use >= 0, server events use -1
//   length   body length, at most 256 MiB
//
// With LZ4 compression negotiated in STARTUP, a body with the 0x01 flag is a 4-byte big-endian
// uncompressed length followed by one raw LZ4 block.
//
// Functions here are pure and thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "rtpipe/base/result.h"

namespace rtpipe::cql {

inline constexpr uint8_t kProtocolVersion = 0x04;
inline constexpr uint8_t kResponseBit = 0x80;
inline constexpr size_t kHeaderSize = 9;
/// The spec's frame limit: larger lengths are refused as corruption before anything is allocated.
inline constexpr uint32_t kMaxBodyLength = 256u << 20;

enum class Opcode : uint8_t {
  kError = 0x00,
  kStartup = 0x01,
  kReady = 0x02,
  kAuthenticate = 0x03,
  kOptions = 0x05,
  kSupported = 0x06,
  kQuery = 0x07,
  kResult = 0x08,
  kPrepare = 0x09,
  kExecute = 0x0A,
  kRegister = 0x0B,
  kEvent = 0x0C,
  kBatch = 0x0D,
  kAuthChallenge = 0x0E,
  kAuthResponse = 0x0F,
  kAuthSuccess = 0x10,
};

/// "QUERY", "RESULT", ... or "opcode 0x4" for unknown values.
std::string OpcodeName(Opcode op);

namespace frame_flags {
inline constexpr uint8_t kCompressed = 0x01;
inline constexpr uint8_t kTracing = 0x02;
inline constexpr uint8_t kCustomPayload = 0x04;
inline constexpr uint8_t kWarning = 0x08;
}  // namespace frame_flags

struct FrameHeader {
  uint8_t version = kProtocolVersion;  // with the direction bit
  uint8_t flags = 0;
  int16_t stream = 0;
  Opcode opcode = Opcode::kError;
  uint32_t length = 0;
};

/// A whole frame as received: header plus (decompressed) body.
struct Frame {
  FrameHeader header;
  std::string body;
};

/// Decodes the 9 header bytes of a *response* frame. Refuses a request-direction or non-v4 version,
/// an unknown opcode and a length above kMaxBodyLength, each with a Corruption status saying why.
Result<FrameHeader> DecodeResponseHeader(std::string_view header);

/// Appends a request frame (header + body) to `out`. The body must not exceed kMaxBodyLength.
void AppendRequestFrame(std::string& out, int16_t stream, Opcode opcode, std::string_view body, uint8_t flags = 0);

/// LZ4 body compression as the v4 spec frames it (uncompressed length prefix + raw block).
std::string Lz4CompressBody(std::string_view body);
/// Inverse of Lz4CompressBody; refuses a declared size above kMaxBodyLength or a malformed block.
Result<std::string> Lz4DecompressBody(std::string_view compressed);

/// Splits a stream of response bytes into frames. Feed bytes as they arrive; Next() returns the
/// complete frames one by one. A malformed header poisons the assembler (every later call returns
/// the same error): the connection carrying it must be closed. Not thread-safe.
class FrameAssembler {
 public:
  /// `compression` true: bodies flagged compressed are LZ4-decompressed.
  explicit FrameAssembler(bool compression = false) : lz4_(compression) {}

  void Append(std::string_view bytes) { buffer_.append(bytes); }
  /// Writable space of at least `n` bytes at the end of the buffer; commit what was filled with
  /// Commit(). Avoids a copy when reading from a socket.
  char* Reserve(size_t n);
  void Commit(size_t n);

  /// A complete frame, nothing (not enough bytes yet: `*frame` untouched, returns false), or an error.
  Result<bool> Next(Frame* frame);

  void set_compression(bool on) { lz4_ = on; }
  size_t buffered() const { return buffer_.size() - read_pos_ - reserved_; }

 private:
  std::string buffer_;
  size_t read_pos_ = 0;
  size_t reserved_ = 0;  // bytes at the end of buffer_ handed out by Reserve() and not yet committed
  bool lz4_;
  Status poisoned_;
};

}  // namespace rtpipe::cql
