#pragma once
#include <chrono>
#include <memory>
#include <pqxx/pqxx>
#include <string>

namespace qrfleet {

// A Postgres connection that is re-opened on the next use after it broke.
//
// idleInTransactionTimeout (0: the server's default, none): the server ends a
// session whose transaction stays idle that long. A worker frozen inside a
// batch (SIGSTOP, a VM pause) would otherwise hold its row locks for as long
// as it is frozen, and the partitions' new owner would wait on them forever.
class PostgresConnection {
 public:
  explicit PostgresConnection(std::string url, std::chrono::milliseconds idleInTransactionTimeout = {})
      : url_(std::move(url)), idleInTransactionTimeout_(idleInTransactionTimeout) {}

  pqxx::connection& get() {
    if (!conn_ || !conn_->is_open()) {
      conn_ = std::make_unique<pqxx::connection>(url_);
      if (idleInTransactionTimeout_.count() > 0) {
        pqxx::nontransaction tx(*conn_);
        tx.exec("SET idle_in_transaction_session_timeout = " + std::to_string(idleInTransactionTimeout_.count()));
      }
    }
    return *conn_;
  }
  void reset() { conn_.reset(); }
  bool ping() noexcept {
    try {
      pqxx::nontransaction tx(get());
      tx.exec("SELECT 1");
      return true;
    } catch (...) {
      reset();
      return false;
    }
  }

 private:
  std::string url_;
  std::chrono::milliseconds idleInTransactionTimeout_;
  std::unique_ptr<pqxx::connection> conn_;
};

}  // namespace qrfleet
