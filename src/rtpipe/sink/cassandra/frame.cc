#include "rtpipe/sink/cassandra/frame.h"

#include <fmt/format.h>
#include <lz4.h>

#include "rtpipe/sink/cassandra/wire.h"

namespace rtpipe::cql {

std::string OpcodeName(Opcode op) {
  switch (op) {
    case Opcode::kError:
      return "ERROR";
    case Opcode::kStartup:
      return "STARTUP";
    case Opcode::kReady:
      return "READY";
    case Opcode::kAuthenticate:
      return "AUTHENTICATE";
    case Opcode::kOptions:
      return "OPTIONS";
    case Opcode::kSupported:
      return "SUPPORTED";
    case Opcode::kQuery:
      return "QUERY";
    case Opcode::kResult:
      return "RESULT";
    case Opcode::kPrepare:
      return "PREPARE";
    case Opcode::kExecute:
      return "EXECUTE";
    case Opcode::kRegister:
      return "REGISTER";
    case Opcode::kEvent:
      return "EVENT";
    case Opcode::kBatch:
      return "BATCH";
    case Opcode::kAuthChallenge:
      return "AUTH_CHALLENGE";
    case Opcode::kAuthResponse:
      return "AUTH_RESPONSE";
    case Opcode::kAuthSuccess:
      return "AUTH_SUCCESS";
  }
  return fmt::format("opcode 0x{:x}", static_cast<unsigned>(op));
}

namespace {

bool IsResponseOpcode(uint8_t op) {
  switch (static_cast<Opcode>(op)) {
    case Opcode::kError:
    case Opcode::kReady:
    case Opcode::kAuthenticate:
    case Opcode::kSupported:
    case Opcode::kResult:
    case Opcode::kEvent:
    case Opcode::kAuthChallenge:
    case Opcode::kAuthSuccess:
      return true;
    default:
      return false;
  }
}

}  // namespace

Result<FrameHeader> DecodeResponseHeader(std::string_view header) {
  if (header.size() < kHeaderSize) {
    return Status::Corruption("CQL frame header needs {} bytes, got {}", kHeaderSize, header.size());
  }
  FrameHeader h;
  h.version = static_cast<uint8_t>(header[0]);
  h.flags = static_cast<uint8_t>(header[1]);
  h.stream = static_cast<int16_t>(LoadU16(header.data() + 2));
  auto op = static_cast<uint8_t>(header[4]);
  h.length = LoadU32(header.data() + 5);
  if ((h.version & kResponseBit) == 0) {
    return Status::Corruption("CQL frame has version byte 0x{:02x}: a request frame where a response was expected",
                              h.version);
  }
  if ((h.version & 0x7F) != kProtocolVersion) {
    return Status::Corruption("CQL frame uses native protocol v{}, this client speaks v{} only", h.version & 0x7F,
                              kProtocolVersion);
  }
  if (!IsResponseOpcode(op)) {
    return Status::Corruption("CQL response frame has opcode 0x{:02x}, which is not a response opcode", op);
  }
  h.opcode = static_cast<Opcode>(op);
  if (h.length > kMaxBodyLength) {
    return Status::Corruption("CQL frame body of {} bytes exceeds the protocol limit of {} bytes", h.length,
                              kMaxBodyLength);
  }
  return h;
}

void AppendRequestFrame(std::string& out, int16_t stream, Opcode opcode, std::string_view body, uint8_t flags) {
  RTPIPE_ASSERT(body.size() <= kMaxBodyLength, "CQL request body of {} bytes", body.size());
  char h[kHeaderSize];
  h[0] = static_cast<char>(kProtocolVersion);
  h[1] = static_cast<char>(flags);
  StoreU16(h + 2, static_cast<uint16_t>(stream));
  h[4] = static_cast<char>(opcode);
  StoreU32(h + 5, static_cast<uint32_t>(body.size()));
  out.append(h, kHeaderSize);
  out.append(body);
}

std::string Lz4CompressBody(std::string_view body) {
  RTPIPE_ASSERT(body.size() <= kMaxBodyLength);
  int bound = LZ4_compressBound(static_cast<int>(body.size()));
  std::string out(4 + static_cast<size_t>(bound), '\0');
  StoreU32(out.data(), static_cast<uint32_t>(body.size()));
  int n = LZ4_compress_default(body.data(), out.data() + 4, static_cast<int>(body.size()), bound);
  RTPIPE_ASSERT(n > 0 || body.empty(), "LZ4_compress_default failed");
  out.resize(4 + static_cast<size_t>(n));
  return out;
}

Result<std::string> Lz4DecompressBody(std::string_view compressed) {
  if (compressed.size() < 4) {
    return Status::Corruption("LZ4 frame body of {} bytes lacks its 4-byte length prefix", compressed.size());
  }
  uint32_t size = LoadU32(compressed.data());
  if (size > kMaxBodyLength) {
    return Status::Corruption("LZ4 frame body declares {} uncompressed bytes, above the {} byte limit", size,
                              kMaxBodyLength);
  }
  std::string out(size, '\0');
  if (size == 0) return out;
  int n = LZ4_decompress_safe(compressed.data() + 4, out.data(), static_cast<int>(compressed.size() - 4),
                              static_cast<int>(size));
  if (n < 0 || static_cast<uint32_t>(n) != size) {
    return Status::Corruption("malformed LZ4 frame body (declared {} bytes, decoded {})", size, n);
  }
  return out;
}

char* FrameAssembler::Reserve(size_t n) {
  RTPIPE_ASSERT(reserved_ == 0, "Reserve() twice without Commit()");
  // Drop consumed bytes once they dominate the buffer, so it does not grow without bound.
  if (read_pos_ > 0 && read_pos_ >= buffer_.size() / 2) {
    buffer_.erase(0, read_pos_);
    read_pos_ = 0;
  }
  size_t old = buffer_.size();
  buffer_.resize(old + n);
  reserved_ = n;
  return buffer_.data() + old;
}

void FrameAssembler::Commit(size_t n) {
  RTPIPE_ASSERT(n <= reserved_);
  buffer_.resize(buffer_.size() - (reserved_ - n));
  reserved_ = 0;
}

Result<bool> FrameAssembler::Next(Frame* frame) {
  RTPIPE_ASSERT(reserved_ == 0, "Next() between Reserve() and Commit()");
  if (!poisoned_.ok()) return poisoned_;
  size_t available = buffer_.size() - read_pos_;
  if (available < kHeaderSize) return false;
  std::string_view view(buffer_.data() + read_pos_, available);
  auto header = DecodeResponseHeader(view.substr(0, kHeaderSize));
  if (!header.ok()) {
    poisoned_ = header.status();
    return poisoned_;
  }
  if (available - kHeaderSize < header->length) return false;
  frame->header = *header;
  std::string_view body = view.substr(kHeaderSize, header->length);
  if ((header->flags & frame_flags::kCompressed) != 0) {
    if (!lz4_) {
      poisoned_ = Status::Corruption("CQL frame on stream {} is flagged compressed, but no compression was negotiated",
                                     header->stream);
      return poisoned_;
    }
    auto plain = Lz4DecompressBody(body);
    if (!plain.ok()) {
      poisoned_ = plain.status();
      return poisoned_;
    }
    frame->body = std::move(*plain);
    frame->header.flags &= static_cast<uint8_t>(~frame_flags::kCompressed);
    frame->header.length = static_cast<uint32_t>(frame->body.size());
  } else {
    frame->body.assign(body);
  }
  read_pos_ += kHeaderSize + header->length;
  if (read_pos_ == buffer_.size()) {
    buffer_.clear();
    read_pos_ = 0;
  }
  return true;
}

}  // namespace rtpipe::cql
