#include "release_task.h"

#include "qrfleet/envelope.h"
#include "qrfleet/sql_array.h"

namespace qrfleet::notify {

PeriodicTask releaseDueTask(std::chrono::milliseconds interval, int claimLimit) {
  return {"release-due-notifications", interval, [claimLimit](TaskContext& ctx) {
            pqxx::work txn(ctx.postgres);
            auto due = txn.exec_params(
                "SELECT notification_id, topic, message_key, envelope FROM notify.scheduled"
                " WHERE NOT released AND due_at <= now()"
                " AND (emitted_at IS NULL OR emitted_at < clock_timestamp() - interval '30 seconds')"
                " ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED",
                claimLimit);
            if (due.empty()) return;
            SqlArray claimed;
            for (const auto& row : due) {
              ctx.producer.produceEvent(row[1].as<std::string>(), row[2].as<std::string>(),
                                        Envelope::decode(row[3].as<std::string>()));
              claimed.add(row[0].as<std::string>());
            }
            ctx.producer.flush(std::chrono::seconds(30));
            txn.exec_params0("UPDATE notify.scheduled SET emitted_at = clock_timestamp() WHERE notification_id = ANY($1::text[])",
                             claimed.str());
            txn.commit();
            ctx.log.info("released deferred notifications", {{"count", due.size()}});
          }};
}

}  // namespace qrfleet::notify
