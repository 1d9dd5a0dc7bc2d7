#include "dunning_task.h"

#include "qrfleet/events/dunning_retry_due.h"
#include "qrfleet/outbox_task.h"
#include "qrfleet/time_format.h"

namespace qrfleet::payments {

PeriodicTask dunningDueTask(std::chrono::milliseconds interval, int claimLimit, std::string topic) {
  OutboxTask o;
  o.name = "emit-due-dunning-steps";
  o.interval = interval;
  o.claimLimit = claimLimit;
  o.claimSql =
      "SELECT s.provider, s.invoice_id, s.step, d.subscription_id, d.customer_id"
      " FROM payments.dunning_steps s JOIN payments.dunning d"
      " ON d.provider = s.provider AND d.invoice_id = s.invoice_id"
      " WHERE s.emitted_at IS NULL AND s.applied_at IS NULL AND s.due_at <= now()"
      " AND d.state IN ('scheduled', 'exhausted') AND d.step = s.step - 1"
      " ORDER BY s.due_at LIMIT $1 FOR UPDATE OF s SKIP LOCKED";
  o.message = [topic = std::move(topic)](const pqxx::row& row) {
    events::DunningRetryDue d;
    d.provider = row[0].as<std::string>();
    d.invoiceId = row[1].as<std::string>();
    d.step = row[2].as<int>();
    d.subscriptionId = row[3].as<std::string>();
    d.customerId = row[4].as<std::string>();
    return OutboxMessage{topic, d.customerId, d.toEnvelope("qrfleet-payments", nowMillis())};
  };
  o.markSql =
      "UPDATE payments.dunning_steps SET emitted_at = clock_timestamp() WHERE (provider, invoice_id, step) IN"
      " (SELECT * FROM unnest($1::text[], $2::text[], $3::int[]))";
  o.markedColumns = 3;
  o.logMessage = "sent due dunning steps";
  return outboxTask(std::move(o));
}

}  // namespace qrfleet::payments
