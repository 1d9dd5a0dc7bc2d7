#include "release_task.h"

#include "qrfleet/outbox_task.h"

namespace qrfleet::notify {

PeriodicTask releaseDueTask(std::chrono::milliseconds interval, int claimLimit) {
  OutboxTask o;
  o.name = "release-due-notifications";
  o.interval = interval;
  o.claimLimit = claimLimit;
  o.claimSql =
      "SELECT notification_id, topic, message_key, envelope FROM notify.scheduled"
      " WHERE NOT released AND due_at <= now()"
      " AND (emitted_at IS NULL OR emitted_at < clock_timestamp() - interval '30 seconds')"
      " ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED";
  o.message = [](const pqxx::row& row) {
    return OutboxMessage{row[1].as<std::string>(), row[2].as<std::string>(), Envelope::decode(row[3].as<std::string>())};
  };
  o.markSql = "UPDATE notify.scheduled SET emitted_at = clock_timestamp() WHERE notification_id = ANY($1::text[])";
  o.logMessage = "released deferred notifications";
  return outboxTask(std::move(o));
}

}  // namespace qrfleet::notify
