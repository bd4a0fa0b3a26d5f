#include "rtpipe/base/thread_name.h"

#include <pthread.h>
#include <time.h>

#include <mutex>
#include <utility>

namespace rtpipe {

namespace {

constexpr size_t kMaxThreadName = 15;  // TASK_COMM_LEN - 1

// The CPU time of ended threads, by name. Never destroyed: threads may end during exit.
struct EndedThreads {
  std::mutex mutex;
  std::map<std::string, std::chrono::nanoseconds> cpu;
};
EndedThreads& Ended() {
  static auto* ended = new EndedThreads();
  return *ended;
}

// Adds its thread's CPU time to Ended() under the thread's name when the thread ends.
struct CpuAccount {
  std::string name;
  CpuAccount() = default;
  CpuAccount(const CpuAccount&) = delete;
  CpuAccount& operator=(const CpuAccount&) = delete;
  ~CpuAccount() {
    if (name.empty()) return;
    std::chrono::nanoseconds used = ThreadCpuTime();
    EndedThreads& ended = Ended();
    std::lock_guard lock(ended.mutex);
    ended.cpu[name] += used;
  }
};
thread_local CpuAccount tls_cpu_account;

}  // namespace

void SetThreadName(std::string_view name) {
  std::string cut(name.substr(0, kMaxThreadName));
  pthread_setname_np(pthread_self(), cut.c_str());  // fails only for a name that is too long
  tls_cpu_account.name = std::move(cut);
}

std::string ThreadName() {
  char name[kMaxThreadName + 1] = {};
  if (pthread_getname_np(pthread_self(), name, sizeof name) != 0) return {};
  return name;
}

std::chrono::nanoseconds ThreadCpuTime() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

std::map<std::string, std::chrono::nanoseconds> TakeEndedThreadCpu() {
  EndedThreads& ended = Ended();
  std::lock_guard lock(ended.mutex);
  return std::exchange(ended.cpu, {});
}

}  // namespace rtpipe
