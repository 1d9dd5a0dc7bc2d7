#include "dunning_task.h"

#include "qrfleet/events/dunning_retry_due.h"
#include "qrfleet/sql_array.h"
#include "qrfleet/time_format.h"

namespace qrfleet::payments {

PeriodicTask dunningDueTask(std::chrono::milliseconds interval, int claimLimit, std::string topic) {
  return {"emit-due-dunning-steps", interval, [claimLimit, topic = std::move(topic)](TaskContext& ctx) {
            pqxx::work txn(ctx.postgres);
            auto due = txn.exec_params(
                "SELECT s.provider, s.invoice_id, s.step, d.subscription_id, d.customer_id"
                " FROM payments.dunning_steps s JOIN payments.dunning d"
                " ON d.provider = s.provider AND d.invoice_id = s.invoice_id"
                " WHERE s.emitted_at IS NULL AND s.applied_at IS NULL AND s.due_at <= now()"
                " AND d.state IN ('scheduled', 'exhausted') AND d.step = s.step - 1"
                " ORDER BY s.due_at LIMIT $1 FOR UPDATE OF s SKIP LOCKED",
                claimLimit);
            if (due.empty()) return;
            SqlArray providers, invoices, steps;
            const auto now = nowMillis();
            for (const auto& row : due) {
              events::DunningRetryDue d;
              d.provider = row[0].as<std::string>();
              d.invoiceId = row[1].as<std::string>();
              d.step = row[2].as<int>();
              d.subscriptionId = row[3].as<std::string>();
              d.customerId = row[4].as<std::string>();
              ctx.producer.produceEvent(topic, d.customerId, d.toEnvelope("qrfleet-payments", now));
              providers.add(d.provider);
              invoices.add(d.invoiceId);
              steps.add(std::int64_t(d.step));
            }
            ctx.producer.flush(std::chrono::seconds(30));
            txn.exec_params0(
                "UPDATE payments.dunning_steps SET emitted_at = clock_timestamp() WHERE (provider, invoice_id, step) IN"
                " (SELECT * FROM unnest($1::text[], $2::text[], $3::int[]))",
                providers.str(), invoices.str(), steps.str());
            txn.commit();
            ctx.log.info("sent due dunning steps", {{"count", due.size()}});
          }};
}

}  // namespace qrfleet::payments
