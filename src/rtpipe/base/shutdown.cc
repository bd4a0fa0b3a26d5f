#include "rtpipe/base/shutdown.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include "rtpipe/base/logging.h"
#include "rtpipe/base/thread_name.h"

namespace rtpipe {

std::stop_source InstallShutdownHandler() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::stop_source source;
  std::thread([set, source]() mutable {
    SetThreadName("signals");
    int signal_number = 0;
    if (sigwait(&set, &signal_number) != 0) return;
    GetLogger("app")->info("received {}, stopping (press Ctrl-C again to quit at once)",
                           signal_number == SIGINT ? "SIGINT" : "SIGTERM");
    source.request_stop();
    if (sigwait(&set, &signal_number) != 0) return;
    std::fputs("\nrtpipe: second signal, exiting now\n", stderr);
    ::_exit(130);
  }).detach();
  return source;
}

bool SleepFor(std::chrono::nanoseconds d, std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any cv;
  std::unique_lock lock(mutex);
  return !cv.wait_for(lock, stop, d, [] { return false; }) && !stop.stop_requested();
}

}  // namespace rtpipe
