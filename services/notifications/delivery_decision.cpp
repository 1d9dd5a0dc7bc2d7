#include "delivery_decision.h"

#include <algorithm>

namespace qrfleet::notify {

namespace {
void addLocale(std::vector<std::string>& out, const std::optional<std::string>& locale) {
  if (!locale || locale->empty()) return;
  auto add = [&](const std::string& l) {
    if (std::find(out.begin(), out.end(), l) == out.end()) out.push_back(l);
  };
  add(*locale);
  if (auto dash = locale->find_first_of("-_"); dash != std::string::npos) add(locale->substr(0, dash));
}
}  // namespace

DeliveryDecision decideDelivery(const events::NotificationRequested& n, const Contact* contact, std::int64_t atMs,
                                bool released, const std::string& defaultLocale) {
  DeliveryDecision d;
  if (n.expiresAtMs && atMs >= *n.expiresAtMs) {
    d.kind = DeliveryDecision::Kind::expire;
    d.reason = "expired before delivery";
    return d;
  }
  d.address = n.to;
  if (contact) {
    if (!d.address.email) d.address.email = contact->address.email;
    if (!d.address.phone) d.address.phone = contact->address.phone;
    if (d.address.deviceTokens.empty()) d.address.deviceTokens = contact->address.deviceTokens;
  }
  addLocale(d.locales, n.locale);
  if (contact) addLocale(d.locales, contact->locale);
  addLocale(d.locales, defaultLocale);
  d.locales.push_back("");

  bool missing = (n.channel == "email" && !d.address.email) || (n.channel == "sms" && !d.address.phone) ||
                 (n.channel == "push" && d.address.deviceTokens.empty());
  if (missing) {
    d.kind = DeliveryDecision::Kind::fail;
    d.reason = "recipient " + n.recipientId + " has no " +
               (n.channel == "email" ? "email address" : n.channel == "sms" ? "phone number" : "device token") +
               " (neither in the request nor in a contact)";
    return d;
  }
  if (released) return d;
  // Due at sendAfter, or now; a bulk message due inside quiet hours waits for their end.
  auto due = n.sendAfterMs && *n.sendAfterMs > atMs ? *n.sendAfterMs : atMs;
  if (due > atMs) {
    d.kind = DeliveryDecision::Kind::defer;
    d.dueAtMs = due;
    d.reason = "sendAfter";
  }
  if (n.priority == "bulk" && contact && contact->quiet)
    if (auto end = contact->quiet->endAfter(due)) {
      d.kind = DeliveryDecision::Kind::defer;
      d.dueAtMs = *end;
      d.reason = "quiet hours";
    }
  return d;
}

}  // namespace qrfleet::notify
