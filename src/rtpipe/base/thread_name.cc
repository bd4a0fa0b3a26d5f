#include "rtpipe/base/thread_name.h"

#include <pthread.h>

namespace rtpipe {

namespace {
constexpr size_t kMaxThreadName = 15;  // TASK_COMM_LEN - 1
}  // namespace

void SetThreadName(std::string_view name) {
  std::string cut(name.substr(0, kMaxThreadName));
  pthread_setname_np(pthread_self(), cut.c_str());  // fails only for a name that is too long
}

std::string ThreadName() {
  char name[kMaxThreadName + 1] = {};
  if (pthread_getname_np(pthread_self(), name, sizeof name) != 0) return {};
  return name;
}

}  // namespace rtpipe
