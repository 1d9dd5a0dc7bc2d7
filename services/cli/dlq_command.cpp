#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli_context.h"
#include "commands.h"
#include "dead_letter_records.h"
#include "qrfleet/time_format.h"

namespace qrfleet::cli {

namespace {

struct DlqArgs {
  std::string service, errorClass, topic, since, position;
  bool dryRun = false;
  bool json = false;
};

DeadLetterFilter filterOf(const DlqArgs& a) {
  DeadLetterFilter f{a.service, a.errorClass, a.topic, std::nullopt};
  if (!a.since.empty()) {
    auto ms = parseRfc3339Millis(a.since);
    if (!ms) throw std::runtime_error("--since: '" + a.since + "' is not an RFC 3339 time (2026-11-22T10:00:00Z)");
    f.sinceMs = *ms;
  }
  return f;
}

std::string clip(const std::string& s, std::size_t n) { return s.size() <= n ? s : s.substr(0, n - 1) + "~"; }

void printTable(const std::vector<DeadLetterRecord>& records,
                const std::set<std::pair<std::int32_t, std::int64_t>>& redriven) {
  std::printf("%-10s %-24s %-16s %-32s %-20s %-8s %s\n", "DLQ", "FAILED AT", "SERVICE", "ORIGINAL", "ERROR CLASS",
              "REDRIVEN", "MESSAGE");
  for (const auto& r : records) {
    auto original = r.originalTopic + "/" + std::to_string(r.originalPartition) + ":" + std::to_string(r.originalOffset);
    std::printf("%-10s %-24s %-16s %-32s %-20s %-8s %s\n", r.position().c_str(), r.failedAt.c_str(),
                clip(r.service, 16).c_str(), clip(original, 32).c_str(), clip(r.errorClass, 20).c_str(),
                redriven.count({r.message.partition, r.message.offset}) ? "yes" : "no",
                clip(r.errorMessage, 100).c_str());
  }
  std::printf("%zu dead letter(s)\n", records.size());
}

}  // namespace

void addDlqCommand(CLI::App& app) {
  auto args = std::make_shared<DlqArgs>();
  auto* dlq = app.add_subcommand("dlq", "inspect and redrive the dead-letter queue");
  dlq->require_subcommand(1);
  auto filters = [&](CLI::App* cmd) {
    cmd->add_option("--service", args->service, "only records from this service (dlq-service)");
    cmd->add_option("--error-class", args->errorClass, "only this error class (dlq-error-class)");
    cmd->add_option("--topic", args->topic, "only records from this original topic");
  };

  auto* list = dlq->add_subcommand("list", "a table of dead letters: time, service, origin, error");
  filters(list);
  list->add_option("--since", args->since, "only records that failed at or after this RFC 3339 time");
  list->callback([args] {
    CliContext ctx;
    auto records = readDeadLetters(ctx.kafka(), filterOf(*args));
    printTable(records, RedriveLedger(ctx.databaseUrl()).redriven());
  });

  auto* show = dlq->add_subcommand("show", "one dead letter's headers and payload");
  show->add_option("position", args->position, "partition:offset in dead-letter-queue (from dlq list)")->required();
  show->callback([args] {
    CliContext ctx;
    auto colon = args->position.find(':');
    if (colon == std::string::npos) throw std::runtime_error("position must be partition:offset, e.g. 0:42");
    auto partition = std::stoi(args->position.substr(0, colon));
    auto offset = std::stoll(args->position.substr(colon + 1));
    for (const auto& r : readDeadLetters(ctx.kafka(), {})) {
      if (r.message.partition != partition || r.message.offset != offset) continue;
      nlohmann::json headers = nlohmann::json::object();
      for (const auto& [k, v] : r.message.headers) headers[k] = v;
      auto parsed = nlohmann::json::parse(r.message.value, nullptr, false);
      nlohmann::json out = {{"position", r.position()},
                            {"key", r.message.key},
                            {"headers", headers},
                            {"payload", parsed.is_discarded() ? nlohmann::json(r.message.value) : parsed}};
      std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      return;
    }
    throw std::runtime_error("no dead letter at " + args->position);
  });

  auto* redrive = dlq->add_subcommand(
      "redrive", "republish dead letters (original key, bytes, headers) to their original topic and partition");
  filters(redrive);
  redrive->add_option("--since", args->since, "only records that failed at or after this RFC 3339 time");
  redrive->add_flag("--dry-run", args->dryRun, "list what would be redriven; send nothing");
  redrive->callback([args] {
    CliContext ctx;
    auto kafka = ctx.kafka();
    RedriveLedger ledger(ctx.databaseUrl());
    auto done = ledger.redriven();
    std::vector<DeadLetterRecord> todo;
    std::size_t skipped = 0;
    for (auto& r : readDeadLetters(kafka, filterOf(*args))) {
      if (done.count({r.message.partition, r.message.offset})) ++skipped;
      else todo.push_back(std::move(r));
    }
    if (args->dryRun) {
      printTable(todo, done);
      std::printf("dry run: %zu would be redriven\n", todo.size());
      return;
    }
    auto sent = ledger.redrive(kafka, todo);
    std::printf("redriven: %zu; skipped, redriven before: %zu\n", sent, skipped + (todo.size() - sent));
  });
}

}  // namespace qrfleet::cli
