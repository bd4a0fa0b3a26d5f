#pragma once
// Names the calling thread, so that `top -H`, `ps -L`, perf and gdb show what each thread of
// rtpipe does ("ingest", "ingest-fetch", "capture", "process-write", ...).

#include <string>
#include <string_view>

namespace rtpipe {

/// Sets the calling thread's name. Linux keeps 15 bytes: a longer name is cut to its first 15.
void SetThreadName(std::string_view name);

/// The calling thread's name ("" if it cannot be read).
std::string ThreadName();

}  // namespace rtpipe
