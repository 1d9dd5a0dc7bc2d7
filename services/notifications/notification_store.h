#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "delivery_decision.h"
#include "message_template.h"
#include "qrfleet/events/notification_contact.h"

namespace qrfleet::notify {

// Where a notification stands (notify.notifications), as a batch reads it.
struct NotificationState {
  std::string status;         // deferred | retrying | sent | failed | expired; "" new; "handled" earlier in the batch
  std::string releaseEventId; // deferred: the id the released copy will carry
  std::string eventId;        // the event that last settled the row (retrying: the one being retried)
  bool final() const { return status == "sent" || status == "failed" || status == "expired"; }
};

// A notification's row as a batch leaves it.
struct NotificationRow {
  std::string notificationId;
  std::string eventId;
  std::string recipientId;
  std::string channel;
  std::string priority;
  std::string templateName;
  std::optional<int> templateVersion;
  std::string status;
  std::string provider;
  std::string providerMessageId;
  std::string error;
  int attempts = 0;
  std::int64_t requestedAtMs = 0;
  std::optional<std::int64_t> dueAtMs;
  std::optional<std::int64_t> expiresAtMs;
  std::string inboxMessage;  // in_app
};

// One call to a provider, for the audit (notify.deliveries).
struct DeliveryAttempt {
  std::string notificationId;
  std::string eventId;
  int attempt = 1;
  std::string channel;
  std::string provider;
  std::string status;
  std::string providerMessageId;
  std::string error;
};

// A deferred request, to be sent back to its topic when due.
struct ScheduledRequest {
  std::string notificationId;
  std::string topic;
  std::string key;
  std::string envelope;
  std::string releaseEventId;
  std::int64_t dueAtMs = 0;
};

// The notify schema's SQL. Reads take a batch's keys at once; writes are
// collected over the batch and go in one statement per table (unnest).
class NotificationStore {
 public:
  static std::map<std::string, Contact> contacts(pqxx::work& sql, const std::vector<std::string>& recipientIds);
  static std::map<std::string, NotificationState> states(pqxx::work& sql, const std::vector<std::string>& ids);
  // The newest version of each (name, channel, locale) of these names.
  static std::map<std::string, MessageTemplate> templates(pqxx::work& sql, const std::vector<std::string>& names);
  static std::string templateKey(const std::string& name, const std::string& channel, const std::string& locale);

  void saveContact(const events::NotificationContactUpdated& c, const std::string& eventId, std::int64_t atMs) {
    contacts_.push_back({c, eventId, atMs});
  }
  void save(NotificationRow row) { rows_.push_back(std::move(row)); }
  void audit(DeliveryAttempt a) { attempts_.push_back(std::move(a)); }
  void schedule(ScheduledRequest s) { scheduled_.push_back(std::move(s)); }
  void released(const std::string& notificationId) { released_.push_back(notificationId); }
  // Writes what was collected, in the batch's order per notification (the last row wins).
  void flush(pqxx::work& sql);

 private:
  struct ContactUpdate {
    events::NotificationContactUpdated contact;
    std::string eventId;
    std::int64_t atMs;
  };
  std::vector<ContactUpdate> contacts_;
  std::vector<NotificationRow> rows_;
  std::vector<DeliveryAttempt> attempts_;
  std::vector<ScheduledRequest> scheduled_;
  std::vector<std::string> released_;
};

}  // namespace qrfleet::notify
