#include "rtpipe/base/backoff.h"

#include <algorithm>

namespace rtpipe {

std::chrono::milliseconds Backoff::Next() {
  ++attempts_;
  auto ceiling = ceiling_.count();
  std::uniform_int_distribution<int64_t> dist(ceiling / 2, std::max<int64_t>(ceiling, 1));
  auto delay = std::chrono::milliseconds(dist(rng_));
  auto grown = static_cast<int64_t>(static_cast<double>(ceiling) * policy_.multiplier);
  ceiling_ = std::chrono::milliseconds(std::min<int64_t>(std::max<int64_t>(grown, 1), policy_.max.count()));
  return delay;
}

}  // namespace rtpipe
