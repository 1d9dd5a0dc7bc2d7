#pragma once
#include <chrono>
#include <functional>
#include <pqxx/pqxx>
#include <string>

#include "qrfleet/envelope.h"
#include "qrfleet/periodic_task.h"

namespace qrfleet {

// An event a claimed outbox row stands for.
struct OutboxMessage {
  std::string topic;
  std::string key;
  Envelope event;  // a deterministic id: a row sent twice is the same event twice
};

// Events a service recorded as due in its own tables, sent when due: a
// deferred notification's release, a dunning step, a booking's expiry (the
// transactional outbox). The service declares its rows; the runtime claims,
// produces, waits for Kafka's acknowledgement, marks and commits.
struct OutboxTask {
  std::string name;  // the `task` label of qrfleet_task_runs_total
  std::chrono::milliseconds interval;
  int claimLimit = 500;
  // Claims due rows: SELECT ... WHERE <due and not sent> ORDER BY ... LIMIT $1
  // FOR UPDATE [OF t] SKIP LOCKED, so that replicas share the work.
  std::string claimSql;
  std::function<OutboxMessage(const pqxx::row&)> message;
  // Records that the claimed rows were sent: $1..$n are arrays of their first
  // n columns (n = markedColumns), e.g. WHERE id = ANY($1::text[]).
  std::string markSql;
  int markedColumns = 1;
  std::string logMessage;  // logged with the count when a run sent any
};

// The outbox as a PeriodicTask. A run claims again while a claim comes back
// full. A crash between producing and committing leaves the rows due, so
// they are sent again with the same ids: the consumer takes the second copy
// as a duplicate.
PeriodicTask outboxTask(OutboxTask outbox);

}  // namespace qrfleet
