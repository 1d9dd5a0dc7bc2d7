#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace qrfleet::payments {

// What the platform's API reads of a customer from Redis: their newest
// subscription, their newest payment, and the fraud rules that flagged them.
struct CustomerView {
  std::string customerId;
  std::optional<std::string> subscriptionId, subscriptionStatus, plan, dunningState;
  std::optional<std::string> paymentId, paymentState;
  std::map<std::string, std::int64_t> fraudWindows;  // rule -> newest flagged window's start
};

// The views of `customers` (all customers when null), read from the payments
// schema: the live path (after a batch's writes, in its transaction) and the
// Redis rebuild read the same rows the same way, so both write the same keys.
std::vector<CustomerView> readCustomerViews(pqxx::transaction_base& sql, const std::vector<std::string>* customers);

// The commands that make the customer's keys (payments:customer:<id>,
// payments:fraud:<id>) say the view, replacing what they held.
std::vector<std::vector<std::string>> customerCommands(const CustomerView& view);

}  // namespace qrfleet::payments
