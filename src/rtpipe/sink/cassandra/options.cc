#include "rtpipe/sink/cassandra/options.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <utility>

namespace rtpipe::cql {
namespace {

constexpr std::array<std::pair<Consistency, std::string_view>, 11> kConsistencyNames = {{
    {Consistency::kAny, "ANY"},
    {Consistency::kOne, "ONE"},
    {Consistency::kTwo, "TWO"},
    {Consistency::kThree, "THREE"},
    {Consistency::kQuorum, "QUORUM"},
    {Consistency::kAll, "ALL"},
    {Consistency::kLocalQuorum, "LOCAL_QUORUM"},
    {Consistency::kEachQuorum, "EACH_QUORUM"},
    {Consistency::kSerial, "SERIAL"},
    {Consistency::kLocalSerial, "LOCAL_SERIAL"},
    {Consistency::kLocalOne, "LOCAL_ONE"},
}};

Result<int64_t> ParseInt(std::string_view key, std::string_view text, int64_t min, int64_t max) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < min || v > max) {
    return Status::InvalidArgument("cassandra URL parameter {}={}: want an integer in {}..{}", key, text, min, max);
  }
  return v;
}

}  // namespace

std::string ConsistencyName(Consistency c) {
  for (const auto& [value, name] : kConsistencyNames) {
    if (value == c) return std::string(name);
  }
  return fmt::format("consistency 0x{:x}", static_cast<unsigned>(c));
}

Result<Consistency> ParseConsistency(std::string_view text) {
  std::string upper(text);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  std::string allowed;
  for (const auto& [value, name] : kConsistencyNames) {
    if (upper == name) return value;
    allowed += (allowed.empty() ? "" : ", ") + std::string(name);
  }
  return Status::InvalidArgument("unknown consistency level \"{}\" (allowed: {})", text, allowed);
}

Result<CqlOptions> CqlOptions::FromUrl(std::string_view text) {
  RTPIPE_ASSIGN_OR_RETURN(Url url, ParseUrl(text));
  if (url.scheme != "cassandra") {
    return Status::InvalidArgument("not a cassandra:// URL: \"{}\"", MaskUrlPassword(text));
  }
  if (url.hosts.empty()) return Status::InvalidArgument("cassandra URL names no host: \"{}\"", MaskUrlPassword(text));
  CqlOptions o;
  for (const auto& h : url.hosts) {
    o.hosts.push_back(h.port != 0 ? fmt::format("{}:{}", h.host, h.port) : h.host);
  }
  o.keyspace = url.path;
  if (!o.keyspace.empty() && o.keyspace.front() == '/') o.keyspace.erase(0, 1);
  o.user = url.user;
  o.password = url.password;
  for (const auto& [key, value] : url.query) {
    if (key == "consistency") {
      RTPIPE_ASSIGN_OR_RETURN(o.consistency, ParseConsistency(value));
    } else if (key == "connections_per_host") {
      RTPIPE_ASSIGN_OR_RETURN(auto v, ParseInt(key, value, 1, 64));
      o.connections_per_host = static_cast<int>(v);
    } else if (key == "max_in_flight") {
      RTPIPE_ASSIGN_OR_RETURN(auto v, ParseInt(key, value, 1, 32768));
      o.max_in_flight = static_cast<int>(v);
    } else if (key == "connect_timeout_ms") {
      RTPIPE_ASSIGN_OR_RETURN(auto v, ParseInt(key, value, 1, 600'000));
      o.connect_timeout = std::chrono::milliseconds(v);
    } else if (key == "request_timeout_ms") {
      RTPIPE_ASSIGN_OR_RETURN(auto v, ParseInt(key, value, 1, 600'000));
      o.request_timeout = std::chrono::milliseconds(v);
    } else if (key == "retry_window_ms") {
      RTPIPE_ASSIGN_OR_RETURN(auto v, ParseInt(key, value, 0, 86'400'000));
      o.retry_window = std::chrono::milliseconds(v);
    } else if (key == "compression") {
      if (value != "none" && value != "lz4") {
        return Status::InvalidArgument("cassandra URL parameter compression={}: want none or lz4", value);
      }
      o.compression = value == "lz4";
    } else {
      return Status::InvalidArgument(
          "unknown cassandra URL parameter \"{}\" (known: consistency, connections_per_host, max_in_flight, "
          "connect_timeout_ms, request_timeout_ms, retry_window_ms, compression)",
          key);
    }
  }
  RTPIPE_RETURN_IF_ERROR(o.Validate());
  return o;
}

Status CqlOptions::Validate() const {
  if (hosts.empty()) return Status::InvalidArgument("cassandra hosts: at least one contact point is needed");
  for (const auto& h : hosts) {
    if (h.empty()) return Status::InvalidArgument("cassandra hosts: empty host name");
  }
  if (port < 1 || port > 65535) return Status::InvalidArgument("cassandra port {}: want 1..65535", port);
  if (connections_per_host < 1 || connections_per_host > 64) {
    return Status::InvalidArgument("cassandra connections_per_host {}: want 1..64", connections_per_host);
  }
  if (max_in_flight < 1 || max_in_flight > 32768) {
    return Status::InvalidArgument("cassandra max_in_flight {}: want 1..32768", max_in_flight);
  }
  if (connect_timeout.count() <= 0 || request_timeout.count() <= 0) {
    return Status::InvalidArgument("cassandra timeouts must be positive (connect {} ms, request {} ms)",
                                   connect_timeout.count(), request_timeout.count());
  }
  if (retry_window.count() < 0) return Status::InvalidArgument("cassandra retry_window must not be negative");
  if (serial_consistency != Consistency::kSerial && serial_consistency != Consistency::kLocalSerial) {
    return Status::InvalidArgument("cassandra serial_consistency {}: want SERIAL or LOCAL_SERIAL",
                                   ConsistencyName(serial_consistency));
  }
  if (keyspace.size() > 48) return Status::InvalidArgument("cassandra keyspace \"{}\" is too long", keyspace);
  if (user.size() > 0xFFFF / 2 || password.size() > 0xFFFF / 2) {
    return Status::InvalidArgument("cassandra user or password too long");
  }
  return Status::OK();
}

}  // namespace rtpipe::cql
