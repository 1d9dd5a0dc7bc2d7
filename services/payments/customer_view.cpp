#include "customer_view.h"

#include "payments_keys.h"
#include "qrfleet/sql_array.h"
#include "qrfleet/time_format.h"

namespace qrfleet::payments {

namespace {
std::optional<std::string> text(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return f.as<std::string>();
}
}  // namespace

std::vector<CustomerView> readCustomerViews(pqxx::transaction_base& sql, const std::vector<std::string>* customers) {
  SqlArray ids;
  if (customers)
    for (const auto& c : *customers) ids.add(c);
  const std::string filter = customers ? " WHERE customer_id = ANY($1::text[])" : " WHERE $1::text[] IS NOT NULL";
  const auto param = customers ? ids.str() : std::string("{}");
  std::map<std::string, CustomerView> views;
  auto view = [&](const std::string& id) -> CustomerView& {
    auto& v = views[id];
    v.customerId = id;
    return v;
  };
  for (const auto& r : sql.exec_params(
           "SELECT DISTINCT ON (customer_id) customer_id, provider_subscription_id, status, plan, dunning_state"
           " FROM payments.subscriptions" + filter +
               " ORDER BY customer_id, version_at DESC NULLS LAST, version_rank DESC NULLS LAST,"
               " version_event_id DESC NULLS LAST, provider, provider_subscription_id",
           param)) {
    auto& v = view(r[0].as<std::string>());
    v.subscriptionId = r[1].as<std::string>();
    v.subscriptionStatus = text(r[2]);
    v.plan = text(r[3]);
    v.dunningState = text(r[4]);
  }
  for (const auto& r : sql.exec_params(
           "SELECT DISTINCT ON (customer_id) customer_id, provider_payment_id, state FROM payments.payments" + filter +
               " ORDER BY customer_id, last_event_at DESC, provider, provider_payment_id",
           param)) {
    auto& v = view(r[0].as<std::string>());
    v.paymentId = r[1].as<std::string>();
    v.paymentState = r[2].as<std::string>();
  }
  for (const auto& r : sql.exec_params(
           "SELECT customer_id, rule, (extract(epoch FROM max(window_start)) * 1000)::bigint FROM payments.fraud_flags" +
               filter + " GROUP BY customer_id, rule",
           param))
    view(r[0].as<std::string>()).fraudWindows[r[1].as<std::string>()] = r[2].as<std::int64_t>();
  std::vector<CustomerView> out;
  out.reserve(views.size());
  for (auto& [id, v] : views) out.push_back(std::move(v));
  return out;
}

std::vector<std::vector<std::string>> customerCommands(const CustomerView& v) {
  std::vector<std::vector<std::string>> out;
  auto key = keys::customer(v.customerId);
  std::vector<std::string> hset = {"HSET", key};
  auto put = [&](const char* field, const std::optional<std::string>& value) {
    if (value) hset.insert(hset.end(), {field, *value});
  };
  put("subscriptionId", v.subscriptionId);
  put("subscriptionStatus", v.subscriptionStatus);
  put("plan", v.plan);
  put("dunning", v.dunningState);
  put("paymentId", v.paymentId);
  put("paymentState", v.paymentState);
  out.push_back({"DEL", key});
  if (hset.size() > 2) out.push_back(std::move(hset));
  auto fraud = keys::fraud(v.customerId);
  out.push_back({"DEL", fraud});
  if (!v.fraudWindows.empty()) {
    std::vector<std::string> flags = {"HSET", fraud};
    for (const auto& [rule, start] : v.fraudWindows) flags.insert(flags.end(), {rule, formatRfc3339Millis(start)});
    out.push_back(std::move(flags));
  }
  return out;
}

}  // namespace qrfleet::payments
