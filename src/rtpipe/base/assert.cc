#include "rtpipe/base/assert.h"

#include <cstdio>
#include <cstdlib>

namespace rtpipe {

void AssertFail(const char* condition, const char* file, int line, const std::string& message) {
  std::fprintf(stderr, "\nrtpipe: assertion failed: %s at %s:%d%s%s\n", condition, file, line,
               message.empty() ? "" : ": ", message.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace rtpipe
