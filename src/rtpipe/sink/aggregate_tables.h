#pragma once
// The aggregate tables rtpipe ships (see docs/windows.md):
//  - users_by_<dimensions> (default users_by_country_gender): users per window with average,
//    minimum and maximum age, windows per process.window.size/slide;
//  - new_users_per_minute_by_nat: users per one-minute tumbling window by nationality;
//  - users_by_email_domain: users per window by e-mail domain.

#include <vector>

#include "rtpipe/config/config.h"
#include "rtpipe/model/aggregate.h"

namespace rtpipe {

/// The aggregates to compute and store; none when process.window.enabled is false.
std::vector<AggregateDefinition> AggregateDefinitions(const WindowConfig& config);

}  // namespace rtpipe
