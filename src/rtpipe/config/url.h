#pragma once
// Backend URLs: every stage's backend is chosen by one, e.g. `sqlite:data/landing.db`,
// `postgresql://user:pw@host:5432/db`, `file:data/log`, `kafka://h1:9092,h2:9092`,
// `cassandra://h1,h2:9042/spark_streams`.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rtpipe/base/result.h"

namespace rtpipe {

struct HostPort {
  std::string host;
  int port = 0;  // 0: the scheme's default
};

struct Url {
  std::string scheme;  // "sqlite", "postgresql", "file", "kafka", "cassandra", "http", "https"
  std::string user;
  std::string password;
  std::vector<HostPort> hosts;  // empty for sqlite:/file: URLs
  std::string path;             // "data/landing.db" for sqlite:data/landing.db; "db" for postgresql://h/db
  std::vector<std::pair<std::string, std::string>> query;  // ?k=v&k2=v2, percent-decoded

  /// "host:port,host:port" with `default_port` where a host gave none.
  std::string HostList(int default_port) const;
};

/// Parses `scheme:path` (no authority) and `scheme://[user[:password]@]host[:port][,host[:port]...][/path][?query]`.
/// User, password and query parts are percent-decoded.
Result<Url> ParseUrl(std::string_view text);

/// The URL with its password replaced by "****", for logs and `config show`.
std::string MaskUrlPassword(std::string_view text);

/// Percent-encodes the characters of `text` that are not unreserved in RFC 3986.
std::string PercentEncode(std::string_view text);

}  // namespace rtpipe
