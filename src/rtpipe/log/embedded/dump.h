#pragma once
// `rtpipe log dump`: a human-readable listing of segment and index files, batch by batch, that
// keeps going over damage it can step past and says where and why it stopped otherwise.

#include <cstdio>
#include <string>

#include "rtpipe/base/file_system.h"

namespace rtpipe::embedded {

struct DumpOptions {
  bool records = false;  // also list every record of every batch
};

/// Writes the listing of `path` to `out`: a `.log` segment, a `.index`/`.timeindex` file, or a
/// partition directory (all its segments in order). Errors only for unreadable paths: damage in
/// the files is reported in the listing.
Status DumpLogPath(FileSystem& fs, const std::string& path, const DumpOptions& options, std::FILE* out);

}  // namespace rtpipe::embedded
