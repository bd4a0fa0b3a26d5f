#include "rtpipe/sink/cassandra/frame.h"

#include <gtest/gtest.h>

#include <string>

namespace rtpipe::cql {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

TEST(FrameTest, RequestHeaderLayout) {
  std::string out;
  AppendRequestFrame(out, 0x0102, Opcode::kQuery, "xyz");
  EXPECT_EQ(out, Bytes({0x04, 0x00, 0x01, 0x02, 0x07, 0, 0, 0, 3, 'x', 'y', 'z'}));
}

TEST(FrameTest, OptionsRequestIsNineBytes) {
  std::string out;
  AppendRequestFrame(out, 0, Opcode::kOptions, "");
  EXPECT_EQ(out, Bytes({0x04, 0, 0, 0, 0x05, 0, 0, 0, 0}));
}

TEST(FrameTest, DecodesResponseHeader) {
  auto h = DecodeResponseHeader(Bytes({0x84, 0x08, 0xFF, 0xFF, 0x0C, 0, 0, 1, 0}));
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(h->version, 0x84);
  EXPECT_EQ(h->flags, frame_flags::kWarning);
  EXPECT_EQ(h->stream, -1);
  EXPECT_EQ(h->opcode, Opcode::kEvent);
  EXPECT_EQ(h->length, 256u);
}

TEST(FrameTest, RejectsMalformedHeaders) {
  auto request = DecodeResponseHeader(Bytes({0x04, 0, 0, 1, 0x08, 0, 0, 0, 0}));
  EXPECT_EQ(request.status().code(), StatusCode::kCorruption);
  EXPECT_NE(request.status().message().find("request frame"), std::string::npos);

  auto v5 = DecodeResponseHeader(Bytes({0x85, 0, 0, 1, 0x08, 0, 0, 0, 0}));
  EXPECT_NE(v5.status().message().find("v5"), std::string::npos) << v5.status();

  auto opcode = DecodeResponseHeader(Bytes({0x84, 0, 0, 1, 0x07, 0, 0, 0, 0}));  // QUERY is a request opcode
  EXPECT_NE(opcode.status().message().find("not a response opcode"), std::string::npos);

  auto huge = DecodeResponseHeader(Bytes({0x84, 0, 0, 1, 0x08, 0x10, 0, 0, 1}));
  EXPECT_NE(huge.status().message().find("exceeds"), std::string::npos);

  EXPECT_FALSE(DecodeResponseHeader(Bytes({0x84, 0})).ok());
}

TEST(FrameTest, OpcodeNames) {
  EXPECT_EQ(OpcodeName(Opcode::kAuthSuccess), "AUTH_SUCCESS");
  EXPECT_EQ(OpcodeName(static_cast<Opcode>(0x04)), "opcode 0x4");
}

TEST(FrameTest, Lz4RoundTrip) {
  std::string body(5000, 'a');
  for (size_t i = 0; i < body.size(); i += 7) body[i] = static_cast<char>('a' + i % 26);
  std::string packed = Lz4CompressBody(body);
  EXPECT_LT(packed.size(), body.size());
  EXPECT_EQ(packed.substr(0, 4), Bytes({0, 0, 0x13, 0x88}));  // uncompressed length prefix, 5000
  auto unpacked = Lz4DecompressBody(packed);
  ASSERT_TRUE(unpacked.ok()) << unpacked.status();
  EXPECT_EQ(*unpacked, body);
}

TEST(FrameTest, Lz4RejectsGarbage) {
  EXPECT_EQ(Lz4DecompressBody("ab").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(Lz4DecompressBody(Bytes({0, 0, 0, 10, 0xFF, 0xFF})).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(Lz4DecompressBody(Bytes({0x7F, 0, 0, 0, 0})).status().code(), StatusCode::kCorruption);
}

TEST(FrameAssemblerTest, SplitsFramesFedByteByByte) {
  std::string stream = Bytes({0x84, 0, 0, 1, 0x02, 0, 0, 0, 0}) +             // READY on stream 1
                       Bytes({0x84, 0, 0, 2, 0x08, 0, 0, 0, 4, 0, 0, 0, 1});  // RESULT Void on stream 2
  FrameAssembler assembler;
  std::vector<Frame> frames;
  for (char c : stream) {
    assembler.Append(std::string_view(&c, 1));
    Frame f;
    auto got = assembler.Next(&f);
    ASSERT_TRUE(got.ok()) << got.status();
    if (*got) frames.push_back(std::move(f));
  }
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].header.opcode, Opcode::kReady);
  EXPECT_EQ(frames[0].header.stream, 1);
  EXPECT_EQ(frames[1].header.stream, 2);
  EXPECT_EQ(frames[1].body, Bytes({0, 0, 0, 1}));
  EXPECT_EQ(assembler.buffered(), 0u);
}

TEST(FrameAssemblerTest, ReserveCommitAndCompressedBodies) {
  std::string body = std::string(1000, 'z');
  std::string packed = Lz4CompressBody(body);
  std::string frame = Bytes({0x84, frame_flags::kCompressed, 0, 3, 0x08});
  frame += Bytes({0, 0, static_cast<int>(packed.size() >> 8), static_cast<int>(packed.size() & 0xFF)});
  frame += packed;
  FrameAssembler assembler(/*compression=*/true);
  char* dst = assembler.Reserve(frame.size() + 100);
  std::copy(frame.begin(), frame.end(), dst);
  assembler.Commit(frame.size());
  Frame f;
  auto got = assembler.Next(&f);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(*got);
  EXPECT_EQ(f.body, body);
  EXPECT_EQ(f.header.flags & frame_flags::kCompressed, 0);
}

TEST(FrameAssemblerTest, MalformedHeaderPoisonsTheStream) {
  FrameAssembler assembler;
  assembler.Append(Bytes({0x03, 0, 0, 0, 0x02, 0, 0, 0, 0}));
  Frame f;
  EXPECT_FALSE(assembler.Next(&f).ok());
  assembler.Append(Bytes({0x84, 0, 0, 1, 0x02, 0, 0, 0, 0}));
  EXPECT_FALSE(assembler.Next(&f).ok()) << "a poisoned assembler must stay failed";
}

TEST(FrameAssemblerTest, CompressedFrameWithoutNegotiationIsRefused) {
  FrameAssembler assembler(/*compression=*/false);
  assembler.Append(Bytes({0x84, 0x01, 0, 1, 0x02, 0, 0, 0, 0}));
  Frame f;
  auto got = assembler.Next(&f);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("no compression was negotiated"), std::string::npos);
}

}  // namespace
}  // namespace rtpipe::cql
