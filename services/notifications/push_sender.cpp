#include "push_sender.h"

namespace qrfleet::notify {

namespace {

nlohmann::json fcmMessage(const OutgoingMessage& m, const std::string& token, const std::string& key) {
  nlohmann::json data = nlohmann::json::object();
  for (const auto& [k, v] : m.data.items()) data[k] = v.is_string() ? v.get<std::string>() : v.dump();  // FCM data is string to string
  data["idempotencyKey"] = key;
  data["notificationId"] = m.notificationId;
  nlohmann::json notification = {{"body", m.content.text}};
  if (!m.content.subject.empty()) notification["title"] = m.content.subject;
  nlohmann::json msg = {{"token", token}, {"notification", notification}, {"data", data}};
  if (m.priority == "urgent") msg["android"] = {{"priority", "HIGH"}};
  return msg;
}

// FCM's per-message errors: which are the device's fault for good.
bool permanentFcmError(const std::string& status) {
  return status == "UNREGISTERED" || status == "INVALID_ARGUMENT" || status == "SENDER_ID_MISMATCH" ||
         status == "NOT_FOUND";
}

struct Sent {
  std::vector<std::string> names;
  std::vector<std::string> permanent;
  std::vector<std::string> transient;
};

}  // namespace

StepOutcome PushSender::send(const ProviderSettings& p, std::span<const OutgoingMessage* const> messages,
                             std::span<const OutsideCall> calls, std::vector<StepOutcome>& each) {
  // (notification index, message) pairs, cut into calls of batchSize.
  struct Message {
    std::size_t notification;
    std::string key;
    nlohmann::json body;
  };
  std::vector<Message> all;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto& tokens = messages[i]->address.deviceTokens;
    for (std::size_t t = 0; t < tokens.size(); ++t) {
      auto key = tokens.size() == 1 ? calls[i].idempotencyKey : calls[i].idempotencyKey + "/" + std::to_string(t);
      all.push_back({i, key, fcmMessage(*messages[i], tokens[t], key)});
    }
  }
  std::vector<Sent> sent(messages.size());
  for (std::size_t start = 0; start < all.size(); start += p.batchSize) {
    auto end = std::min(all.size(), start + p.batchSize);
    // One message is FCM v1's own messages:send (a batchSize of 1 makes every
    // push one, for an endpoint without a batch call); more are one sendEach.
    bool single = end - start == 1;
    nlohmann::json body;
    if (single) {
      body = {{"message", all[start].body}};
    } else {
      body = {{"messages", nlohmann::json::array()}};
      for (auto k = start; k < end; ++k) body["messages"].push_back(all[k].body);
    }
    auto req = providerPost(p, "/v1/projects/" + p.project + (single ? "/messages:send" : "/messages:sendEach"));
    req.headers = {{"Authorization", "Bearer " + p.token}, {"Content-Type", "application/json"}};
    if (single) req.headers.emplace_back("Idempotency-Key", all[start].key);
    req.body = body.dump();
    auto resp = http_.send(req);
    auto whole = classifyHttp(resp);
    // A call that failed as a whole before any other got through: the provider's
    // failure, judged by failover (its later calls would fare no better).
    if (whole.status != StepStatus::succeeded && start == 0) return whole;
    auto answer = nlohmann::json::parse(resp.body, nullptr, false);
    for (auto k = start; k < end; ++k) {
      auto& s = sent[all[k].notification];
      if (whole.status != StepStatus::succeeded) {
        (whole.status == StepStatus::failedPermanently ? s.permanent : s.transient).push_back(whole.detail);
        continue;
      }
      const nlohmann::json* r = nullptr;
      if (single && answer.is_object()) r = &answer;
      else if (answer.is_object() && answer.contains("responses") && answer["responses"].is_array() &&
               answer["responses"].size() > k - start)
        r = &answer["responses"][k - start];
      if (r && r->contains("name") && (*r)["name"].is_string()) {
        s.names.push_back((*r)["name"].get<std::string>());
      } else if (r && r->contains("error") && (*r)["error"].is_object()) {
        // Read without throwing: the calls before this one went out, and a throw would send them again.
        const auto& error = (*r)["error"];
        auto text = [&](const char* field) {
          auto it = error.find(field);
          return it != error.end() && it->is_string() ? it->get<std::string>() : std::string();
        };
        auto status = text("status").empty() ? std::string("UNKNOWN") : text("status");
        (permanentFcmError(status) ? s.permanent : s.transient).push_back(status + ": " + text("message"));
      } else {
        s.transient.push_back("no answer for this message in the provider's response");
      }
    }
  }
  each.clear();
  for (auto& s : sent) {
    if (!s.names.empty()) {
      std::string detail;
      for (const auto& n : s.names) detail += (detail.empty() ? "" : " ") + n;
      each.push_back(StepOutcome::success(detail));
    } else if (!s.transient.empty()) {
      each.push_back(StepOutcome::transient(s.transient.front()));
    } else {
      each.push_back(StepOutcome::permanent(s.permanent.empty() ? "no device token" : s.permanent.front()));
    }
  }
  return StepOutcome::success();
}

}  // namespace qrfleet::notify
