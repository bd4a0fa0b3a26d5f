#include "rtpipe/sink/aggregate_tables.h"

namespace rtpipe {

std::vector<AggregateDefinition> AggregateDefinitions(const WindowConfig& config) {
  std::vector<AggregateDefinition> defs;
  if (!config.enabled) return defs;
  AggregateDefinition by_dims;
  std::string_view dims = config.dimensions;
  by_dims.table = "users_by";
  while (!dims.empty()) {
    size_t comma = dims.find(',');
    by_dims.dimensions.emplace_back(dims.substr(0, comma));
    by_dims.table += "_" + by_dims.dimensions.back();
    if (comma == std::string_view::npos) break;
    dims = dims.substr(comma + 1);
  }
  by_dims.size = config.size;
  by_dims.slide = config.slide;
  by_dims.age_stats = true;
  bool by_domain_already = by_dims.table == "users_by_email_domain";
  defs.push_back(std::move(by_dims));
  defs.push_back({"new_users_per_minute_by_nat", {"nat"}, std::chrono::minutes(1), std::chrono::minutes(1), false});
  if (!by_domain_already) {
    defs.push_back({"users_by_email_domain", {"email_domain"}, config.size, config.slide, false});
  }
  return defs;
}

}  // namespace rtpipe
