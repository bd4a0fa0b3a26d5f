#include "rtpipe/log/embedded/dump.h"

#include <fmt/format.h>

#include <algorithm>

#include "rtpipe/base/bytes.h"
#include "rtpipe/base/time.h"
#include "rtpipe/log/embedded/record_batch.h"
#include "rtpipe/log/embedded/segment.h"

namespace rtpipe::embedded {
namespace {

std::string Printable(std::string_view bytes, size_t limit = 200) {
  std::string out;
  for (char c : bytes.substr(0, limit)) {
    auto u = static_cast<unsigned char>(c);
    if (c == '\\') {
      out += "\\\\";
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  if (bytes.size() > limit) out += fmt::format("...({} bytes)", bytes.size());
  return out;
}

std::string TimeText(int64_t ms) { return ms < 0 ? std::to_string(ms) : FormatIso8601(TimestampFromMillis(ms)); }

Status DumpSegment(FileSystem& fs, const std::string& path, const DumpOptions& options, std::FILE* out) {
  RTPIPE_ASSIGN_OR_RETURN(auto file, fs.OpenFile(path, OpenMode::kReadOnly));
  RTPIPE_ASSIGN_OR_RETURN(uint64_t size, file->Size());
  auto name = path.substr(path.rfind('/') + 1);
  auto base = ParseSegmentFileName(name, kLogSuffix);
  fmt::print(out, "== {} ({} bytes{})\n", path, size, base ? fmt::format(", base offset {}", *base) : "");
  uint64_t pos = 0;
  uint64_t batches = 0;
  uint64_t records = 0;
  int64_t expected = base ? *base : -1;
  std::string batch;
  std::string scratch;
  while (pos < size) {
    batch.resize(static_cast<size_t>(std::min<uint64_t>(kBatchHeaderSize, size - pos)));
    RTPIPE_ASSIGN_OR_RETURN(size_t n, file->ReadAt(pos, std::span<char>(batch.data(), batch.size())));
    batch.resize(n);
    BatchHeader h;
    std::string why;
    BatchCheck check = PeekBatch(batch, &h, &why);
    if (check == BatchCheck::kCorrupt) {
      fmt::print(out, "position {}: not a batch ({}); stopping\n", pos, why);
      break;
    }
    if (n < kLogOverhead || pos + h.total_size() > size) {
      fmt::print(out, "position {}: incomplete batch ({} of {} bytes): a torn tail\n", pos, size - pos,
                 n < kLogOverhead ? std::string("?") : std::to_string(h.total_size()));
      break;
    }
    batch.resize(h.total_size());
    RTPIPE_ASSIGN_OR_RETURN(n, file->ReadAt(pos, std::span<char>(batch.data(), batch.size())));
    check = PeekBatch(batch, &h, &why);
    if (check != BatchCheck::kOk) {
      fmt::print(out, "position {}: not a batch ({}); stopping\n", pos, why);
      break;
    }
    bool crc_ok = BatchCrcOk(batch);
    fmt::print(out,
               "baseOffset: {} lastOffset: {} count: {} position: {} size: {} baseTimestamp: {} maxTimestamp: {} "
               "codec: {} crc: {} ({:#010x}){}{}\n",
               h.base_offset, h.last_offset(), h.record_count, pos, h.total_size(), TimeText(h.base_timestamp),
               TimeText(h.max_timestamp), CodecName(h.codec()), crc_ok ? "ok" : "BAD", h.crc,
               h.is_control() ? " control" : "",
               expected >= 0 && h.base_offset != expected ? fmt::format(" (expected offset {})", expected) : "");
    ++batches;
    records += static_cast<uint64_t>(std::max(h.record_count, 0));
    if (options.records && crc_ok) {
      Status s = ForEachRecord(batch, h, &scratch, [&](const RecordView& r) {
        std::string headers;
        for (const auto& hv : r.headers) {
          headers += fmt::format(" {}={}", Printable(hv.key), hv.value ? Printable(*hv.value) : "null");
        }
        fmt::print(out, "  offset: {} timestamp: {} key: {} value: {}{}{}\n", r.offset, TimeText(r.timestamp),
                   r.key ? Printable(*r.key) : "null", r.value ? Printable(*r.value) : "null",
                   headers.empty() ? "" : " headers:", headers);
        return Status::OK();
      });
      if (!s.ok()) fmt::print(out, "  records: {}\n", s.message());
    }
    expected = h.next_offset();
    pos += h.total_size();
  }
  fmt::print(out, "{} batches, {} records, {} of {} bytes valid\n", batches, records, pos, size);
  return Status::OK();
}

Status DumpIndex(FileSystem& fs, const std::string& path, bool time_index, std::FILE* out) {
  RTPIPE_ASSIGN_OR_RETURN(std::string data, ReadWholeFile(fs, path));
  auto name = path.substr(path.rfind('/') + 1);
  auto base = ParseSegmentFileName(name, time_index ? kTimeIndexSuffix : kIndexSuffix);
  int64_t b = base.value_or(0);
  size_t entry = time_index ? kTimeEntrySize : kOffsetEntrySize;
  fmt::print(out, "== {} ({} entries{})\n", path, data.size() / entry,
             data.size() % entry ? fmt::format(", {} stray bytes", data.size() % entry) : "");
  for (size_t i = 0; i + entry <= data.size(); i += entry) {
    const char* p = data.data() + i;
    if (time_index) {
      auto ts = static_cast<int64_t>(GetBe64(p));
      fmt::print(out, "timestamp: {} ({}) offset: {}\n", ts, TimeText(ts), b + GetBe32(p + 8));
    } else {
      fmt::print(out, "offset: {} position: {}\n", b + GetBe32(p), GetBe32(p + 4));
    }
  }
  return Status::OK();
}

}  // namespace

Status DumpLogPath(FileSystem& fs, const std::string& path, const DumpOptions& options, std::FILE* out) {
  RTPIPE_ASSIGN_OR_RETURN(FileInfo info, fs.Stat(path));
  if (info.is_dir) {
    RTPIPE_ASSIGN_OR_RETURN(auto names, fs.ListDir(path));
    std::vector<std::string> segments;
    for (const auto& n : names) {
      if (ParseSegmentFileName(n, kLogSuffix)) segments.push_back(n);
    }
    if (segments.empty()) return Status::NotFound("{} holds no segment files (<20 digits>.log)", path);
    std::sort(segments.begin(), segments.end());
    for (const auto& n : segments) RTPIPE_RETURN_IF_ERROR(DumpSegment(fs, JoinPath(path, n), options, out));
    return Status::OK();
  }
  if (path.ends_with(kIndexSuffix)) return DumpIndex(fs, path, false, out);
  if (path.ends_with(kTimeIndexSuffix)) return DumpIndex(fs, path, true, out);
  return DumpSegment(fs, path, options, out);
}

}  // namespace rtpipe::embedded
