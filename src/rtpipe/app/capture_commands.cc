// `rtpipe capture status` and `rtpipe capture drop-slot`: the operator's view of the PostgreSQL
// replication slot that change capture reads (docs/postgres.md). A slot retains WAL until capture
// confirms it; if capture is gone for good, dropping the slot is how to give that disk space back.

#include <fmt/format.h>

#include <memory>
#include <string>

#include "rtpipe/app/cli.h"
#include "rtpipe/base/time.h"
#include "rtpipe/config/url.h"
#include "rtpipe/landing/postgres_connection.h"
#include "rtpipe/landing/postgres_schema.h"

namespace rtpipe {
namespace {

Result<std::unique_ptr<PgConnection>> ConnectLanding(const Config& config) {
  RTPIPE_ASSIGN_OR_RETURN(Url url, ParseUrl(config.landing.url));
  if (url.scheme != "postgresql" && url.scheme != "postgres") {
    return Status::InvalidArgument(
        "capture commands apply to a PostgreSQL landing store; landing.url is \"{}\" (its changes are captured "
        "from an outbox table, without a replication slot)",
        MaskUrlPassword(config.landing.url));
  }
  RTPIPE_ASSIGN_OR_RETURN(PgEndpoint endpoint, PgEndpoint::FromUrl(config.landing.url, "rtpipe-admin"));
  return PgConnection::Connect(endpoint);
}

// Landed changes not captured yet, from ingest_state and capture_state (-1 when unknown).
int64_t PendingChanges(PgConnection& conn, const std::string& slot) {
  auto r = conn.Query(
      "SELECT (SELECT changes FROM ingest_state WHERE id = 1) - (SELECT landed_seen FROM capture_state WHERE slot = "
      "$1)",
      {slot}, "counting pending changes");
  if (!r.ok() || r->IsNull(0, 0)) return -1;
  return std::max<int64_t>(0, r->Int(0, 0).ValueOr(-1));
}

int Status_(const GlobalOptions& global) {
  auto loaded = LoadEffectiveConfig(global);
  if (!loaded.ok()) return ReportError(loaded.status());
  const CaptureConfig& c = loaded->config.capture;
  auto conn = ConnectLanding(loaded->config);
  if (!conn.ok()) return ReportError(conn.status());
  auto slot = pg::LoadSlot(**conn, c.slot);
  if (!slot.ok()) return ReportError(slot.status());
  fmt::print("replication slot {} on PostgreSQL at {} (publication {})\n", c.slot, (*conn)->endpoint().where,
             c.publication);
  if (!*slot) {
    fmt::print("  does not exist: rtpipe creates it when it starts with this landing.url\n");
    return kExitOk;
  }
  const pg::SlotInfo& s = **slot;
  fmt::print("  state:              {}\n",
             s.active_pid ? fmt::format("active (server process {})", *s.active_pid) : "inactive (no capture running)");
  fmt::print("  confirmed flush:    {}\n", FormatLsn(s.confirmed_flush));
  fmt::print("  retained WAL:       {} (limit capture.max_slot_lag = {}), wal_status {}\n",
             pg::FormatBytes(s.retained_bytes), c.max_slot_lag < 0 ? "none" : pg::FormatBytes(c.max_slot_lag),
             s.wal_status);
  auto state = (*conn)->Query(
      "SELECT position::text, updated_at::text, "
      "CASE WHEN commit_time IS NULL THEN NULL ELSE (extract(epoch from now() - commit_time) * 1000)::bigint END "
      "FROM capture_state WHERE slot = $1",
      {c.slot}, "reading the capture checkpoint");
  int64_t pending = PendingChanges(**conn, c.slot);
  if (state.ok() && state->rows() == 1 && !state->IsNull(0, 0)) {
    fmt::print("  capture checkpoint: {} (written {})\n", state->Text(0, 0), state->Text(0, 1));
  } else {
    fmt::print("  capture checkpoint: none yet\n");
  }
  int64_t waiting_ms = 0;
  if (pending > 0 && state.ok() && state->rows() == 1 && !state->IsNull(0, 2)) waiting_ms = state->Int(0, 2).ValueOr(0);
  fmt::print("  backlog:            {} landed changes not captured yet{}\n",
             pending < 0 ? std::string("?") : std::to_string(pending),
             pending > 0 ? fmt::format(", waiting {}", FormatDuration(std::chrono::milliseconds(waiting_ms))) : "");
  bool alarm = (c.max_slot_lag >= 0 && s.retained_bytes > c.max_slot_lag) ||
               (c.max_slot_lag_time.count() > 0 && waiting_ms > c.max_slot_lag_time.count()) ||
               s.wal_status == "lost" || s.wal_status == "unreserved";
  fmt::print("  alarm:              {}\n",
             alarm ? "ALARM: over capture.max_slot_lag / capture.max_slot_lag_time, or WAL at risk" : "none");
  return kExitOk;
}

int DropSlot(const GlobalOptions& global, bool force) {
  auto loaded = LoadEffectiveConfig(global);
  if (!loaded.ok()) return ReportError(loaded.status());
  const std::string& name = loaded->config.capture.slot;
  auto conn = ConnectLanding(loaded->config);
  if (!conn.ok()) return ReportError(conn.status());
  auto slot = pg::LoadSlot(**conn, name);
  if (!slot.ok()) return ReportError(slot.status());
  if (!*slot) {
    fmt::print("no replication slot {} on PostgreSQL at {}: nothing to drop\n", name, (*conn)->endpoint().where);
    return kExitOk;
  }
  int64_t pending = PendingChanges(**conn, name);
  Status s = pg::DropSlot(**conn, name, force);
  if (!s.ok()) return ReportError(s);
  fmt::print(
      "dropped replication slot {} on PostgreSQL at {}: {} of WAL released{}. The next rtpipe start creates a new "
      "slot at the then-current WAL position.\n",
      name, (*conn)->endpoint().where, pg::FormatBytes((*slot)->retained_bytes),
      pending > 0 ? fmt::format("; {} landed changes had not been captured and will not be published", pending) : "");
  return kExitOk;
}

}  // namespace

void AddCaptureCommands(CLI::App& app, const GlobalOptions& global, CommandBody& selected) {
  auto* capture = app.add_subcommand(
      "capture",
      "Inspect or drop the PostgreSQL replication slot that change capture reads (landing.url postgresql://)");
  capture->require_subcommand(1);
  capture->add_subcommand("status", "Show the slot: active or not, retained WAL, capture backlog, lag alarm")
      ->callback([&global, &selected] { selected = [&global] { return Status_(global); }; });
  auto force = std::make_shared<bool>(false);
  auto* drop = capture->add_subcommand(
      "drop-slot",
      "Drop the replication slot (capture.slot), releasing the WAL it retains. Changes landed and not captured yet\n"
      "are then never published. Refuses while a capture holds the slot, unless --force.");
  drop->add_flag("--force", *force, "End the server connection that holds the slot (a running capture) first");
  drop->callback([&global, &selected, force] { selected = [&global, force] { return DropSlot(global, *force); }; });
}

}  // namespace rtpipe
