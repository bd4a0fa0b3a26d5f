#pragma once
// Names the calling thread, so that `top -H`, `ps -L`, perf and gdb show what each thread of
// rtpipe does ("ingest", "ingest-fetch", "capture", "process-write", ...). A named thread also
// accounts for the CPU time it used when it ends, under its name, so that a benchmark can say what
// each stage costs per record (`rtpipe bench`).

#include <chrono>
#include <map>
#include <string>
#include <string_view>

namespace rtpipe {

/// Sets the calling thread's name. Linux keeps 15 bytes: a longer name is cut to its first 15.
void SetThreadName(std::string_view name);

/// The calling thread's name ("" if it cannot be read).
std::string ThreadName();

/// The CPU time the calling thread has used so far.
std::chrono::nanoseconds ThreadCpuTime();

/// The CPU time of the threads named with SetThreadName that ended since the last call, summed by
/// the name each had last.
std::map<std::string, std::chrono::nanoseconds> TakeEndedThreadCpu();

}  // namespace rtpipe
