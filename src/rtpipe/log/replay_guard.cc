#include "rtpipe/log/replay_guard.h"

#include <nlohmann/json.hpp>

#include <chrono>

#include "rtpipe/base/logging.h"

namespace rtpipe {
namespace {

constexpr std::chrono::seconds kPatience{120};

}  // namespace

Result<LogEnds> CurrentLogEnds(Log& log, const std::vector<std::string>& topics) {
  LogEnds ends;
  for (const auto& topic : topics) {
    RTPIPE_ASSIGN_OR_RETURN(TopicInfo info, log.DescribeTopic(topic));
    for (const auto& p : info.partitions) ends[{topic, p.partition}] = p.end_offset;
  }
  return ends;
}

std::string EncodeLogEnds(const LogEnds& ends) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [tp, offset] : ends) j[tp.topic][std::to_string(tp.partition.value())] = offset.value();
  return j.dump();
}

Result<LogEnds> DecodeLogEnds(std::string_view json) {
  LogEnds ends;
  auto j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Status::Corruption("bad log end offsets: {}", json);
  for (const auto& [topic, partitions] : j.items()) {
    if (!partitions.is_object()) return Status::Corruption("bad log end offsets: {}", json);
    for (const auto& [partition, offset] : partitions.items()) {
      if (!offset.is_number_integer()) return Status::Corruption("bad log end offsets: {}", json);
      ends[{topic, PartitionId(std::stoi(partition))}] = Offset(offset.get<int64_t>());
    }
  }
  return ends;
}

Result<ReplayGuard> ReplayGuard::Load(Log& log, const std::vector<std::string>& topics, const LogEnds& committed_ends,
                                      std::string_view id_prefix) {
  ReplayGuard guard;
  RTPIPE_ASSIGN_OR_RETURN(LogEnds current, CurrentLogEnds(log, topics));
  std::map<TopicPartition, Offset> from;
  for (const auto& [tp, end] : current) {
    auto it = committed_ends.find(tp);
    Offset start = it != committed_ends.end() ? it->second : Offset(0);
    if (start < end) from[tp] = start;
  }
  if (from.empty()) return guard;
  RTPIPE_ASSIGN_OR_RETURN(auto consumer, log.NewConsumer());
  RTPIPE_RETURN_IF_ERROR(consumer->Assign(from));
  std::stop_source never;
  auto remaining = [&] {
    for (const auto& [tp, position] : consumer->Positions()) {
      if (position < current[tp]) return true;
    }
    return false;
  };
  // A broker that has just restarted may answer nothing (or "offset out of range", until its
  // high watermark is back) for a while: wait for it, up to a limit.
  const auto give_up = std::chrono::steady_clock::now() + kPatience;
  bool waiting = false;
  while (remaining()) {
    RTPIPE_ASSIGN_OR_RETURN(auto records, consumer->Poll(10'000, std::chrono::milliseconds(1000), never.get_token()));
    if (records.empty()) {
      if (std::chrono::steady_clock::now() >= give_up) {
        return Status::Unavailable("replay guard: the log returned no records below its end offsets for {} s",
                                   kPatience.count());
      }
      if (!waiting) GetLogger("log")->warn("replay guard: waiting for the log to return the records below its end");
      waiting = true;
      continue;
    }
    for (const auto& r : records) {
      if (r.offset >= current[{r.topic, r.partition}]) continue;
      if (auto id = r.HeaderValue(kSourceIdHeader); id && id->starts_with(id_prefix)) guard.ids_.emplace(*id);
    }
  }
  return guard;
}

}  // namespace rtpipe
