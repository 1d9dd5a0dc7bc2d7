#pragma once
#include <memory>
#include <pqxx/pqxx>
#include <string>

namespace qrfleet {

// A Postgres connection that is re-opened on the next use after it broke.
class PostgresConnection {
 public:
  explicit PostgresConnection(std::string url) : url_(std::move(url)) {}

  pqxx::connection& get() {
    if (!conn_ || !conn_->is_open()) conn_ = std::make_unique<pqxx::connection>(url_);
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
  std::unique_ptr<pqxx::connection> conn_;
};

}  // namespace qrfleet
