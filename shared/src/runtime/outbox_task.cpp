#include "qrfleet/outbox_task.h"

#include <vector>

#include "qrfleet/sql_array.h"

namespace qrfleet {

namespace {
// One claim: the rows' events produced and acknowledged, the rows marked; the count sent.
std::size_t sendClaimed(const OutboxTask& o, TaskContext& ctx) {
  pqxx::work txn(ctx.postgres);
  auto due = txn.exec_params(o.claimSql, o.claimLimit);
  if (due.empty()) return 0;
  std::vector<SqlArray> marked(static_cast<std::size_t>(o.markedColumns));
  for (const auto& row : due) {
    auto m = o.message(row);
    ctx.producer.produceEvent(m.topic, m.key, m.event);
    for (std::size_t c = 0; c < marked.size(); ++c) marked[c].add(row[static_cast<int>(c)].c_str());
  }
  ctx.producer.flush(std::chrono::seconds(30));
  std::vector<std::string> params;
  for (const auto& column : marked) params.push_back(column.str());
  txn.exec_params0(o.markSql, pqxx::prepare::make_dynamic_params(params));
  txn.commit();
  return due.size();
}
}  // namespace

PeriodicTask outboxTask(OutboxTask outbox) {
  auto name = outbox.name;
  auto interval = outbox.interval;
  return {std::move(name), interval, [o = std::move(outbox)](TaskContext& ctx) {
            std::size_t sent = 0;
            for (;;) {
              auto n = sendClaimed(o, ctx);
              sent += n;
              if (n < static_cast<std::size_t>(o.claimLimit)) break;
            }
            if (sent > 0) ctx.log.info(o.logMessage, {{"count", sent}});
          }};
}

}  // namespace qrfleet
