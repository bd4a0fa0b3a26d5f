#include "rtpipe/process/window_aggregator.h"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace rtpipe {
namespace {

constexpr char kSeparator = '\x1f';

std::string_view Dimension(const CreatedUser& row, const std::string& name) {
  if (name == "country") return row.country;
  if (name == "gender") return row.gender;
  if (name == "nat") return row.nat;
  if (name == "age_band") return row.age_band;
  return row.email_domain;  // the config allows no other name
}

int64_t FloorTo(int64_t value, int64_t step) {
  int64_t q = value / step;
  if (value % step != 0 && value < 0) --q;
  return q * step;
}

}  // namespace

WindowAggregator::WindowAggregator(std::vector<AggregateDefinition> definitions, const WindowConfig& config)
    : definitions_(std::move(definitions)), config_(config) {}

WindowAggregator::PartitionState& WindowAggregator::State(PartitionId partition) {
  PartitionState& state = partitions_[partition];
  if (state.windows.size() != definitions_.size()) state.windows.resize(definitions_.size());
  return state;
}

Status WindowAggregator::AddPartition(PartitionId partition, std::string_view saved_state) {
  PartitionState& state = State(partition);
  state = PartitionState{};
  state.windows.resize(definitions_.size());
  if (saved_state.empty()) return Status::OK();
  auto j = nlohmann::json::parse(saved_state, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || j.value("version", 0) != 2) {
    return Status::Corruption("window state of partition {} is not readable", partition);
  }
  try {
    if (j.contains("max_event_ms")) state.max_event_ms = j.at("max_event_ms").get<int64_t>();
    const auto& aggregates = j.at("aggregates");
    for (size_t d = 0; d < definitions_.size(); ++d) {
      // An aggregate added since the checkpoint, or whose windows changed shape, starts empty.
      const AggregateDefinition& def = definitions_[d];
      if (!aggregates.contains(def.table)) continue;
      const auto& saved = aggregates.at(def.table);
      if (saved.at("size_ms").get<int64_t>() != def.size.count() ||
          saved.at("slide_ms").get<int64_t>() != def.slide.count()) {
        continue;
      }
      for (const auto& r : saved.at("windows")) {
        Accumulator acc{r.at(2).get<int64_t>(), r.at(3).get<int64_t>(), r.at(4).get<int>(), r.at(5).get<int>(), false};
        state.windows[d][{r.at(0).get<int64_t>(), r.at(1).get<std::string>()}] = acc;
      }
    }
  } catch (const nlohmann::json::exception& e) {
    state = PartitionState{};
    state.windows.resize(definitions_.size());
    return Status::Corruption("window state of partition {} is not readable: {}", partition, e.what());
  }
  return Status::OK();
}

void WindowAggregator::RemovePartition(PartitionId partition) { partitions_.erase(partition); }

std::optional<Timestamp> WindowAggregator::Watermark() const {
  std::optional<int64_t> low, high;
  for (const auto& [p, state] : partitions_) {
    if (!state.max_event_ms) {
      if (!state.idle) return std::nullopt;  // an active partition that has said nothing yet
      continue;
    }
    int64_t t = *state.max_event_ms;
    high = std::max(high.value_or(t), t);
    if (!state.idle) low = std::min(low.value_or(t), t);
  }
  if (!high) return std::nullopt;
  return TimestampFromMillis(low.value_or(*high) - config_.lateness.count());
}

bool WindowAggregator::Add(PartitionId partition, const CreatedUser& row) {
  int64_t t = ToMillis(row.event_time);
  if (auto watermark = Watermark(); watermark && t < ToMillis(*watermark)) return false;
  PartitionState& state = State(partition);
  state.max_event_ms = std::max(state.max_event_ms.value_or(t), t);
  state.caught_up_since.reset();
  state.idle = false;
  for (size_t d = 0; d < definitions_.size(); ++d) {
    const AggregateDefinition& def = definitions_[d];
    key_buffer_.clear();
    for (size_t i = 0; i < def.dimensions.size(); ++i) {
      if (i > 0) key_buffer_.push_back(kSeparator);
      key_buffer_ += Dimension(row, def.dimensions[i]);
    }
    const int64_t size = def.size.count(), slide = def.slide.count();
    Windows& windows = state.windows[d];
    for (int64_t start = FloorTo(t, slide); start > t - size; start -= slide) {
      auto it = windows.find(std::pair<int64_t, std::string_view>(start, key_buffer_));
      if (it == windows.end()) {
        it = windows.emplace(std::pair<int64_t, std::string>(start, key_buffer_), Accumulator{}).first;
        it->second.min_age = row.age;
        it->second.max_age = row.age;
      }
      Accumulator& acc = it->second;
      ++acc.users;
      acc.sum_age += row.age;
      acc.min_age = std::min(acc.min_age, row.age);
      acc.max_age = std::max(acc.max_age, row.age);
      acc.dirty = true;
    }
  }
  return true;
}

void WindowAggregator::SetCaughtUp(PartitionId partition, bool caught_up, MonoTime now) {
  auto it = partitions_.find(partition);
  if (it == partitions_.end()) return;  // not ours
  PartitionState& state = it->second;
  if (!caught_up) {
    state.caught_up_since.reset();
    state.idle = false;
    return;
  }
  if (!state.caught_up_since) state.caught_up_since = now;
  state.idle = now - *state.caught_up_since >= config_.idle_timeout;
}

AggregateRow WindowAggregator::MakeRow(PartitionId partition, size_t definition,
                                       const std::pair<int64_t, std::string>& key, const Accumulator& acc,
                                       bool final) const {
  AggregateRow row;
  row.definition = definition;
  row.partition = partition.value();
  row.window_start = TimestampFromMillis(key.first);
  row.window_end = TimestampFromMillis(key.first + definitions_[definition].size.count());
  std::string_view dims = key.second;
  for (size_t i = 0; i < definitions_[definition].dimensions.size(); ++i) {
    size_t sep = dims.find(kSeparator);
    row.dimensions.emplace_back(dims.substr(0, sep));
    dims = sep == std::string_view::npos ? std::string_view() : dims.substr(sep + 1);
  }
  row.users = acc.users;
  row.sum_age = acc.sum_age;
  row.min_age = acc.min_age;
  row.max_age = acc.max_age;
  row.final = final;
  return row;
}

std::vector<AggregateRow> WindowAggregator::TakeUpdates() {
  std::vector<AggregateRow> rows;
  std::optional<Timestamp> watermark = Watermark();
  for (auto& [partition, state] : partitions_) {
    for (size_t d = 0; d < state.windows.size(); ++d) {
      Windows& windows = state.windows[d];
      const int64_t size = definitions_[d].size.count();
      // Windows are ordered by start: the closed ones are a prefix.
      auto it = windows.begin();
      while (watermark && it != windows.end() && it->first.first + size <= ToMillis(*watermark)) {
        rows.push_back(MakeRow(partition, d, it->first, it->second, /*final=*/true));
        it = windows.erase(it);
      }
      if (!config_.early_updates) continue;
      for (; it != windows.end(); ++it) {
        if (!it->second.dirty) continue;
        rows.push_back(MakeRow(partition, d, it->first, it->second, /*final=*/false));
        it->second.dirty = false;
      }
    }
  }
  return rows;
}

std::vector<AggregateRow> WindowAggregator::OpenWindows() const {
  std::vector<AggregateRow> rows;
  for (const auto& [partition, state] : partitions_) {
    for (size_t d = 0; d < state.windows.size(); ++d) {
      for (const auto& [key, acc] : state.windows[d]) rows.push_back(MakeRow(partition, d, key, acc, false));
    }
  }
  return rows;
}

size_t WindowAggregator::open_windows() const {
  size_t n = 0;
  for (const auto& [p, state] : partitions_) {
    for (const auto& w : state.windows) n += w.size();
  }
  return n;
}

std::string WindowAggregator::Serialize(PartitionId partition) const {
  auto it = partitions_.find(partition);
  if (it == partitions_.end()) return "";
  const PartitionState& state = it->second;
  nlohmann::json j;
  j["version"] = 2;
  if (state.max_event_ms) j["max_event_ms"] = *state.max_event_ms;
  auto& aggregates = j["aggregates"] = nlohmann::json::object();
  for (size_t d = 0; d < state.windows.size(); ++d) {
    auto rows = nlohmann::json::array();
    for (const auto& [key, acc] : state.windows[d]) {
      rows.push_back({key.first, key.second, acc.users, acc.sum_age, acc.min_age, acc.max_age});
    }
    aggregates[definitions_[d].table] = {{"size_ms", definitions_[d].size.count()},
                                         {"slide_ms", definitions_[d].slide.count()},
                                         {"windows", std::move(rows)}};
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace rtpipe
