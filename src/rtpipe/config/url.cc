#include "rtpipe/config/url.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

namespace rtpipe {
namespace {

Result<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      int value = 0;
      if (i + 2 >= text.size() ||
          std::from_chars(text.data() + i + 1, text.data() + i + 3, value, 16).ptr != text.data() + i + 3) {
        return Status::InvalidArgument("bad percent-escape in \"{}\"", text);
      }
      out.push_back(static_cast<char>(value));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

Result<HostPort> ParseHostPort(std::string_view text) {
  HostPort hp;
  size_t colon = text.rfind(':');
  if (colon != std::string_view::npos && text.find(']') == std::string_view::npos) {
    std::string_view port = text.substr(colon + 1);
    int value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value <= 0 || value > 65535) {
      return Status::InvalidArgument("bad port \"{}\"", port);
    }
    hp.port = value;
    text = text.substr(0, colon);
  }
  if (text.empty()) return Status::InvalidArgument("empty host name");
  hp.host = std::string(text);
  return hp;
}

}  // namespace

std::string Url::HostList(int default_port) const {
  std::string out;
  for (const auto& hp : hosts) {
    if (!out.empty()) out += ',';
    out += fmt::format("{}:{}", hp.host, hp.port != 0 ? hp.port : default_port);
  }
  return out;
}

Result<Url> ParseUrl(std::string_view text) {
  Url url;
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return Status::InvalidArgument("\"{}\" is not a URL (expected scheme:...)", text);
  }
  url.scheme = std::string(text.substr(0, colon));
  for (char c : url.scheme) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return Status::InvalidArgument("\"{}\" is not a URL (bad scheme)", text);
    }
  }
  std::string_view rest = text.substr(colon + 1);
  size_t q = rest.find('?');
  if (q != std::string_view::npos) {
    std::string_view query = rest.substr(q + 1);
    rest = rest.substr(0, q);
    while (!query.empty()) {
      size_t amp = query.find('&');
      std::string_view pair = query.substr(0, amp);
      size_t eq = pair.find('=');
      RTPIPE_ASSIGN_OR_RETURN(auto key, PercentDecode(pair.substr(0, eq)));
      std::string value;
      if (eq != std::string_view::npos) {
        RTPIPE_ASSIGN_OR_RETURN(value, PercentDecode(pair.substr(eq + 1)));
      }
      if (!key.empty()) url.query.emplace_back(std::move(key), std::move(value));
      if (amp == std::string_view::npos) break;
      query = query.substr(amp + 1);
    }
  }
  if (!rest.starts_with("//")) {
    url.path = std::string(rest);
    return url;
  }
  rest = rest.substr(2);
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) url.path = std::string(rest.substr(slash + 1));
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    size_t pw = userinfo.find(':');
    RTPIPE_ASSIGN_OR_RETURN(url.user, PercentDecode(userinfo.substr(0, pw)));
    if (pw != std::string_view::npos) {
      RTPIPE_ASSIGN_OR_RETURN(url.password, PercentDecode(userinfo.substr(pw + 1)));
    }
  }
  while (!authority.empty()) {
    size_t comma = authority.find(',');
    auto hp = ParseHostPort(authority.substr(0, comma));
    if (!hp.ok()) return hp.status().WithContext(fmt::format("in URL \"{}\"", MaskUrlPassword(text)));
    url.hosts.push_back(std::move(*hp));
    if (comma == std::string_view::npos) break;
    authority = authority.substr(comma + 1);
  }
  return url;
}

std::string MaskUrlPassword(std::string_view text) {
  size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos) return std::string(text);
  size_t authority_start = scheme_end + 3;
  size_t authority_end = text.find_first_of("/?", authority_start);
  std::string_view authority = text.substr(authority_start, authority_end - authority_start);
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return std::string(text);
  size_t colon = authority.substr(0, at).find(':');
  if (colon == std::string_view::npos) return std::string(text);
  std::string out(text.substr(0, authority_start + colon + 1));
  out += "****";
  out += text.substr(authority_start + at);
  return out;
}

std::string PercentEncode(std::string_view text) {
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", u);
    }
  }
  return out;
}

}  // namespace rtpipe
