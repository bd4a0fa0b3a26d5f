#pragma once
// Graceful shutdown on SIGINT/SIGTERM, and sleeps that a stop request interrupts.

#include <chrono>
#include <stop_token>

namespace rtpipe {

/// Blocks SIGINT and SIGTERM in the calling thread (call it in main before starting threads, so
/// every thread inherits the mask) and starts a watcher thread that turns the first signal into a
/// stop request on the returned token. A second signal ends the process at once with status 130.
std::stop_source InstallShutdownHandler();

/// Sleeps for `d` or until `stop` is requested. Returns false when woken by the stop request.
bool SleepFor(std::chrono::nanoseconds d, std::stop_token stop);

}  // namespace rtpipe
