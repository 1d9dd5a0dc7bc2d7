#include "probe_handler.h"

namespace qrfleet::probe {

ProbeHandler::ProbeHandler(ProbeBehaviour behaviour, const std::string& databaseUrl)
    : behaviour_(std::move(behaviour)), log_(databaseUrl) {}

void ProbeHandler::record(int n, std::size_t batchSize, const std::string& outcome) {
  pqxx::nontransaction tx(log_.get());
  tx.exec_params("INSERT INTO probe.attempts (n, batch_size, outcome) VALUES ($1, $2, $3)", n,
                 static_cast<int>(batchSize), outcome);
}

void ProbeHandler::handle(std::span<const ConsumedEvent> events, Effects& fx) {
  for (const auto& e : events) {
    int n = e.envelope.payload.value("n", -1);
    auto has = [n](const std::set<std::int64_t>& s) { return s.count(n) > 0; };
    if (has(behaviour_.failAlways)) {
      record(n, events.size(), "threw");
      throw std::runtime_error("probe: event " + std::to_string(n) + " always fails");
    }
    if (has(behaviour_.failOnce) && failedOnce_.insert(n).second) {
      record(n, events.size(), "threw");
      throw std::runtime_error("probe: event " + std::to_string(n) + " fails once");
    }
    if (has(behaviour_.reject)) {
      record(n, events.size(), "rejected");
      fx.reject(e, RejectReason::handlerRejected, "probe: event " + std::to_string(n) + " is refused");
      continue;
    }
    if (has(behaviour_.retryAlways) || (has(behaviour_.retryUntilAttempt3) && e.attempt < 3)) {
      record(n, events.size(), "retry-later");
      fx.retryLater(e, "probe: event " + std::to_string(n) + " needs another try");
      continue;
    }
    record(n, events.size(), "applied");
    fx.sql().exec_params("INSERT INTO probe.applied (event_id, n, attempt) VALUES ($1, $2, $3) "
                         "ON CONFLICT (event_id) DO NOTHING",
                         e.envelope.eventId, n, e.attempt);
  }
}

}  // namespace qrfleet::probe
