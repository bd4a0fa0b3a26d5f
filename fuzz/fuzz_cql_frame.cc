// libFuzzer target: the CQL native protocol v4 response decoder, i.e. every byte a Cassandra node
// (or anything answering on its port) can send to rtpipe. Input layout: byte 0 selects LZ4 body
// decompression (bit 0); the rest is a stream of response frames fed to the FrameAssembler in
// chunks, each frame then decoded as the client would: envelope, message, rows and every cell.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "rtpipe/sink/cassandra/error.h"
#include "rtpipe/sink/cassandra/frame.h"
#include "rtpipe/sink/cassandra/messages.h"
#include "rtpipe/sink/cassandra/value.h"

namespace {

using namespace rtpipe::cql;

void DecodeCells(const CqlRows& rows) {
  for (size_t r = 0; r < rows.size() && r < 64; ++r) {
    CqlRow row = rows.row(r);
    for (size_t c = 0; c < rows.column_count() && c < 64; ++c) {
      (void)row.Format(c);
      (void)row.Get<std::string>(c);
      (void)row.Get<int32_t>(c);
      (void)row.Get<int64_t>(c);
      (void)row.Get<double>(c);
      (void)row.Get<bool>(c);
      (void)row.Get<Uuid>(c);
      (void)row.Get<rtpipe::Timestamp>(c);
      (void)row.Get<CqlDate>(c);
      if (c < rows.columns().size()) (void)DecodeCollection(rows.columns()[c].type, row.Raw(c));
    }
  }
}

void DecodeFrame(Frame frame) {
  auto envelope = DecodeEnvelope(frame.header, frame.body);
  if (!envelope.ok()) return;
  std::string_view message = std::string_view(frame.body).substr(envelope->message_offset);
  switch (frame.header.opcode) {
    case Opcode::kError: {
      auto error = DecodeError(message);
      if (error.ok()) {
        (void)error->ToStatus("fuzz:9042");
        (void)error->Action();
      }
      break;
    }
    case Opcode::kResult: {
      auto result = DecodeResult(std::move(frame.body), envelope->message_offset);
      if (!result.ok()) break;
      if (result->kind == ResultKind::kRows) DecodeCells(result->rows);
      if (result->kind == ResultKind::kPrepared) {
        for (const auto& c : result->prepared.bind_columns) (void)c.type.ToString();
      }
      if (result->kind == ResultKind::kSchemaChange) (void)result->schema_change.ToString();
      break;
    }
    case Opcode::kAuthenticate:
      (void)DecodeAuthenticate(message);
      break;
    case Opcode::kAuthChallenge:
    case Opcode::kAuthSuccess:
      (void)DecodeAuthToken(message);
      break;
    case Opcode::kSupported:
      (void)DecodeSupported(message);
      break;
    case Opcode::kEvent:
      (void)DecodeEvent(message);
      break;
    default:
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  FrameAssembler assembler((data[0] & 1) != 0);
  std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  // Feed in uneven chunks, as a socket would deliver them.
  size_t chunk = 1 + (data[0] >> 1) % 61;
  for (size_t pos = 0; pos < input.size(); pos += chunk) {
    assembler.Append(input.substr(pos, chunk));
    for (;;) {
      Frame frame;
      auto got = assembler.Next(&frame);
      if (!got.ok() || !*got) break;
      DecodeFrame(std::move(frame));
    }
  }
  return 0;
}
