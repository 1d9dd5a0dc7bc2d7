#pragma once
#include <string>

// The Redis keys the platform's API and websocket gateway read.
namespace qrfleet::notify::keys {

// Hash per notification: status, channel, provider, providerMessageId, error.
inline std::string status(const std::string& notificationId) { return "notify:status:" + notificationId; }
// Capped stream per recipient: the in-app inbox (id, subject, body, data, at).
inline std::string inbox(const std::string& recipientId) { return "notify:inbox:" + recipientId; }
// Pub/sub channel per recipient: each new in-app message, as JSON.
inline std::string inboxChannel(const std::string& recipientId) { return "notify:inbox:" + recipientId + ":live"; }

}  // namespace qrfleet::notify::keys
