// CqlConnection against a scripted peer on a loopback socket: stream multiplexing, out-of-order
// answers, timeouts, lost connections, authentication and Close(). The real server is exercised by
// tests/integration/cassandra_*_test.cc.

#include "rtpipe/sink/cassandra/connection.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <thread>

#include "rtpipe/sink/cassandra/messages.h"

namespace rtpipe::cql {
namespace {

using namespace std::chrono_literals;

struct Request {
  int16_t stream;
  Opcode opcode;
  std::string body;
};

// Accepts one connection and feeds each request frame to `respond`, which returns the bytes to
// send back (possibly nothing, possibly frames for earlier requests).
class ScriptedPeer {
 public:
  using Responder = std::function<std::string(const Request&)>;

  explicit ScriptedPeer(Responder respond) : respond_(std::move(respond)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(listen_fd_, 4);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedPeer() {
    Hangup();
    ::shutdown(listen_fd_, SHUT_RDWR);
    ::close(listen_fd_);
    if (thread_.joinable()) thread_.join();
  }
  int port() const { return port_; }
  void Hangup() {
    int fd = conn_fd_.exchange(-1);
    if (fd >= 0) ::shutdown(fd, SHUT_RDWR);
  }
  void SendRaw(const std::string& bytes) {
    int fd = conn_fd_.load();
    if (fd >= 0) (void)::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
  }

 private:
  void Serve() {
    int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    conn_fd_.store(fd);
    std::string buf;
    char chunk[4096];
    for (;;) {
      ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
      if (n <= 0) break;
      buf.append(chunk, static_cast<size_t>(n));
      while (buf.size() >= kHeaderSize) {
        uint32_t len = LoadU32(buf.data() + 5);
        if (buf.size() < kHeaderSize + len) break;
        Request r{static_cast<int16_t>(LoadU16(buf.data() + 2)), static_cast<Opcode>(buf[4]),
                  buf.substr(kHeaderSize, len)};
        buf.erase(0, kHeaderSize + len);
        SendRaw(respond_(r));
      }
    }
    ::close(fd);
  }

  Responder respond_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> conn_fd_{-1};
  std::thread thread_;
};

std::string Response(int16_t stream, Opcode opcode, const std::string& body) {
  std::string out;
  out.push_back(static_cast<char>(0x84));
  out.push_back(0);
  out.push_back(static_cast<char>(static_cast<uint16_t>(stream) >> 8));
  out.push_back(static_cast<char>(stream & 0xFF));
  out.push_back(static_cast<char>(opcode));
  char len[4];
  StoreU32(len, static_cast<uint32_t>(body.size()));
  out.append(len, 4);
  return out + body;
}

std::string VoidResult() { return std::string("\0\0\0\1", 4); }

ConnectionOptions Options(int port) {
  ConnectionOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.connect_timeout = 2s;
  return o;
}

// Answers STARTUP with READY and QUERY with Void, in order.
std::string Plain(const Request& r) {
  if (r.opcode == Opcode::kStartup) return Response(r.stream, Opcode::kReady, "");
  return Response(r.stream, Opcode::kResult, VoidResult());
}

TEST(CqlConnectionTest, RefusedConnectionNamesTheHost) {
  int port = 0;
  {
    ScriptedPeer peer(Plain);  // a free port, closed again when the peer goes
    port = peer.port();
  }
  auto conn = CqlConnection::Open(Options(port));
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(conn.status().message().find(fmt::format("127.0.0.1:{}", port)), std::string::npos) << conn.status();
}

TEST(CqlConnectionTest, ManyRequestsInFlightAnsweredOutOfOrder) {
  std::mutex mu;
  std::vector<Request> held;
  ScriptedPeer peer([&](const Request& r) -> std::string {
    if (r.opcode == Opcode::kStartup) return Response(r.stream, Opcode::kReady, "");
    std::lock_guard lock(mu);
    held.push_back(r);
    if (held.size() < 100) return "";
    std::string all;  // answer all 100 in reverse order, each echoing its query text as a keyspace
    for (auto it = held.rbegin(); it != held.rend(); ++it) {
      CqlReader reader(it->body);
      std::string ks(*reader.LongString());
      std::string body = std::string("\0\0\0\3", 4);
      CqlWriter(body).String(ks);
      all += Response(it->stream, Opcode::kResult, body);
    }
    return all;
  });
  auto conn = CqlConnection::Open(Options(peer.port()));
  ASSERT_TRUE(conn.ok()) << conn.status();
  std::vector<std::promise<std::string>> answers(100);
  QueryParams p;
  for (int i = 0; i < 100; ++i) {
    Status s = (*conn)->Send(Opcode::kQuery, EncodeQuery(std::to_string(i), {}, p), Clock::System().Monotonic() + 5s,
                             [&answers, i](Result<Frame> f) {
                               if (!f.ok()) return answers[static_cast<size_t>(i)].set_value(f.status().ToString());
                               auto m = DecodeResult(f->body, 0);
                               answers[static_cast<size_t>(i)].set_value(m.ok() ? m->keyspace : m.status().ToString());
                             });
    ASSERT_TRUE(s.ok()) << s;
  }
  for (int i = 0; i < 100; ++i) EXPECT_EQ(answers[static_cast<size_t>(i)].get_future().get(), std::to_string(i));
  EXPECT_EQ((*conn)->in_flight(), 0);
}

TEST(CqlConnectionTest, TimeoutFailsTheRequestAndALateAnswerIsDropped) {
  std::promise<int16_t> held_stream;
  ScriptedPeer peer([&](const Request& r) -> std::string {
    if (r.opcode == Opcode::kStartup) return Response(r.stream, Opcode::kReady, "");
    if (r.body.find("slow") != std::string::npos) {
      held_stream.set_value(r.stream);
      return "";
    }
    return Response(r.stream, Opcode::kResult, VoidResult());
  });
  auto conn = CqlConnection::Open(Options(peer.port()));
  ASSERT_TRUE(conn.ok()) << conn.status();
  QueryParams p;
  auto start = Clock::System().Monotonic();
  auto slow = (*conn)->SendAndWait(Opcode::kQuery, EncodeQuery("slow", {}, p), 200ms);
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.status().code(), StatusCode::kTimeout);
  EXPECT_LT(Clock::System().Monotonic() - start, 2s);
  // The late answer arrives on the timed-out stream: it is dropped, and the connection still works.
  peer.SendRaw(Response(held_stream.get_future().get(), Opcode::kResult, VoidResult()));
  auto fast = (*conn)->SendAndWait(Opcode::kQuery, EncodeQuery("fast", {}, p), 2s);
  ASSERT_TRUE(fast.ok()) << fast.status();
  EXPECT_TRUE((*conn)->alive());
}

TEST(CqlConnectionTest, PeerHangupFailsInFlightRequests) {
  std::promise<void> got_query;
  ScriptedPeer peer([&](const Request& r) -> std::string {
    if (r.opcode == Opcode::kStartup) return Response(r.stream, Opcode::kReady, "");
    got_query.set_value();
    return "";
  });
  auto conn = CqlConnection::Open(Options(peer.port()));
  ASSERT_TRUE(conn.ok()) << conn.status();
  std::promise<Status> failed;
  QueryParams p;
  ASSERT_TRUE((*conn)
                  ->Send(Opcode::kQuery, EncodeQuery("q", {}, p), Clock::System().Monotonic() + 30s,
                         [&](Result<Frame> f) { failed.set_value(f.status()); })
                  .ok());
  got_query.get_future().get();
  peer.Hangup();
  Status s = failed.get_future().get();
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s;
  EXPECT_NE(s.message().find("closed the connection"), std::string::npos) << s;
  EXPECT_FALSE((*conn)->alive());
  EXPECT_FALSE((*conn)->Send(Opcode::kQuery, EncodeQuery("q", {}, p), Clock::System().Monotonic() + 1s, nullptr).ok());
}

TEST(CqlConnectionTest, CloseCancelsInFlightRequestsPromptly) {
  ScriptedPeer peer([&](const Request& r) -> std::string {
    if (r.opcode == Opcode::kStartup) return Response(r.stream, Opcode::kReady, "");
    return "";  // never answers
  });
  auto conn = CqlConnection::Open(Options(peer.port()));
  ASSERT_TRUE(conn.ok()) << conn.status();
  std::atomic<int> cancelled{0};
  QueryParams p;
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE((*conn)
                    ->Send(Opcode::kQuery, EncodeQuery("q", {}, p), Clock::System().Monotonic() + 60s,
                           [&](Result<Frame> f) { cancelled += f.status().IsCancelled() ? 1 : 0; })
                    .ok());
  }
  auto start = Clock::System().Monotonic();
  conn->reset();
  EXPECT_EQ(cancelled.load(), 50);
  EXPECT_LT(Clock::System().Monotonic() - start, 1s);
}

TEST(CqlConnectionTest, SilentServerTimesOutTheHandshake) {
  ScriptedPeer peer([](const Request&) { return std::string(); });
  auto o = Options(peer.port());
  o.connect_timeout = 300ms;
  auto conn = CqlConnection::Open(o);
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.status().code(), StatusCode::kTimeout) << conn.status();
}

std::string Authenticate(const Request& r, std::string* token) {
  if (r.opcode == Opcode::kStartup) {
    std::string body;
    CqlWriter(body).String("org.apache.cassandra.auth.PasswordAuthenticator");
    return Response(r.stream, Opcode::kAuthenticate, body);
  }
  if (r.opcode == Opcode::kAuthResponse) {
    CqlReader reader(r.body);
    *token = std::string(*reader.Bytes());
    if (*token == PlainSaslToken("cassandra", "cassandra")) {
      return Response(r.stream, Opcode::kAuthSuccess, std::string("\xFF\xFF\xFF\xFF", 4));
    }
    std::string body;
    CqlWriter w(body);
    w.Int(0x0100);
    w.String("Provided username cassandra and/or password are incorrect");
    return Response(r.stream, Opcode::kError, body);
  }
  return Response(r.stream, Opcode::kResult, VoidResult());
}

TEST(CqlConnectionTest, PasswordAuthentication) {
  std::string token;
  {
    ScriptedPeer peer([&](const Request& r) { return Authenticate(r, &token); });
    auto o = Options(peer.port());
    o.user = "cassandra";
    o.password = "cassandra";
    auto conn = CqlConnection::Open(o);
    ASSERT_TRUE(conn.ok()) << conn.status();
    EXPECT_EQ(token, std::string("\0cassandra\0cassandra", 20));
  }
  {
    ScriptedPeer peer([&](const Request& r) { return Authenticate(r, &token); });
    auto o = Options(peer.port());
    o.user = "cassandra";
    o.password = "wrong";
    auto conn = CqlConnection::Open(o);
    ASSERT_FALSE(conn.ok());
    EXPECT_EQ(conn.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(conn.status().message().find("rejected the credentials of user \"cassandra\""), std::string::npos)
        << conn.status();
    EXPECT_NE(conn.status().message().find("are incorrect"), std::string::npos) << conn.status();
  }
  {
    ScriptedPeer peer([&](const Request& r) { return Authenticate(r, &token); });
    auto conn = CqlConnection::Open(Options(peer.port()));
    ASSERT_FALSE(conn.ok());
    EXPECT_EQ(conn.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(conn.status().message().find("no user/password is configured"), std::string::npos) << conn.status();
  }
}

TEST(CqlConnectionTest, GarbageFromTheServerClosesTheConnection) {
  ScriptedPeer peer([&](const Request& r) -> std::string {
    if (r.opcode == Opcode::kStartup) return Response(r.stream, Opcode::kReady, "");
    return "HTTP/1.1 400 Bad Request\r\n\r\n";
  });
  auto conn = CqlConnection::Open(Options(peer.port()));
  ASSERT_TRUE(conn.ok()) << conn.status();
  QueryParams p;
  auto r = (*conn)->SendAndWait(Opcode::kQuery, EncodeQuery("q", {}, p), 2s);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status();
  EXPECT_FALSE((*conn)->alive());
}

}  // namespace
}  // namespace rtpipe::cql
