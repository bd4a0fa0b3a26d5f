// `rtpipe query "SQL"`: read-only SQL on the analytics store, as a table, CSV or JSON.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>

#include "rtpipe/app/cli.h"
#include "rtpipe/sink/query.h"

namespace rtpipe {
namespace {

std::string Text(const QueryValue& v, std::string_view null_text) {
  if (std::holds_alternative<std::monostate>(v)) return std::string(null_text);
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return fmt::format("{}", *d);
  return std::get<std::string>(v);
}

std::string CsvField(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void PrintTable(const QueryResult& r) {
  std::vector<size_t> widths;
  for (const auto& c : r.columns) widths.push_back(c.size());
  for (const auto& row : r.rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], Text(row[i], "NULL").size());
  }
  auto print_row = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) line += fmt::format("{}{:<{}}", i ? " | " : "", cells[i], widths[i]);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    fmt::print("{}\n", line);
  };
  print_row(r.columns);
  std::string rule;
  for (size_t i = 0; i < widths.size(); ++i) rule += (i ? "-+-" : "") + std::string(widths[i], '-');
  fmt::print("{}\n", rule);
  for (const auto& row : r.rows) {
    std::vector<std::string> cells;
    for (const auto& v : row) cells.push_back(Text(v, "NULL"));
    print_row(cells);
  }
  std::fflush(stdout);
  std::fprintf(stderr, "(%zu row%s)\n", r.rows.size(), r.rows.size() == 1 ? "" : "s");
}

void PrintCsv(const QueryResult& r) {
  std::string line;
  for (size_t i = 0; i < r.columns.size(); ++i) line += (i ? "," : "") + CsvField(r.columns[i]);
  fmt::print("{}\n", line);
  for (const auto& row : r.rows) {
    line.clear();
    for (size_t i = 0; i < row.size(); ++i) line += (i ? "," : "") + CsvField(Text(row[i], ""));
    fmt::print("{}\n", line);
  }
}

void PrintJson(const QueryResult& r) {
  auto rows = nlohmann::ordered_json::array();  // keys in column order
  for (const auto& row : r.rows) {
    nlohmann::ordered_json object = nlohmann::ordered_json::object();
    for (size_t i = 0; i < row.size(); ++i) {
      const auto& v = row[i];
      if (std::holds_alternative<std::monostate>(v)) {
        object[r.columns[i]] = nullptr;
      } else if (const auto* n = std::get_if<int64_t>(&v)) {
        object[r.columns[i]] = *n;
      } else if (const auto* d = std::get_if<double>(&v)) {
        object[r.columns[i]] = *d;
      } else {
        object[r.columns[i]] = std::get<std::string>(v);
      }
    }
    rows.push_back(std::move(object));
  }
  fmt::print("{}\n", rows.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

}  // namespace

void AddQueryCommand(CLI::App& app, const GlobalOptions& global, CommandBody& selected) {
  struct Options {
    std::string sql;
    std::string format = "table";
  };
  auto options = std::make_shared<Options>();
  auto* query = app.add_subcommand(
      "query",
      "Run read-only SQL on the analytics store. The store is attached as its keyspace, so the brief's check\n"
      "works as written: rtpipe query \"SELECT COUNT(*) FROM spark_streams.created_users\". The SQLite landing\n"
      "database is attached as `landing` (e.g. landing.users). On SQLite, find a user by its key through the\n"
      "index: SELECT * FROM spark_streams.created_users WHERE rowid IN (SELECT row FROM\n"
      "spark_streams.created_users_keys_all WHERE id_key = uuid_key('<uuid>')), or SELECT * FROM landing.users\n"
      "WHERE row IN (SELECT row FROM landing.user_keys_all WHERE uuid_key = uuid_key('<uuid>')); a BLOB is\n"
      "shown as its literal, x'...'.");
  query->add_option("sql", options->sql, "The SQL statement")->required();
  query->add_option("--format", options->format, "table (default), csv or json")
      ->check(CLI::IsMember({"table", "csv", "json"}));
  query->callback([&global, &selected, options] {
    selected = [&global, options] {
      auto loaded = LoadEffectiveConfig(global);
      if (!loaded.ok()) return ReportError(loaded.status());
      auto result = RunQuery(loaded->config, options->sql);
      if (!result.ok()) return ReportError(result.status());
      if (options->format == "csv") {
        PrintCsv(*result);
      } else if (options->format == "json") {
        PrintJson(*result);
      } else {
        PrintTable(*result);
      }
      return kExitOk;
    };
  });
}

}  // namespace rtpipe
