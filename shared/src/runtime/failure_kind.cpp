#include "qrfleet/failure_kind.h"

#include <pqxx/pqxx>

#include "qrfleet/kafka/event_producer.h"
#include "qrfleet/outside/object_store.h"
#include "qrfleet/stores/redis_client.h"

namespace qrfleet {

namespace {
bool transientSqlState(const std::string& s) {
  if (s.size() != 5) return false;
  auto cls = s.substr(0, 2);
  return cls == "08" || cls == "53" || cls == "57" || cls == "58" || s == "40001" || s == "40P01" ||
         s == "55P03" || s == "55006" || s == "25P03";
}
}  // namespace

FailureKind classifyFailure(const std::exception& e) {
  if (auto* store = dynamic_cast<const ObjectStoreError*>(&e))
    return store->transient() ? FailureKind::transient : FailureKind::permanent;
  if (dynamic_cast<const pqxx::broken_connection*>(&e) || dynamic_cast<const pqxx::in_doubt_error*>(&e) ||
      dynamic_cast<const RedisError*>(&e) || dynamic_cast<const DeliveryFailed*>(&e) || dynamic_cast<const TransientError*>(&e))
    return FailureKind::transient;
  if (auto* sql = dynamic_cast<const pqxx::sql_error*>(&e))
    return transientSqlState(sql->sqlstate()) ? FailureKind::transient : FailureKind::permanent;
  return FailureKind::permanent;
}

std::string failureReason(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e)) return "postgres_unreachable";
  if (auto* sql = dynamic_cast<const pqxx::sql_error*>(&e)) return "postgres_" + sql->sqlstate();
  if (dynamic_cast<const pqxx::failure*>(&e)) return "postgres";
  if (dynamic_cast<const RedisError*>(&e)) return "redis";
  if (dynamic_cast<const DeliveryFailed*>(&e)) return "kafka_delivery";
  if (dynamic_cast<const TransientError*>(&e)) return "handler_transient";
  if (dynamic_cast<const ObjectStoreError*>(&e)) return "object_store";
  return "handler";
}

}  // namespace qrfleet
